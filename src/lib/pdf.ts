import { createRequire } from 'node:module';
import path from 'node:path';

const requireFromHere = createRequire(__filename);
const fontDir = path.join(path.dirname(requireFromHere.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

/** The fonts every document uses: DejaVu Sans covers Latin (with every accent), Greek and Cyrillic names. */
export const PDF_FONTS = {
  regular: path.join(fontDir, 'DejaVuSans.ttf'),
  bold: path.join(fontDir, 'DejaVuSans-Bold.ttf'),
} as const;

/** What a document says about itself (PDF document information, and the language screen readers use). */
export interface PdfMeta {
  /** Shown as the window title (`DisplayDocTitle`), e.g. "Invoice HSUG-2026-0001". */
  title: string;
  /** e.g. "Health Statistics User Group". */
  author: string;
  subject?: string;
  /** BCP 47 tag, e.g. `en-GB`. */
  lang: string;
  /**
   * The document's own date (UTC instant), e.g. an invoice's issue instant. It is written as both CreationDate and
   * ModDate, and the file ID is derived from the information dictionary, so the same inputs give the same bytes.
   */
  createdAt: Date;
}

/**
 * Makes an A4, tagged PDF (PDF/UA-style structure: document language, title shown, marked content in reading order)
 * with the house fonts registered as `regular` and `bold`, and returns its bytes. `draw` writes the content; it must
 * be synchronous and should wrap each block in `doc.struct(...)` elements so the reading order is explicit.
 * Deterministic: equal `meta` and equal drawing give byte-identical files (pdfkit derives the file ID from the
 * information dictionary, and nothing else in its output depends on the clock or randomness without encryption).
 * Rejects with whatever pdfkit throws (for example an unreadable font); `draw` errors reject too.
 */
export async function renderPdf(meta: PdfMeta, draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  // Loaded on first use: pdfkit and its font engine take about 40 MB, which a server that never makes a PDF
  // (or has not yet) should not carry.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    lang: meta.lang,
    tagged: true,
    displayTitle: true,
    pdfVersion: '1.7',
    info: {
      Title: meta.title,
      Author: meta.author,
      ...(meta.subject ? { Subject: meta.subject } : {}),
      Creator: 'hsug-events',
      Producer: 'hsug-events (pdfkit)',
      CreationDate: meta.createdAt,
      ModDate: meta.createdAt,
    },
  });
  doc.registerFont('regular', PDF_FONTS.regular);
  doc.registerFont('bold', PDF_FONTS.bold);
  doc.font('regular');
  const chunks: Buffer[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      draw(doc);
      doc.end();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** Structure tags used for reading order (ISO 32000-1 §14.8.4 standard structure types). */
export type PdfBlockTag = 'H1' | 'H2' | 'H3' | 'P' | 'Table' | 'L' | 'Figure' | 'Div';

/**
 * Adds one block to the document's structure tree, in reading order, and draws it: everything `drawBlock` writes is
 * marked content of that element. Use one call per heading, paragraph or table, in the order a reader should hear them.
 */
export function addBlock(doc: PDFKit.PDFDocument, tag: PdfBlockTag, drawBlock: () => void): void {
  doc.addStructure(doc.struct(tag, {}, [drawBlock]));
}
