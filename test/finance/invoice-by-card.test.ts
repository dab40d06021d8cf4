import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { createStaff, createToken, signIn, type SignedIn } from '../admin/helpers';
import { invoicePayToken } from '../../src/lib/links';
import { person } from '../support/factories';
import { sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { pdfText } from '../support/pdf-text';
import { confirmThroughReview, csvRecords, financeEvent, pence, stripeBalance, sync } from './support';

/**
 * Issue 11, "pay by card instead": an invoice's outstanding amount paid by card through the sandbox's hosted checkout
 * and its signed webhooks, from the link on the invoice and on the booking's page.
 */

let t: PaymentsTestApp;
let treasurer: SignedIn;
let token: string;
let counter = 0;

beforeAll(async () => {
  t = await startPaymentsTestApp({ env: { INVOICE_ACCOUNT_NAME: 'Health Statistics User Group', INVOICE_SORT_CODE: '12-34-56', INVOICE_ACCOUNT_NUMBER: '12345678', ORG_ADDRESS: '12 Errol Street, London EC1Y 8LX' } });
  const staff = await createStaff(t, 'treasurer');
  treasurer = await signIn(t.server, staff.email);
  token = await createToken(t, staff.id);
});
afterAll(async () => {
  await t.close();
});

const flat = (text: string) => text.replace(/\s+/g, ' ');
const mailsTo = (address: string) => t.smtp.messages.filter((m: ParsedMail) => JSON.stringify(m.to).toLowerCase().includes(address.toLowerCase()));
const pdfsOf = (m: ParsedMail) => m.attachments.filter((a) => a.contentType === 'application/pdf');

async function bookByInvoice(places = 1) {
  const event = await financeEvent(t, `Card-instead seminar ${++counter}`);
  const names = Array.from({ length: places }, (_, i) => `card-inv-${counter}-${i}`);
  const buyer = { ...person(names[0]), organisation: 'NHS Test Trust' };
  const billingEmail = `ap-${counter}@trust.nhs.test`;
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .send({ buyer, items: names.map((n) => ({ ticketTypeId: event.ticketTypeIds[0], attendee: person(n) })), paymentMethod: 'invoice', purchaseOrder: 'PO-77', billingContact: 'Accounts Payable', billingEmail, billingAddress: '1 Trust Way\nLeeds LS1 4AP' });
  if (res.status !== 201) throw new Error(`invoice booking failed: ${res.status} ${JSON.stringify(res.body)}`);
  const reference = res.body.booking.reference as string;
  const row = await t.db('bookings').where({ reference }).first();
  const payPath = `/bookings/${reference}/pay-invoice?token=${invoicePayToken(t.ctx.config, reference)}`;
  return { event, reference, bookingId: Number(row.id), manageUrl: res.body.booking.manageUrl as string, buyer, billingEmail, payPath };
}

/** Posts the payment page's form and follows it to the sandbox's hosted checkout: the session id. */
async function startCardPayment(payPath: string): Promise<string> {
  const url = new URL(payPath, t.baseUrl);
  const res = await request(t.baseUrl).post(url.pathname).type('form').send({ token: url.searchParams.get('token') });
  expect(res.status).toBe(303);
  expect(res.headers.location).toMatch(/\/checkout\/cs_test_/);
  return sessionIdOf(res.headers.location);
}

async function invoiceStatusOf(reference: string) {
  const res = await request(t.server).get('/api/v1/admin/finance/documents?year=2025').set('Authorization', `Bearer ${token}`).expect(200);
  return res.body.documents.find((d: { bookingReference: string; kind: string }) => d.bookingReference === reference && d.kind === 'invoice');
}

async function recordBankPayment(reference: string, amount: string) {
  const { done } = await confirmThroughReview(treasurer.agent, `/admin/finance/bookings/${reference}/invoice-payment`, { _csrf: treasurer.csrf, paidOn: '2026-03-02', amount, bankReference: 'BACS 991' });
  expect(done.status).toBe(303);
}

describe('paying an invoice by card instead', () => {
  it('when an invoice is issued, then its PDF and its email carry the pay-by-card link, and the manage page offers it', async () => {
    const b = await bookByInvoice();
    await t.sendMail();
    const invoiceMail = mailsTo(b.billingEmail).find((m) => m.subject?.startsWith('Invoice HSUG-'))!;
    expect(invoiceMail.text).toContain(`Or pay £95.00 by card instead: ${t.baseUrl}${b.payPath}`);
    const text = flat((await pdfText(pdfsOf(invoiceMail)[0].content)).text);
    expect(text).toContain('Pay by card instead');
    expect(text.replace(/ /g, '')).toContain(`${t.baseUrl}${b.payPath}`);
    // The billing contact's link pays; it does not manage the booking.
    await request(t.baseUrl).get(`/bookings/${b.reference}?token=${invoicePayToken(t.ctx.config, b.reference)}`).expect(404);

    const manage = await request(t.baseUrl).get(new URL(b.manageUrl).pathname + new URL(b.manageUrl).search).expect(200);
    expect(manage.text).toContain('Pay £95.00 by card instead');
  });

  it('when the payer pays the whole invoice by card, then one card payment is recorded against it, the invoice is paid with its receipt, and a replayed webhook changes nothing', async () => {
    const b = await bookByInvoice(2);
    const seatsBefore = await t.db('attendees').where({ booking_id: b.bookingId }).select('id', 'status').orderBy('id');
    const page = await request(t.baseUrl).get(b.payPath).expect(200);
    expect(page.text).toContain('Pay £190.00 by card instead');

    const sessionId = await startCardPayment(b.payPath);
    const ours = await t.db('checkout_sessions').where({ stripe_checkout_session_id: sessionId }).first();
    expect(ours).toMatchObject({ booking_id: b.bookingId, purpose: 'invoice' });
    const session = await t.stripe.checkout.sessions.retrieve(sessionId);
    expect(session.amount_total).toBe(19000);
    expect(session.metadata).toMatchObject({ booking_id: String(b.bookingId), purpose: 'invoice' });

    t.sandbox.pay(sessionId);
    await t.sandbox.flush();
    const replayed = t.sandbox.events().filter((e) => JSON.stringify(e.data.object).includes(sessionId));
    expect(replayed.map((e) => e.type)).toContain('checkout.session.completed');
    for (const e of replayed) t.sandbox.resendEvent(e.id);
    await t.sandbox.flush();
    expect(await t.db('stripe_events').whereIn('id', replayed.map((e) => e.id))).toHaveLength(replayed.length);

    const payments = await t.db('payments').where({ booking_id: b.bookingId });
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ method: 'card', amount: 19000, status: 'succeeded' });
    const booking = await t.db('bookings').where({ id: b.bookingId }).first();
    expect(booking).toMatchObject({ status: 'confirmed', payment_method: 'invoice', invoice_status: 'paid', refunded_total: 0 });
    expect(await t.db('attendees').where({ booking_id: b.bookingId }).select('id', 'status').orderBy('id')).toEqual(seatsBefore);
    expect(await invoiceStatusOf(b.reference)).toMatchObject({ status: 'paid', paid: 19000, outstanding: 0, overpaid: 0 });

    const receipts = await t.db('finance_documents').where({ booking_id: b.bookingId, kind: 'receipt' });
    expect(receipts).toHaveLength(1);
    await t.sendMail();
    const receiptMail = mailsTo(b.buyer.email).find((m) => m.subject?.startsWith('Receipt HSUG-R-'))!;
    const receiptText = flat((await pdfText(pdfsOf(receiptMail)[0].content)).text);
    expect(receiptText).toContain('Paid £190.00 by card');
    expect(receiptText).toContain('Payment of invoice HSUG-');

    // Nothing left: the page says so with a 409, and no session is made.
    const again = await request(t.baseUrl).get(b.payPath).expect(409);
    expect(again.text).toContain('nothing left to pay');
    const url = new URL(b.payPath, t.baseUrl);
    await request(t.baseUrl).post(url.pathname).type('form').send({ token: url.searchParams.get('token') }).expect(409);
    expect(await t.db('checkout_sessions').where({ booking_id: b.bookingId })).toHaveLength(1);
  });

  it('when part was paid by bank first, then the card checkout is for exactly what is outstanding', async () => {
    const b = await bookByInvoice(2);
    await recordBankPayment(b.reference, '40.00');
    const sessionId = await startCardPayment(b.payPath);
    expect((await t.stripe.checkout.sessions.retrieve(sessionId)).amount_total).toBe(15000);
    // Asking twice reopens the same open session: two clicks never make two payments.
    expect(await startCardPayment(b.payPath)).toBe(sessionId);
    t.sandbox.pay(sessionId);
    await t.sandbox.flush();
    expect(await invoiceStatusOf(b.reference)).toMatchObject({ status: 'paid', paid: 19000, outstanding: 0 });
  });

  it('when a bank payment is recorded while the card checkout is open, then the card payment is kept as an overpayment, shown, and the treasurer can refund it (never more than was paid)', async () => {
    const b = await bookByInvoice();
    const sessionId = await startCardPayment(b.payPath);
    await recordBankPayment(b.reference, '95.00');
    t.sandbox.pay(sessionId);
    await t.sandbox.flush();

    expect(await invoiceStatusOf(b.reference)).toMatchObject({ status: 'overpaid', paid: 19000, outstanding: 0, overpaid: 9500 });
    const finance = await treasurer.agent.get(`/admin/finance/bookings/${b.reference}`).expect(200);
    expect(finance.text).toContain('Review the refund');

    const tooMuch = await confirmThroughReview(treasurer.agent, `/admin/finance/bookings/${b.reference}/refund`, { _csrf: treasurer.csrf, amount: '95.01', reason: 'Overpaid', attendeeIds: [] });
    expect(tooMuch.review.status).toBe(422);
    const { done } = await confirmThroughReview(treasurer.agent, `/admin/finance/bookings/${b.reference}/refund`, { _csrf: treasurer.csrf, amount: '95.00', reason: 'Paid twice: by bank and by card', attendeeIds: [] });
    expect(done.status).toBe(303);
    await t.sandbox.flush();
    const refunds = await t.db('refunds').where({ booking_id: b.bookingId });
    expect(refunds).toHaveLength(1);
    expect(refunds[0].amount).toBe(9500);
    expect(await t.db('attendees').where({ booking_id: b.bookingId, status: 'active' })).toHaveLength(1);
    expect(await invoiceStatusOf(b.reference)).toMatchObject({ status: 'paid', paid: 9500, overpaid: 0 });
  });

  it('when the link is wrong, the booking cancelled or not an invoice, then it is refused like the manage link or with a page that says why', async () => {
    const b = await bookByInvoice();
    const wrong = await request(t.baseUrl).get(`/bookings/${b.reference}/pay-invoice?token=${'x'.repeat(43)}`);
    const manageWrong = await request(t.baseUrl).get(`/bookings/${b.reference}?token=${'x'.repeat(43)}`);
    expect(wrong.status).toBe(404);
    expect(manageWrong.status).toBe(404);
    await request(t.baseUrl).post(`/bookings/${b.reference}/pay-invoice`).type('form').send({ token: 'x'.repeat(43) }).expect(404);

    const staffToken = await createToken(t, (await createStaff(t, 'organiser')).id);
    await request(t.server).post(`/api/v1/admin/bookings/${b.reference}/cancel`).set('Authorization', `Bearer ${staffToken}`).send({ refund: 'none' }).expect(200);
    const cancelled = await request(t.baseUrl).get(b.payPath).expect(409);
    expect(cancelled.text).toContain('cancelled');
    expect(await t.db('checkout_sessions').where({ booking_id: b.bookingId })).toHaveLength(0);
  });

  it('when card payments on invoices are synced, then there is no mismatch for them, the payments CSV lists them, and the summary’s net is Stripe’s plus the bank payments', async () => {
    await sync(t);
    const mismatches = await request(t.server).get('/api/v1/admin/finance/mismatches').set('Authorization', `Bearer ${token}`).expect(200);
    const invoiceCard = await t.db('payments as p').join('bookings as b', 'b.id', 'p.booking_id').where({ 'b.payment_method': 'invoice', 'p.method': 'card' }).select('b.reference');
    expect(invoiceCard.length).toBeGreaterThanOrEqual(3);
    const refs = new Set(invoiceCard.map((r: { reference: string }) => r.reference));
    const about = (mismatches.body.mismatches as Array<{ kind: string; bookingReference: string | null }>).filter((m) => m.bookingReference && refs.has(m.bookingReference));
    expect(about).toEqual([]);

    const stripe = await stripeBalance(t.stripe);
    const bank = await t.db('payments').where({ method: 'invoice', status: 'succeeded' }).sum({ n: 'amount' }).first();
    const summary = await request(t.server).get('/api/v1/admin/finance/summary').set('Authorization', `Bearer ${token}`).expect(200);
    expect(summary.body.totals).toMatchObject({ gross: stripe.gross + Number(bank?.n), fees: stripe.fees, net: stripe.net + Number(bank?.n), refunds: stripe.refunds });

    const csv = csvRecords((await request(t.server).get('/api/v1/admin/finance/payments.csv?from=2025-04-01&to=2026-03-31').set('Authorization', `Bearer ${token}`).expect(200)).text);
    for (const reference of refs) expect(csv.some((r) => Object.values(r).includes(reference) && Object.values(r).includes('card'))).toBe(true);
    expect(csv.reduce((s, r) => s + (r.Method === 'card' ? pence(r.Net) : 0), 0)).toBe(stripe.net);
  });
});
