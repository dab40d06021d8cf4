import { execFile } from 'node:child_process';
import path from 'node:path';

/** What a PDF says: its page count, its text (pages joined, as pdf.js extracts it) and its document information. */
export interface PdfText {
  pages: number;
  text: string;
  info: Record<string, unknown>;
}

/**
 * Extracts the text of a PDF the way a reader's copy-and-paste would, with pdf.js (through pdf-parse), in a child
 * process: pdf.js starts its worker with a dynamic import, which jest's module VM refuses.
 * Rejects when the bytes are not a PDF pdf.js can open.
 */
export function pdfText(pdf: Buffer): Promise<PdfText> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [path.join(__dirname, 'pdf-text-child.mjs')],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`pdf-text failed: ${stderr || error.message}`));
          return;
        }
        resolve(JSON.parse(stdout) as PdfText);
      },
    );
    child.stdin?.end(pdf);
  });
}
