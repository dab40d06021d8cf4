import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import yauzl from 'yauzl';
import { createStaff, createToken, signIn, type SignedIn } from '../../admin/helpers';
import { buildEvent, person } from '../../support/factories';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../../support/payments';
import { pdfText } from '../../support/pdf-text';
import { manageToken } from '../../../src/lib/links';
import { confirmThroughReview, csvRecords, paidBooking, pence, sumOf } from '../support';

let t: PaymentsTestApp;
let treasurer: SignedIn;
let token: string;
let organiserToken: string;

beforeAll(async () => {
  t = await startPaymentsTestApp({ env: { INVOICE_ACCOUNT_NAME: 'Health Statistics User Group', INVOICE_SORT_CODE: '12-34-56', INVOICE_ACCOUNT_NUMBER: '12345678', ORG_ADDRESS: '12 Errol Street, London EC1Y 8LX' } });
  const staff = await createStaff(t, 'treasurer');
  treasurer = await signIn(t.server, staff.email);
  token = await createToken(t, staff.id);
  organiserToken = await createToken(t, (await createStaff(t, 'organiser')).id);
});
afterAll(async () => {
  await t.close();
});

const flat = (text: string) => text.replace(/\s+/g, ' ');
let counter = 0;

/** A £95 seminar that takes invoices (the policy keeps £10 before 10 March). */
const seminar = (title = `Documents seminar ${++counter}`) => buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 9500 }]), title });

async function bookByInvoice(event: { slug: string; ticketTypeIds: number[] }, names: string[], billingEmail = 'ap@trust.nhs.test') {
  const buyer = { ...person(names[0]), organisation: 'NHS Test Trust' };
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .send({ buyer, items: names.map((n) => ({ ticketTypeId: event.ticketTypeIds[0], attendee: person(n) })), paymentMethod: 'invoice', purchaseOrder: 'PO-4242', billingContact: 'Accounts Payable', billingEmail, billingAddress: 'Finance Office\n1 Trust Way\nLeeds LS1 4AP' });
  if (res.status !== 201) throw new Error(`invoice booking failed: ${res.status} ${JSON.stringify(res.body)}`);
  const row = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
  return { reference: row.reference as string, bookingId: Number(row.id), manageUrl: res.body.booking.manageUrl as string, buyer };
}

const mailsTo = (address: string) => t.smtp.messages.filter((m: ParsedMail) => JSON.stringify(m.to).toLowerCase().includes(address.toLowerCase()));
const pdfsOf = (m: ParsedMail) => m.attachments.filter((a) => a.contentType === 'application/pdf');

async function documentsOf(bookingId: number) {
  return t.db('finance_documents').where({ booking_id: bookingId }).orderBy('id').select('id', 'kind', 'number', 'amount', 'credits_document_id');
}

function unzip(buffer: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error ?? new Error('no zip'));
      const files = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(files));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const binary = (res: request.Response, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

describe('invoices in their own email, to the buyer and the billing contact', () => {
  it('when an invoice booking is made, then the buyer and the billing contact each get an email with the invoice PDF, and the invitation carries no attachment', async () => {
    const event = await seminar('Seminar: survival analysis');
    const { reference, bookingId, buyer } = await bookByInvoice(event, ['docs-buyer', 'docs-guest']);
    await t.sendMail();
    const [invoice] = await documentsOf(bookingId);
    expect(invoice).toMatchObject({ kind: 'invoice', amount: 19000 });

    const toBuyer = mailsTo(buyer.email);
    const invoiceMail = toBuyer.find((m) => m.subject === `Invoice ${invoice.number} (PO PO-4242): Seminar: survival analysis`)!;
    expect(pdfsOf(invoiceMail).map((a) => a.filename)).toEqual([`invoice-${invoice.number}.pdf`]);
    expect(invoiceMail.text).toContain(`Invoice ${invoice.number} is for £190.00, due by 1 April 2026. Please quote ${invoice.number} as the payment reference`);
    const text = flat((await pdfText(pdfsOf(invoiceMail)[0].content)).text);
    expect(text).toContain(`Payment reference: ${invoice.number}`);
    expect(text).toContain('Purchase order: PO-4242');

    // The confirmation with the calendar invitation has no attachment besides the invitation, and says the invoice follows.
    const confirmation = toBuyer.find((m) => m.subject?.startsWith("You're booked"))!;
    expect(confirmation.subject).toContain(`(invoice to follow for ${reference})`);
    expect(confirmation.attachments.filter((a) => a.contentType !== 'text/calendar' && a.contentType !== 'application/ics')).toEqual([]);
    expect(confirmation.text).toContain('The invoice itself, with its number, due date and our bank details, comes in a separate email');
    for (const mail of [...toBuyer, ...mailsTo(person('docs-guest').email)].filter((m) => m.attachments.some((a) => /calendar|ics/.test(a.contentType)))) {
      expect(pdfsOf(mail)).toEqual([]);
    }

    const toBilling = mailsTo('ap@trust.nhs.test').filter((m) => m.subject?.includes(invoice.number));
    expect(toBilling).toHaveLength(1);
    expect(pdfsOf(toBilling[0])).toHaveLength(1);
    expect(toBilling[0].text).toContain('Dear Accounts Payable');
    // The accounts contact gets the document and the invoice's pay-only link (issue 11, "pay by card instead"), never
    // the booking's private link: no manage token, and only pay-invoice links carry a token.
    expect(toBilling[0].text).not.toContain(manageToken(t.config, reference));
    expect((toBilling[0].text ?? '').match(/\S*token=\S*/g)?.every((link) => link.includes(`/bookings/${reference}/pay-invoice?token=`))).toBe(true);

    // Sent once: sending again sends nothing more.
    const before = t.smtp.messages.length;
    await t.sendMail();
    expect(t.smtp.messages.length).toBe(before);
  });

  it('when the billing email is the buyer’s own, then the invoice goes once', async () => {
    const event = await seminar();
    const { bookingId, buyer } = await bookByInvoice(event, ['docs-self'], person('docs-self').email.toUpperCase());
    await t.sendMail();
    const [invoice] = await documentsOf(bookingId);
    expect(mailsTo(buyer.email).filter((m) => m.subject?.startsWith(`Invoice ${invoice.number}`))).toHaveLength(1);
  });

  it('when an invoice booking lacks the PO, the billing email and the billing address, then 422 names each and nothing is issued', async () => {
    const event = await seminar();
    const p = person('docs-missing');
    const before = await t.db('finance_documents').count({ n: '*' }).first();
    const res = await request(t.baseUrl)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer: { ...p, organisation: 'NHS Test Trust' }, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: p }], paymentMethod: 'invoice' });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['purchaseOrder', 'billingEmail', 'billingAddress']);
    expect(await t.db('finance_documents').count({ n: '*' }).first()).toEqual(before);
  });

  it('when the booking form is sent by invoice without them, then each is marked beside its field and everything typed is kept', async () => {
    const event = await seminar();
    const res = await request(t.baseUrl)
      .post(`/events/${event.slug}/book`)
      .type('form')
      .send({ buyer_name: 'Ada Lovelace', buyer_email: 'ada.docs@example.org', buyer_organisation: 'NHS Test Trust', seat_0_type: String(event.ticketTypeIds[0]), seat_0_price: '9500', seat_0_name: '', seat_0_email: '', payment_method: 'invoice', purchase_order: '', billing_contact: 'Ledgers Team', billing_email: '', billing_address: '' });
    expect(res.status).toBe(422);
    for (const field of ['purchase_order', 'billing_email', 'billing_address']) expect(res.text).toMatch(new RegExp(`id="field-${field}"[^>]*aria-invalid="true"`));
    expect(res.text).toContain('Enter the purchase order number');
    expect(res.text).toContain('Enter the billing email address the invoice should go to');
    expect(res.text).toContain('Enter the billing postal address for the invoice');
    expect(res.text).toContain('value="Ledgers Team"');
    expect(res.text).toContain('value="Ada Lovelace"');
  });
});

describe('where the buyer and the treasurer get documents', () => {
  it('when the buyer opens the manage page, then the invoice downloads through the private link, byte for byte the same each time; a wrong token or another booking’s number is 404', async () => {
    const event = await seminar();
    const mine = await bookByInvoice(event, ['docs-manage']);
    const other = await bookByInvoice(event, ['docs-other']);
    const [invoice] = await documentsOf(mine.bookingId);
    const [otherInvoice] = await documentsOf(other.bookingId);
    const manageToken = new URL(mine.manageUrl).searchParams.get('token')!;
    const page = await request(t.server).get(`/bookings/${mine.reference}?token=${manageToken}`).expect(200);
    const href = `/bookings/${mine.reference}/documents/${invoice.number}.pdf?token=${manageToken}`;
    // Handlebars writes = as &#x3D; in attributes; a browser reads it back as =.
    expect(page.text.replace(/&#x3D;/g, '=')).toContain(`href="${href}"`);
    expect(page.text).toContain(`Download Invoice ${invoice.number} (PDF)`);
    const first = await request(t.server).get(href).buffer(true).parse(binary).expect(200);
    const second = await request(t.server).get(href).buffer(true).parse(binary).expect(200);
    expect(first.headers['content-type']).toBe('application/pdf');
    expect(first.headers['cache-control']).toBe('no-store');
    expect((first.body as Buffer).equals(second.body as Buffer)).toBe(true);
    expect(flat((await pdfText(first.body as Buffer)).text)).toContain(`Invoice ${invoice.number}`);
    await request(t.server).get(`/bookings/${mine.reference}/documents/${invoice.number}.pdf?token=${'x'.repeat(43)}`).expect(404);
    await request(t.server).get(`/bookings/${mine.reference}/documents/${otherInvoice.number}.pdf?token=${manageToken}`).expect(404);
  });

  it('when seats are cancelled and the rest is paid, then credit notes credit the invoice, a receipt is issued, invoice − credit notes = the ledger’s net to the penny, and every list agrees', async () => {
    const event = await seminar('Seminar: credit notes');
    const { reference, bookingId } = await bookByInvoice(event, ['docs-cn-a', 'docs-cn-b', 'docs-cn-c']);
    const seats = await t.db('attendees').where({ booking_id: bookingId }).orderBy('id').select('id');
    // Staff cancel one place under the policy (£95 − £10 fee = £85 credited).
    const cancelled = await request(t.server).post(`/api/v1/admin/bookings/${reference}/cancel`).set('Authorization', `Bearer ${organiserToken}`).send({ attendeeIds: [seats[2].id], refund: 'policy' });
    expect(cancelled.status).toBe(200);
    const [invoice, creditNote] = await documentsOf(bookingId);
    expect(creditNote).toMatchObject({ kind: 'credit_note', amount: 8500, credits_document_id: invoice.id });
    expect(creditNote.number).toMatch(/^HSUG-CN-2025-\d{4}$/);
    await t.sendMail();
    const cnMails = t.smtp.messages.filter((m) => m.subject?.startsWith(`Credit note ${creditNote.number}`));
    expect(cnMails.map((m) => (m.to as { value: Array<{ address: string }> }).value[0].address).sort()).toEqual(['ap@trust.nhs.test', person('docs-cn-a').email].sort());
    const cnText = flat((await pdfText(pdfsOf(cnMails[0])[0].content)).text);
    expect(cnText).toContain(`Credit note ${creditNote.number}`);
    expect(cnText).toContain(`Credits invoice ${invoice.number} of 2 March 2026`);
    expect(cnText).toContain('Purchase order: PO-4242');
    expect(cnText).toContain('Attendee docs-cn-c Standard 1 £95.00 £95.00');
    expect(cnText).toContain('Cancellation fee kept under the refund policy 1 -£10.00 -£10.00');
    expect(cnText).toContain('Total credited: £85.00');
    // The notice of the credit says what is still due, to be paid quoting the invoice's own number.
    const notice = t.smtp.messages.find((m) => m.subject === `Invoice credited for booking ${reference}: Seminar: credit notes`)!;
    expect(notice.text).toContain(`£200.00 is still to be paid: please pay that amount, quoting invoice ${invoice.number}.`);

    // The treasurer records the rest (£285 − £85 = £200) by bank transfer: the invoice is paid, and a receipt is issued.
    const paid = await confirmThroughReview(treasurer.agent, `/admin/finance/bookings/${reference}/invoice-payment`, { _csrf: treasurer.csrf, paidOn: '2026-03-02', amount: '200.00', bankReference: 'BACS 778' });
    expect(paid.done.status).toBe(303);
    const docs = await documentsOf(bookingId);
    const receipt = docs.find((d) => d.kind === 'receipt')!;
    expect(receipt).toMatchObject({ amount: 20000 });
    await t.sendMail();
    const receiptMail = t.smtp.messages.find((m) => m.subject?.startsWith(`Receipt ${receipt.number}`))!;
    const receiptText = flat((await pdfText(pdfsOf(receiptMail)[0].content)).text);
    expect(receiptText).toContain(`Less credit note ${creditNote.number} 1 -£85.00 -£85.00`);
    expect(receiptText).toContain('Paid £200.00 by bank transfer on 2 March 2026. Bank reference: BACS 778');

    // Invoice − credit notes = what the ledger says came in for the booking, to the penny.
    const csv = await request(t.server).get('/api/v1/admin/finance/payments.csv?from=2025-04-01&to=2026-03-31').set('Authorization', `Bearer ${token}`).expect(200);
    const rows = csvRecords(csv.text).filter((r) => r['Booking reference'] === reference);
    expect(sumOf(rows, (r) => pence(r.Net))).toBe(invoice.amount - creditNote.amount);
    expect(rows[0].Documents).toBe(`${invoice.number} ${receipt.number}`);

    // The treasurer's lists: the booking's finance page, the year's documents, the API and the ZIP.
    const financePage = await treasurer.agent.get(`/admin/finance/bookings/${reference}`).expect(200);
    for (const d of docs) expect(financePage.text).toContain(`href="/admin/finance/documents/${d.number}.pdf"`);
    const list = await treasurer.agent.get('/admin/finance/documents?year=2025').expect(200);
    const invoiceRow = list.text.split('<tr').find((r) => r.includes(`>${invoice.number}</a>`))!;
    expect(invoiceRow).toContain('Paid');
    expect(invoiceRow).toContain('credited £85.00');
    const api = await request(t.server).get('/api/v1/admin/finance/documents?year=2025').set('Authorization', `Bearer ${token}`).expect(200);
    expect(api.body.documents.find((d: { number: string }) => d.number === invoice.number)).toMatchObject({ kind: 'invoice', gross: 28500, credited: 8500, paid: 20000, outstanding: 0, overpaid: 0, status: 'paid', purchaseOrder: 'PO-4242' });
    const pdf = await request(t.server).get(`/api/v1/admin/finance/documents/${receipt.number}.pdf`).set('Authorization', `Bearer ${token}`).buffer(true).parse(binary).expect(200);
    expect(flat((await pdfText(pdf.body as Buffer)).text)).toContain(`Receipt ${receipt.number}`);
    const zip = await treasurer.agent.get('/admin/finance/documents/year/2025.zip').buffer(true).parse(binary).expect(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const files = await unzip(zip.body as Buffer);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['documents.csv', `invoices/invoice-${invoice.number}.pdf`, `credit-notes/credit-note-${creditNote.number}.pdf`, `receipts/receipt-${receipt.number}.pdf`]));
    expect(files.get(`invoices/invoice-${invoice.number}.pdf`)!.equals(await request(t.server).get(`/api/v1/admin/finance/documents/${invoice.number}.pdf`).set('Authorization', `Bearer ${token}`).buffer(true).parse(binary).then((r) => r.body as Buffer))).toBe(true);
    expect(csvRecords(files.get('documents.csv')!.toString('utf8')).find((r) => r.Number === invoice.number)).toMatchObject({ Status: 'Paid', Gross: '285.00', Outstanding: '0.00' });
    // Staff without finance:read cannot list them.
    await request(t.server).get('/api/v1/admin/finance/documents').set('Authorization', `Bearer ${organiserToken}`).expect(403);
  });

  it('when a card payment is made and refunded, then a receipt with the Stripe payment reference and a credit note crediting it are issued and emailed', async () => {
    const event = await seminar('Seminar: card receipts');
    const booking = await paidBooking(t, event, 2);
    const [receipt] = await documentsOf(booking.bookingId);
    expect(receipt).toMatchObject({ kind: 'receipt', amount: 19000 });
    expect(receipt.number).toMatch(/^HSUG-R-2025-\d{4}$/);
    await t.sendMail();
    const mail = mailsTo(booking.buyerEmail).find((m) => m.subject?.startsWith(`Receipt ${receipt.number}`))!;
    const text = flat((await pdfText(pdfsOf(mail)[0].content)).text);
    expect(text).toContain(`Paid £190.00 by card on 2 March 2026. Stripe payment reference: ${booking.paymentIntentId}`);
    expect(text).toContain('Total: £190.00 No VAT is charged.');

    const refund = await request(t.server).post(`/api/v1/admin/bookings/${booking.reference}/cancel`).set('Authorization', `Bearer ${token}`).send({ refund: 'full' });
    expect(refund.status).toBe(200);
    await t.sandbox.flush();
    // The refund goes to Stripe by the refunds job; the credit note is issued once Stripe has taken it.
    for (let i = 0; i < 20 && (await documentsOf(booking.bookingId)).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await t.sandbox.flush();
    }
    const [, creditNote] = await documentsOf(booking.bookingId);
    expect(creditNote).toMatchObject({ kind: 'credit_note', amount: 19000, credits_document_id: receipt.id });
    await t.sendMail();
    const cnMail = mailsTo(booking.buyerEmail).find((m) => m.subject?.startsWith(`Credit note ${creditNote.number}`))!;
    expect(flat((await pdfText(pdfsOf(cnMail)[0].content)).text)).toContain(`Credits receipt ${receipt.number}`);
  });

  it('when the buyer’s personal data is removed later, then the invoice still shows the name and address as issued', async () => {
    const event = await seminar();
    const { bookingId, reference } = await bookByInvoice(event, ['docs-purged']);
    await t.db('bookings').where({ id: bookingId }).update({ buyer_name: 'Removed', buyer_organisation: null, billing_contact: null, billing_email: null, billing_address: null });
    const [invoice] = await documentsOf(bookingId);
    const pdf = await request(t.server).get(`/api/v1/admin/finance/documents/${invoice.number}.pdf`).set('Authorization', `Bearer ${token}`).buffer(true).parse(binary).expect(200);
    const text = flat((await pdfText(pdf.body as Buffer)).text);
    expect(text).toContain('NHS Test Trust For the attention of Accounts Payable Finance Office 1 Trust Way Leeds LS1 4AP ap@trust.nhs.test');
    expect(text).toContain(`Booking reference: ${reference}`);
  });
});
