import { addBlock, renderPdf } from '../../src/lib/pdf';
import { pdfText } from '../support/pdf-text';

const meta = {
  title: 'Certificate of attendance',
  author: 'Health Statistics User Group',
  lang: 'en-GB',
  createdAt: new Date('2026-11-30T09:00:00Z'),
};

function draw(name: string) {
  return (doc: PDFKit.PDFDocument) => {
    addBlock(doc, 'H1', () => doc.font('bold').fontSize(18).text('Certificate of attendance'));
    addBlock(doc, 'P', () => doc.font('regular').fontSize(12).text(`Awarded to ${name} for £135.00`));
  };
}

describe('renderPdf', () => {
  it('writes names in any European script, the title and the language', async () => {
    const pdf = await renderPdf(meta, draw('Łukasz Żółć, Ærøskøbing Ünal, Σοφία Παπαδοπούλου, Ольга'));
    const read = await pdfText(pdf);
    expect(read.text.replace(/\s+/g, ' ')).toContain(
      'Awarded to Łukasz Żółć, Ærøskøbing Ünal, Σοφία Παπαδοπούλου, Ольга for £135.00',
    );
    expect(read.info.Title).toBe('Certificate of attendance');
    const raw = pdf.toString('latin1');
    expect(raw).toContain('/Lang (en-GB)');
    expect(raw).toContain('/Marked true');
    expect(raw).toContain('/DisplayDocTitle true');
    expect(raw).toMatch(/\/S \/H1/);
    expect(raw).toMatch(/\/S \/P\b/);
    expect(raw).toContain('/MediaBox [0 0 595.28 841.89]');
  });

  it('gives the same bytes for the same document, and different bytes for a different one', async () => {
    const first = await renderPdf(meta, draw('Ann Lee'));
    const second = await renderPdf(meta, draw('Ann Lee'));
    const other = await renderPdf(meta, draw('Ann Leigh'));
    expect(second.equals(first)).toBe(true);
    expect(other.equals(first)).toBe(false);
  });
});
