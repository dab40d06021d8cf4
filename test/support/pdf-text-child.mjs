// Reads a PDF on stdin and writes {pages, text, info} as JSON on stdout, using pdf-parse (pdf.js).
// Run as a child process because pdf.js loads its worker with a dynamic import, which jest's VM cannot do.
import { PDFParse } from 'pdf-parse';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
try {
  const text = await parser.getText();
  const info = await parser.getInfo();
  process.stdout.write(JSON.stringify({ pages: text.total, text: text.text, info: info.info ?? {} }));
} finally {
  await parser.destroy();
}
