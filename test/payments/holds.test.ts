import request from 'supertest';
import { expireLapsedHolds } from '../../src/payments/sweeper';
import { buildEvent, person } from '../support/factories';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterEach(() => {
  t.clock.set('2026-03-02T12:00:00Z');
  t.sandbox.setDown(false);
  t.sandbox.setDelivery({ hold: false, duplicates: 1 });
});
afterAll(async () => {
  await t.close();
});

function book(slug: string, ticketTypeId: number, who: string) {
  const p = person(who);
  return request(t.baseUrl)
    .post(`/api/v1/events/${slug}/bookings`)
    .send({ buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId, attendee: p }] });
}

async function seatsLeft(slug: string) {
  return (await request(t.baseUrl).get(`/api/v1/events/${slug}`)).body.event.remaining as number;
}

describe('holding seats while people pay', () => {
  it('when 100 buyers race for the last 10 seats, then exactly 10 are held and paid, and the other 90 join the waitlist in order', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 10 });
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => book(event.slug, event.ticketTypeIds[0], `race-${i}`)));
    expect(responses.filter((r) => r.status !== 201).map((r) => r.status)).toEqual([]);
    const held = responses.filter((r) => r.body.booking.status === 'pending_payment');
    const waiting = responses.filter((r) => r.body.booking.status === 'waitlisted');
    expect(held).toHaveLength(10);
    expect(held.every((r) => r.body.booking.checkoutUrl)).toBe(true);
    expect(waiting.map((r) => r.body.booking.waitlistPosition).sort((a, b) => a - b)).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
    expect(waiting.some((r) => r.body.booking.checkoutUrl)).toBe(false);
    for (const r of held) t.sandbox.pay(sessionIdOf(r.body.booking.checkoutUrl));
    await t.sandbox.flush();
    const byStatus = await t.db('bookings').where({ event_id: event.id }).select('status').count({ n: '*' }).groupBy('status');
    expect(Object.fromEntries((byStatus as Array<{ status: string; n: string | number }>).map((r) => [r.status, Number(r.n)]))).toEqual({ confirmed: 10, waitlisted: 90 });
    expect(await seatsLeft(event.slug)).toBe(0);
  });

  it('when a hold lapses unpaid, then the sweeper expires the Stripe session and frees the seat, keeping the booking visible as expired', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 1 });
    const res = await book(event.slug, event.ticketTypeIds[0], 'lapse');
    expect(await seatsLeft(event.slug)).toBe(0);
    t.clock.advance(31 * 60_000);
    expect(await expireLapsedHolds(t.ctx)).toBe(1);
    const session = await t.stripe.checkout.sessions.retrieve(sessionIdOf(res.body.booking.checkoutUrl));
    expect(session.status).toBe('expired');
    expect((await t.db('bookings').where({ reference: res.body.booking.reference }).first()).status).toBe('expired');
    expect(await seatsLeft(event.slug)).toBe(1);
    expect(await expireLapsedHolds(t.ctx)).toBe(0);
  });

  it('when a lapsed hold was in fact paid but the webhook is late, then the sweeper confirms it instead of expiring it', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 1 });
    const res = await book(event.slug, event.ticketTypeIds[0], 'late-hook');
    t.sandbox.setDelivery({ hold: true });
    t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
    t.clock.advance(31 * 60_000);
    await expireLapsedHolds(t.ctx);
    expect((await t.db('bookings').where({ reference: res.body.booking.reference }).first()).status).toBe('confirmed');
  });

  it('when a payment arrives after the booking expired and the seat is still free, then the booking takes it back', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 1 });
    const res = await book(event.slug, event.ticketTypeIds[0], 'back');
    await t.db('bookings').where({ reference: res.body.booking.reference }).update({ status: 'expired' });
    t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
    expect(booking.status).toBe('confirmed');
    expect(await t.db('refunds').where({ booking_id: booking.id })).toHaveLength(0);
  });

  it('when a payment arrives after the booking expired and the seat was sold, then it is refunded in full and the buyer is told why', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 1 });
    const late = await book(event.slug, event.ticketTypeIds[0], 'too-late');
    await t.db('bookings').where({ reference: late.body.booking.reference }).update({ status: 'expired' });
    const other = await book(event.slug, event.ticketTypeIds[0], 'got-it');
    t.sandbox.pay(sessionIdOf(other.body.booking.checkoutUrl));
    await t.sandbox.flush();

    t.sandbox.pay(sessionIdOf(late.body.booking.checkoutUrl));
    await t.sandbox.flush();

    const booking = await t.db('bookings').where({ reference: late.body.booking.reference }).first();
    expect(booking.status).toBe('expired');
    const [refund] = await t.db('refunds').where({ booking_id: booking.id });
    expect(refund).toMatchObject({ amount: 5000, initiated_by: 'system' });
    expect(['succeeded', 'pending']).toContain(refund.status);
    const payment = await t.db('payments').where({ booking_id: booking.id }).first();
    expect(payment).toMatchObject({ amount: 5000, refund_because: 'late' });
    const intent = await t.stripe.paymentIntents.retrieve(payment.stripe_payment_intent_id, { expand: ['latest_charge'] });
    expect((intent.latest_charge as { amount_refunded: number }).amount_refunded).toBe(5000);
    await t.sendMail();
    const told = t.smtp.messages.find((m) => m.subject?.startsWith('Your payment has been refunded') && JSON.stringify(m.to).includes(person('too-late').email));
    expect(told?.text).toContain('£50.00');
    expect(Number((await t.db('bookings').where({ event_id: event.id, status: 'confirmed' }).count({ n: '*' }).first())!.n)).toBe(1);
  });

  it('when Stripe is down while the session is created, then the buyer gets a clear 503, the hold is released, and nothing is charged', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 5 });
    t.sandbox.setDown(true);
    const res = await book(event.slug, event.ticketTypeIds[0], 'down');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('payment_unavailable');
    expect(res.body.error.message).toContain('nothing has been charged');
    t.sandbox.setDown(false);
    expect(await seatsLeft(event.slug)).toBe(5);
    const sessions = await t.stripe.checkout.sessions.list({ limit: 100 });
    expect(sessions.data.filter((s) => s.customer_email === person('down').email)).toHaveLength(0);
    const again = await book(event.slug, event.ticketTypeIds[0], 'down');
    expect(again.status).toBe(201);
  });

  it('when Stripe answers 500 to the session request, then the same: a clear message and no hold left behind', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 5 });
    t.sandbox.failNext(2, { status: 500 });
    const res = await book(event.slug, event.ticketTypeIds[0], 'five-hundred');
    expect(res.status).toBe(503);
    expect(await seatsLeft(event.slug)).toBe(5);
  });
});
