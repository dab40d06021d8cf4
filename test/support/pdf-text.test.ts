import PDFDocument from 'pdfkit';
import { pdfText } from './pdf-text';

function render(write: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', lang: 'en-GB', tagged: true, displayTitle: true, info: { Title: 'Self-test' } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  write(doc);
  doc.end();
  return done;
}

describe('pdfText (the tests’ PDF reader)', () => {
  it('returns the words, page count and title of a PDF', async () => {
    const pdf = await render((doc) => {
      doc.text('Invoice HSUG-2026-0001 for £135.00');
      doc.addPage().text('Second page');
    });
    const read = await pdfText(pdf);
    expect(read.pages).toBe(2);
    expect(read.text).toContain('Invoice HSUG-2026-0001 for £135.00');
    expect(read.text).toContain('Second page');
    expect(read.info.Title).toBe('Self-test');
  });

  it('rejects bytes that are not a PDF', async () => {
    await expect(pdfText(Buffer.from('not a pdf'))).rejects.toThrow('pdf-text failed');
  });
});
