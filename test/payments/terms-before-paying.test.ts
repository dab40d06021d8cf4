import request from 'supertest';
import { buildEvent, person } from '../support/factories';
import { textOf } from '../support/html';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * Issue 15, "Refund terms only after paying": a buyer reads the refund deadline and fee (and the VAT basis) on the
 * event page and right above "Continue to payment", and finds them again in the receipt and on the booking page.
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp({ env: { ORG_CONTACT_EMAIL: 'office@hsug.test' } });
});
afterAll(async () => {
  await t.close();
});

const CARD_TERMS = 'Card payments: cancel online by Tuesday 10 March 2026, 12:00am and we refund what you paid less a £10.00 cancellation fee. After that, places are not refunded.';
const INVOICE_TERMS = 'Invoice bookings: write to events@hsug.test by Tuesday 10 March 2026, 12:00am to cancel, and we credit the invoice less a £10.00 cancellation fee. After that, the full price is due.';
const VAT = 'No VAT is charged: the Health Statistics User Group is not registered for VAT.';

/** Books one non-member place (£95) over the API; pays for it unless it is an invoice booking. */
async function book(slug: string, ticketTypeId: number, who: string, paymentMethod: 'stripe' | 'invoice' = 'stripe') {
  const p = person(who);
  const invoice = paymentMethod === 'invoice' ? { buyer: { name: p.name, email: p.email, organisation: 'NHS Test Trust' }, purchaseOrder: 'PO-1', billingContact: 'Accounts <ap@example.org>', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' } : {};
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${slug}/bookings`)
    .send({ buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId, attendee: p }], paymentMethod, ...invoice });
  expect(res.status).toBe(201);
  if (paymentMethod === 'stripe') {
    t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
    await t.sandbox.flush();
  }
  await t.sendMail();
  return { reference: res.body.booking.reference as string, manageUrl: new URL(res.body.booking.manageUrl), email: p.email };
}

function mailTo(email: string, subjectStart: string) {
  const mail = t.smtp.messages.find((m) => JSON.stringify(m.to).includes(email) && m.subject?.startsWith(subjectStart));
  if (!mail) throw new Error(`no "${subjectStart}" email to ${email}`);
  return mail;
}

describe('refund terms before paying', () => {
  it('when a visitor opens a charged event, then its prices are followed by the refund deadline and fee for card and invoice bookings, and the VAT basis', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const page = textOf((await request(t.baseUrl).get(`/events/${event.slug}`).expect(200)).text);
    const terms = page.indexOf('Cancelling and refunds');
    expect(terms).toBeGreaterThan(page.indexOf('Non-member £95.00'));
    expect(terms).toBeLessThan(page.indexOf('Choose how many places you need'));
    expect(page).toContain(`Cancelling and refunds ${CARD_TERMS} ${INVOICE_TERMS} ${VAT}`);
  });

  it('when an event names no contact of its own, then its invoice terms give the organisation address (ORG_CONTACT_EMAIL)', async () => {
    const event = await buildEvent(t.db, paidEvent());
    await t.db('events').where({ id: event.id }).update({ contact_email: null });
    const page = textOf((await request(t.baseUrl).get(`/events/${event.slug}`).expect(200)).text);
    expect(page).toContain('Invoice bookings: write to office@hsug.test by Tuesday 10 March 2026, 12:00am to cancel');
  });

  it('when an event has no refund deadline and keeps no fee, then the terms say so: a full refund until the event starts', async () => {
    const event = await buildEvent(t.db, { ...paidEvent(), refundDeadlineAt: null, refundFee: 0, allowsInvoice: false });
    const page = textOf((await request(t.baseUrl).get(`/events/${event.slug}`).expect(200)).text);
    expect(page).toContain('Card payments: cancel online before the event starts and we refund what you paid in full.');
    expect(page).not.toContain('After that');
    expect(page).not.toContain('Invoice bookings:');
  });

  it('when a free evening meeting is shown, then it states no refund terms and no VAT basis', async () => {
    const event = await buildEvent(t.db);
    const page = textOf((await request(t.baseUrl).get(`/events/${event.slug}`).expect(200)).text);
    expect(page).not.toContain('Cancelling and refunds');
    expect(page).not.toContain('VAT');
  });

  it('when the buyer fills in the booking form, then the terms and the VAT basis sit right above "Continue to payment", after the payment choice', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const html = (await request(t.baseUrl).get(`/events/${event.slug}/book?qty_${event.ticketTypeIds[1]}=1`).expect(200)).text;
    const form = html.slice(html.indexOf('<form method="post"'));
    const lastFieldset = form.lastIndexOf('</fieldset>');
    // The last: the form's first button is a hidden copy, there so that Enter in a field books (not "Apply code").
    const button = form.lastIndexOf('Continue to payment</button>');
    const between = textOf(form.slice(lastFieldset, button));
    expect(between).toBe(`Cancelling and refunds ${CARD_TERMS} ${INVOICE_TERMS} ${VAT}`);
  });

  it('when the buyer has paid, then the receipt repeats the card terms and the VAT basis, and the booking page the card terms', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const { email, manageUrl } = await book(event.slug, event.ticketTypeIds[1], 'terms-receipt');
    // The buyer's confirmation carries the receipt (issue 15: one email per booking moment).
    const receipt = mailTo(email, "You're booked:");
    expect(receipt.subject).toContain('(receipt for HSUG-');
    expect(receipt.text).toContain(`Cancelling: ${CARD_TERMS}`);
    expect(receipt.text).toContain(VAT);
    expect(textOf(String(receipt.html))).toContain(`Cancelling: ${CARD_TERMS} ${VAT}`);
    const page = textOf((await request(t.baseUrl).get(`${manageUrl.pathname}${manageUrl.search}`).expect(200)).text);
    expect(page).toContain(`Can't come? ${CARD_TERMS}`);
  });

  it('when the buyer books by invoice, then the pro-forma repeats the invoice terms and the VAT basis', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const { email } = await book(event.slug, event.ticketTypeIds[1], 'terms-pro-forma', 'invoice');
    const proForma = mailTo(email, "You're booked:");
    expect(proForma.subject).toMatch(/\(invoice to follow for HSUG-[0-9A-Z]{4}-[0-9A-Z]{4}\)$/);
    expect(proForma.text).toContain(`Cancelling: ${INVOICE_TERMS}`);
    expect(proForma.text).toContain(VAT);
  });
});
