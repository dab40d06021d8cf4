import request from 'supertest';
import { applyRetention } from '../../src/privacy/retention';
import { createStaff, createToken } from '../admin/helpers';
import { financeEvent, invoiceBooking, paidBooking } from '../finance/support';
import { pdfText } from '../support/pdf-text';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * Issue 17's retention applied to issue 11's documents, with a fixed clock: an invoice or receipt stays exactly as
 * issued for RETENTION_FINANCE_YEARS (6) after the end of its financial year; then the names, emails and addresses in
 * it are replaced by the markers, every figure and reference stays byte for byte, and it still downloads as a PDF.
 */

let t: PaymentsTestApp;
let token: string;

beforeEach(async () => {
  t = await startPaymentsTestApp();
  token = await createToken(t, (await createStaff(t, 'admin')).id);
});
afterEach(async () => {
  await t.close();
});

type Snapshot = { customer: Record<string, unknown>; lines: Array<Record<string, unknown>> } & Record<string, unknown>;
const snapshots = async () => new Map((await t.db('finance_documents').orderBy('id').select('number', 'snapshot')).map((r: { number: string; snapshot: string }) => [r.number, String(r.snapshot)]));

async function pdfOf(number: string): Promise<string> {
  const res = await request(t.baseUrl).get(`/api/v1/admin/finance/documents/${number}.pdf`).set('Authorization', `Bearer ${token}`).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  expect(res.status).toBe(200);
  return (await pdfText(res.body as Buffer)).text;
}

it('when six years have passed after the end of the financial year, then the personal details in its documents are replaced and every figure and reference stays byte for byte; before that the documents are as issued', async () => {
  // Issued in March 2026: financial year 2025 (1 April 2025 to 31 March 2026).
  const seminar = await financeEvent(t);
  const card = await paidBooking(t, seminar);
  const invoice = await invoiceBooking(t, seminar);
  const issued = await snapshots();
  const invoiceNumber = (await t.db('finance_documents').where({ kind: 'invoice' }).first('number')).number as string;
  const receiptNumber = (await t.db('finance_documents').where({ kind: 'receipt' }).first('number')).number as string;
  expect(issued.size).toBe(2);
  const issuedInvoice = JSON.parse(issued.get(invoiceNumber)!) as Snapshot;
  expect(issuedInvoice.customer).toMatchObject({ billingEmail: 'ap@nhs.test', address: ['1 Trust Way', 'Leeds LS1 4AP'] });

  // The day before the period ends: contacts have gone from the bookings, but the documents are tax records.
  t.clock.set('2032-03-31T12:00:00Z');
  expect((await applyRetention(t.db, t.clock.now(), t.config.retention)).financeDocuments).toBe(0);
  expect(await snapshots()).toEqual(issued);

  t.clock.set('2032-04-01T12:00:00Z');
  expect((await applyRetention(t.db, t.clock.now(), t.config.retention)).financeDocuments).toBe(2);
  const after = await snapshots();
  for (const [number, json] of issued) {
    const before = JSON.parse(json) as Snapshot;
    const now = JSON.parse(after.get(number)!) as Snapshot;
    // Everything but the customer and the lines' descriptions is the same text.
    expect(JSON.stringify({ ...now, customer: null, lines: null })).toBe(JSON.stringify({ ...before, customer: null, lines: null }));
    expect(now.lines.map((l) => ({ ...l, description: null }))).toEqual(before.lines.map((l) => ({ ...l, description: null })));
    expect(now.customer.name).toBe('Removed');
    expect(now.customer.email).toMatch(/^removed-document-\d+@removed\.invalid$/);
    expect(after.get(number)).not.toContain('@example');
  }
  const scrubbedInvoice = JSON.parse(after.get(invoiceNumber)!) as Snapshot;
  expect(scrubbedInvoice.customer).toMatchObject({ organisation: 'Removed', billingContact: 'Removed', address: ['Removed'] });
  expect(after.get(invoiceNumber)).not.toMatch(/nhs\.test|Trust Way|Leeds/);
  expect(scrubbedInvoice.lines.filter((l) => l.ticketType !== null).every((l) => l.description === 'Removed')).toBe(true);
  expect((scrubbedInvoice.booking as Record<string, unknown>).purchaseOrder).toBe('PO-1');
  expect((scrubbedInvoice.booking as Record<string, unknown>).reference).toBe(invoice.reference);
  expect(Number((await t.db('finance_documents').whereNull('personal_data_removed_at').count({ n: '*' }))[0].n)).toBe(0);

  // A re-download still renders: the number, the figures, the purchase order, and no one's name or address.
  const text = await pdfOf(invoiceNumber);
  expect(text).toContain(invoiceNumber);
  expect(text).toContain('PO-1');
  expect(text).toContain('£95.00');
  expect(text).toContain('Removed');
  expect(text).not.toMatch(/Trust Way|ap@nhs\.test|Accounts/);
  const receipt = await pdfOf(receiptNumber);
  expect(receipt).toContain(card.reference);
  expect(receipt).not.toContain(card.buyerEmail);

  // A second run changes nothing more.
  expect((await applyRetention(t.db, t.clock.now(), t.config.retention)).financeDocuments).toBe(0);
  expect(await snapshots()).toEqual(after);
});
