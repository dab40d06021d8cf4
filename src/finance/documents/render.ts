import { vatRateLabel } from '../../events/terms';
import { formatMoney } from '../../lib/money';
import { addBlock, renderPdf } from '../../lib/pdf';
import type { DocumentSnapshot } from './snapshot';

/**
 * A finance document as a PDF, from its snapshot alone (so the same document gives the same bytes every time): A4,
 * tagged, in reading order: the title, who issued it, to whom, its references, the lines as a table, the totals, then
 * how to pay (an invoice), what was paid (a receipt) or what it credits (a credit note), and the price basis.
 */

export const KIND_TITLES: Record<DocumentSnapshot['kind'], string> = { invoice: 'Invoice', receipt: 'Receipt', credit_note: 'Credit note' };

const LEFT = 56;
const RIGHT = 595.28 - 56;
const WIDTH = RIGHT - LEFT;
const BOTTOM = 841.89 - 70;

export function documentFileName(snapshot: Pick<DocumentSnapshot, 'kind' | 'number'>): string {
  return `${KIND_TITLES[snapshot.kind].toLowerCase().replace(' ', '-')}-${snapshot.number}.pdf`;
}

export function renderDocumentPdf(s: DocumentSnapshot): Promise<Buffer> {
  const title = `${KIND_TITLES[s.kind]} ${s.number}`;
  return renderPdf({ title, author: s.issuer.name, subject: `${title}: booking ${s.booking.reference}, ${s.booking.event}`, lang: 'en-GB', createdAt: new Date(s.issuedAt) }, (doc) => drawDocument(doc, s));
}

function drawDocument(doc: PDFKit.PDFDocument, s: DocumentSnapshot): void {
  const money = (n: number) => formatMoney(n, s.currency);
  const hasVat = s.vatRate !== null;
  let y = 56;
  const para = (tag: 'H1' | 'H2' | 'P', lines: string[], options: { size?: number; bold?: boolean; x?: number; width?: number; gap?: number; link?: string } = {}) => {
    if (lines.length === 0) return;
    const size = options.size ?? 10;
    const x = options.x ?? LEFT;
    const width = options.width ?? WIDTH;
    const height = lines.reduce((h, l) => h + doc.font(options.bold ? 'bold' : 'regular').fontSize(size).heightOfString(l, { width }), 0);
    if (y + height > BOTTOM) y = continuedPage(doc, s);
    addBlock(doc, tag, () => {
      doc.font(options.bold ? 'bold' : 'regular').fontSize(size).fillColor('#000000');
      doc.text(lines.join('\n'), x, y, { width, ...(options.link ? { link: options.link, underline: true } : {}) });
    });
    y += height + (options.gap ?? 10);
  };

  // Title, and who issued it.
  para('H1', [title(s)], { size: 20, bold: true, gap: 4 });
  para('P', [s.issuer.name, ...s.issuer.address, s.issuer.email, ...(s.issuer.vatNumber ? [`VAT registration number: ${s.issuer.vatNumber}`] : [])], { gap: 14 });

  // To whom: an invoice and a credit note are addressed to the organisation's billing address; a receipt to the buyer.
  para('H2', [s.kind === 'receipt' ? 'Received from' : 'Bill to'], { size: 12, bold: true, gap: 2 });
  const to = [
    ...(s.customer.organisation ? [s.customer.organisation] : []),
    s.customer.billingContact ? `For the attention of ${s.customer.billingContact}` : s.customer.name,
    ...s.customer.address,
    s.customer.billingEmail ?? s.customer.email,
  ];
  para('P', to, { gap: 14 });

  // References, as a list of label: value lines.
  para('H2', ['Details'], { size: 12, bold: true, gap: 2 });
  const refs = [
    `${KIND_TITLES[s.kind]} number: ${s.number}`,
    `${s.kind === 'invoice' ? 'Invoice date (tax point)' : 'Date of issue'}: ${s.issueDate}`,
    ...(s.dueDate ? [`Due date: ${s.dueDate} (${s.termsDays === 0 ? 'due on receipt' : `${s.termsDays} days`})`] : []),
    `Purchase order: ${s.booking.purchaseOrder ?? 'none given'}`,
    ...(s.booking.discountCode ? [`Discount code: ${s.booking.discountCode}`] : []),
    `Booking reference: ${s.booking.reference}`,
    `Event: ${s.booking.event}, ${s.booking.eventDate}`,
    ...(s.credits ? [`Credits ${KIND_TITLES[s.credits.kind].toLowerCase()} ${s.credits.number} of ${s.credits.issueDate}`] : []),
    ...(s.reason ? [`Reason: ${s.reason}`] : []),
  ];
  para('P', refs, { gap: 14 });

  // The lines.
  para('H2', [s.kind === 'credit_note' ? 'Lines credited' : 'Lines'], { size: 12, bold: true, gap: 4 });
  y = drawLines(doc, s, y, money, hasVat) + 8;

  // Totals.
  const totals = hasVat
    ? [`Net: ${money(s.totals.net)}`, `VAT at ${vatRateLabel(s.vatRate!)}: ${money(s.totals.vat)}`, `${s.kind === 'credit_note' ? 'Total credited' : 'Total'} (gross): ${money(s.totals.gross)}`]
    : [`${s.kind === 'credit_note' ? 'Total credited' : 'Total'}: ${money(s.totals.gross)}`, 'No VAT is charged.'];
  para('P', totals, { bold: true, gap: 14 });

  if (s.kind === 'invoice') {
    para('H2', ['How to pay'], { size: 12, bold: true, gap: 2 });
    if (s.bank) {
      para('P', [
        `Please pay ${money(s.totals.gross)} by ${s.dueDate} by bank transfer to:`,
        `Account name: ${s.bank.accountName}`,
        `Sort code: ${s.bank.sortCode}`,
        `Account number: ${s.bank.accountNumber}`,
        `Payment reference: ${s.number}`,
        'Please quote the invoice number as the payment reference so that we can match your payment.',
      ]);
    } else {
      para('P', [`Please pay ${money(s.totals.gross)} by ${s.dueDate}. For our bank details write to ${s.issuer.email}, and quote ${s.number} as the payment reference.`]);
    }
    if (s.payByCardUrl) {
      para('H2', ['Pay by card instead'], { size: 12, bold: true, gap: 2 });
      para('P', [`Or pay what is still outstanding by card at:`], { gap: 2 });
      para('P', [s.payByCardUrl], { link: s.payByCardUrl, size: 8 });
    }
  }
  if (s.kind === 'receipt' && s.payment) {
    para('H2', ['Payment received'], { size: 12, bold: true, gap: 2 });
    const how = s.payment.method === 'card' ? 'by card' : 'by bank transfer';
    para('P', [
      `Paid ${money(s.payment.amount)} ${how} on ${s.payment.paidOn}.`,
      ...(s.payment.reference ? [`${s.payment.method === 'card' ? 'Stripe payment reference' : 'Bank reference'}: ${s.payment.reference}`] : []),
      'Nothing is owed for these lines.',
    ]);
  }
  if (s.kind === 'credit_note') {
    para('P', [s.credits ? `This credit note reduces what ${KIND_TITLES[s.credits.kind].toLowerCase()} ${s.credits.number} asks for, or records money given back, by ${money(s.totals.gross)}.` : `This credit note records ${money(s.totals.gross)} given back.`]);
  }
  para('P', [s.priceBasis, `Questions: ${s.issuer.email}, quoting ${s.number}.`], { size: 9 });
}

/** A new page starts with the document's title as an artifact, so a loose second page still says whose it is. */
function continuedPage(doc: PDFKit.PDFDocument, s: DocumentSnapshot): number {
  doc.addPage();
  doc.markContent('Artifact', { type: 'Pagination' });
  doc.font('regular').fontSize(9).fillColor('#555555').text(`${title(s)} (continued), booking ${s.booking.reference}`, LEFT, 40, { width: WIDTH });
  doc.endMarkedContent();
  return 60;
}

function title(s: DocumentSnapshot): string {
  return `${KIND_TITLES[s.kind]} ${s.number}`;
}

/** The lines as a tagged table (Table > TR > TH/TD), a page break repeating the header row. Returns the y below it. */
function drawLines(doc: PDFKit.PDFDocument, s: DocumentSnapshot, top: number, money: (n: number) => string, hasVat: boolean): number {
  // Columns: a Discount column only when a discount code took something off (issue 18), VAT columns only with VAT.
  const hasDiscount = s.lines.some((l) => l.discount !== 0);
  type Column = { head: string; weight: number; align: 'left' | 'right'; cell: (l: DocumentSnapshot['lines'][number]) => string };
  const all: Array<Column | false> = [
    { head: 'Description', weight: 26, align: 'left', cell: (l) => l.description },
    { head: 'Ticket type', weight: 17, align: 'left', cell: (l) => l.ticketType ?? '' },
    { head: 'Qty', weight: 6, align: 'right', cell: (l) => String(l.quantity) },
    { head: 'Unit price', weight: 13, align: 'right', cell: (l) => money(l.unitPrice) },
    hasDiscount && { head: 'Discount', weight: 12, align: 'right', cell: (l) => (l.discount ? money(-l.discount) : '') },
    hasVat && { head: 'Net', weight: 12, align: 'right', cell: (l) => money(l.net) },
    hasVat && { head: 'VAT', weight: 11, align: 'right', cell: (l) => money(l.vat) },
    { head: 'Line total', weight: 14, align: 'right', cell: (l) => money(l.gross) },
  ];
  const chosen = all.filter((c): c is Column => c !== false);
  const totalWeight = chosen.reduce((sum, c) => sum + c.weight, 0);
  const columns = chosen.map((c) => ({ ...c, width: c.weight / totalWeight }));
  const cellsOf = (l: DocumentSnapshot['lines'][number]) => columns.map((c) => c.cell(l));
  let y = top;
  const rowHeight = (cells: string[], font: string) => Math.max(...cells.map((c, i) => doc.font(font).fontSize(9).heightOfString(c || ' ', { width: (i === 0 && cells[1] === '' ? columns[0].width + columns[1].width : columns[i].width) * WIDTH - 6 }))) + 6;
  // Cells are drawn when their row is added to the table (pdfkit runs a structure element's drawing when it is attached).
  let table: PDFKit.PDFStructureElement;
  // A line that is not a place (a fee kept, a credit note taken off) has no ticket type: its description takes both cells.
  const widthOf = (cells: string[], i: number) => (i === 0 && cells[1] === '' ? columns[0].width + columns[1].width : columns[i].width) * WIDTH;
  const row = (cells: string[], isHead: boolean) => {
    const font = isHead ? 'bold' : 'regular';
    const height = rowHeight(cells, font);
    let x = LEFT;
    const tr = doc.struct('TR');
    cells.forEach((cell, i) => {
      const cellX = x;
      const width = widthOf(cells, i);
      tr.add(
        doc.struct(isHead ? 'TH' : 'TD', {}, [
          () => {
            doc.font(font).fontSize(9).fillColor('#000000');
            doc.text(cell, cellX + 3, y + 3, { width: width - 6, align: columns[i].align });
          },
        ]),
      );
      x += columns[i].width * WIDTH;
    });
    table.add(tr);
    tr.end();
    // The rule under a row is decoration, not content: an artifact, outside the structure.
    doc.markContent('Artifact', { type: 'Layout' });
    doc.moveTo(LEFT, y + height).lineTo(RIGHT, y + height).lineWidth(isHead ? 1 : 0.5).strokeColor('#555555').stroke();
    doc.endMarkedContent();
    y += height;
  };
  table = doc.struct('Table');
  doc.addStructure(table);
  row(columns.map((c) => c.head), true);
  for (const line of s.lines) {
    if (y + rowHeight(cellsOf(line), 'regular') > BOTTOM) {
      table.end();
      y = continuedPage(doc, s);
      table = doc.struct('Table');
      doc.addStructure(table);
      row(columns.map((c) => c.head), true);
    }
    row(cellsOf(line), false);
  }
  table.end();
  return y;
}
