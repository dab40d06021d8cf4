import request from 'supertest';
import { processPendingRefunds } from '../../src/payments/refunds';
import { signatureHeader } from '../../sandbox/src';
import { createStaff, createToken } from '../admin/helpers';
import { sync } from '../finance/support';
import { buildEvent, person } from '../support/factories';
import { WEBHOOK_SECRET, paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * HSUG may sell other things on the same Stripe account (a dinner, a donation link). A Stripe object is ours only if
 * we created it for that booking; another app's session that names one of our booking ids in its metadata is "a
 * Stripe payment with no booking" for the treasurer and changes nothing.
 */

let t: PaymentsTestApp;
let treasurerToken: string;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  treasurerToken = await createToken(t, (await createStaff(t, 'treasurer')).id);
});
afterEach(() => {
  t.sandbox.setDown(false);
  t.sandbox.setDelivery({ hold: false, duplicates: 1 });
});
afterAll(async () => {
  await t.close();
});

/** Another app on the same Stripe account sells a £60 dinner and writes `booking_id` into its metadata. */
async function foreignPaidSession(bookingId: number, buyerEmail: string) {
  const metadata = { booking_id: String(bookingId) };
  const session = await t.stripe.checkout.sessions.create({
    mode: 'payment',
    line_items: [{ quantity: 1, price_data: { currency: 'gbp', unit_amount: 6000, product_data: { name: 'Annual dinner' } } }],
    customer_email: buyerEmail,
    metadata,
    payment_intent_data: { metadata },
    success_url: 'https://dinner.example.org/thanks',
    cancel_url: 'https://dinner.example.org/',
  });
  return session;
}

/** Pays the other app's session; its webhooks are held so the test can deliver `checkout.session.completed` itself. */
function payHeld(sessionId: string) {
  t.sandbox.setDelivery({ hold: true });
  t.sandbox.pay(sessionId);
  const completed = t.sandbox.heldEvents().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId)!;
  return JSON.stringify(completed);
}

function postSigned(body: string) {
  return request(t.baseUrl)
    .post('/webhooks/stripe')
    .set('content-type', 'application/json')
    .set('stripe-signature', signatureHeader(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)))
    .send(body);
}

async function financeSummary() {
  const res = await request(t.server).get('/api/v1/admin/finance/summary').set('Authorization', `Bearer ${treasurerToken}`).expect(200);
  return res.body as { events: Array<{ eventId: number | null; gross: number; refunds: number; net: number; paidSeats: number }> };
}

function mailsTo(email: string) {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(email));
}

describe('a Stripe payment made by another app on the same account', () => {
  it('when another app’s paid £60 session names our free registration in its metadata, then the webhook is answered 2xx as ignored, no payment is recorded, and the meeting’s totals do not change', async () => {
    const meeting = await buildEvent(t.db, { title: 'Evening meeting: waiting-list statistics' });
    const p = person('foreign-free');
    const registered = await request(t.baseUrl).post(`/api/v1/events/${meeting.slug}/bookings`).send({ buyer: p, items: [{ attendee: p }] });
    expect(registered.body.booking.status).toBe('confirmed');
    const booking = await t.db('bookings').where({ reference: registered.body.booking.reference }).first();

    const foreign = await foreignPaidSession(booking.id, 'diner@example.org');
    const res = await postSigned(payHeld(foreign.id));
    t.sandbox.setDelivery({ hold: false });
    t.sandbox.releaseHeld();
    await t.sandbox.flush();

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: true, outcome: 'ignored' });
    expect(t.sandbox.deliveries().filter((d) => d.status !== 200)).toEqual([]);
    expect(await t.db('payments').where({ booking_id: booking.id })).toHaveLength(0);
    const fresh = await t.db('bookings').where({ id: booking.id }).first();
    expect(fresh).toMatchObject({ status: 'confirmed', payment_method: 'none', total: 0, stripe_checkout_session_id: null, stripe_payment_intent_id: null });

    await sync(t);
    const summary = await financeSummary();
    expect(summary.events.find((e) => e.eventId === meeting.id)).toBeUndefined();
    expect(summary.events.find((e) => e.eventId === null)).toMatchObject({ gross: 6000 });
    const mismatches = await request(t.server).get('/api/v1/admin/finance/mismatches').set('Authorization', `Bearer ${treasurerToken}`).expect(200);
    expect(mismatches.body.mismatches).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'payment_without_booking', amount: 6000 })]));
  });

  it('when the other app later refunds that sale, then the free place is not cancelled and the attendee gets no calendar CANCEL', async () => {
    const meeting = await buildEvent(t.db);
    const p = person('foreign-refunded');
    const registered = await request(t.baseUrl).post(`/api/v1/events/${meeting.slug}/bookings`).send({ buyer: p, items: [{ attendee: p }] });
    const booking = await t.db('bookings').where({ reference: registered.body.booking.reference }).first();
    const foreign = await foreignPaidSession(booking.id, 'diner2@example.org');
    t.sandbox.pay(foreign.id);
    await t.sandbox.flush();
    await t.sendMail();
    const before = mailsTo(p.email).length;

    const paid = await t.stripe.checkout.sessions.retrieve(foreign.id);
    t.sandbox.refundFromDashboard(String(paid.payment_intent));
    await t.sandbox.flush();
    await t.sendMail();

    expect(t.sandbox.deliveries().filter((d) => d.type === 'charge.refunded').every((d) => d.status === 200)).toBe(true);
    expect((await t.db('bookings').where({ id: booking.id }).first()).status).toBe('confirmed');
    expect(await t.db('attendees').where({ booking_id: booking.id, status: 'active' })).toHaveLength(1);
    expect(await t.db('refunds').where({ booking_id: booking.id })).toHaveLength(0);
    expect(mailsTo(p.email).slice(before).map((m) => m.subject)).toEqual([]);
    const page = await request(t.baseUrl).get(`/bookings/${registered.body.booking.reference}?token=${new URL(registered.body.booking.manageUrl).searchParams.get('token')}`);
    expect(page.text).toContain('<strong>Confirmed</strong>');
  });

  it('when our booking was released because Stripe was down and another app’s paid session names it, then the refunds job never refunds the other app’s customer and our booker is not told of a refund', async () => {
    const seminar = await buildEvent(t.db, paidEvent([{ name: 'Standard', price: 6000 }]));
    const p = person('foreign-released');
    t.sandbox.setDown(true);
    const refused = await request(t.baseUrl).post(`/api/v1/events/${seminar.slug}/bookings`).send({ buyer: p, items: [{ ticketTypeId: seminar.ticketTypeIds[0], attendee: p }] });
    t.sandbox.setDown(false);
    expect(refused.status).toBe(503);
    const released = await t.db('bookings').where({ event_id: seminar.id, buyer_email: p.email }).first();
    expect(released.status).toBe('cancelled');

    const foreign = await foreignPaidSession(released.id, 'diner3@example.org');
    t.sandbox.pay(foreign.id);
    await t.sandbox.flush();
    await processPendingRefunds(t.ctx);
    await t.sandbox.flush();
    await t.sendMail();

    const paid = await t.stripe.checkout.sessions.retrieve(foreign.id, { expand: ['payment_intent.latest_charge'] });
    const charge = (paid.payment_intent as { latest_charge: { amount_refunded: number } }).latest_charge;
    expect(charge.amount_refunded).toBe(0);
    expect(await t.db('payments').where({ booking_id: released.id })).toHaveLength(0);
    expect(await t.db('refunds').where({ booking_id: released.id })).toHaveLength(0);
    expect(mailsTo(p.email).filter((m) => /refund/i.test(m.subject ?? ''))).toEqual([]);
    expect((await t.db('bookings').where({ id: released.id }).first()).status).toBe('cancelled');
  });
});
