import request from 'supertest';
import { createStaff, createToken, signIn, type SignedIn } from '../admin/helpers';
import { person } from '../support/factories';
import { sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { financeEvent, paidBooking, sync } from './support';

let t: PaymentsTestApp;
let token: string;
let treasurer: SignedIn;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  const staff = await createStaff(t, 'treasurer');
  token = await createToken(t, staff.id);
  treasurer = await signIn(t.server, staff.email);
});
afterAll(async () => {
  await t.close();
});

async function mismatches(): Promise<Array<{ kind: string; bookingReference: string | null; stripeId: string | null; amount: number; link: string; detail: string; paidOutIn: string | null; dueBy: string | null }>> {
  const res = await request(t.server).get('/api/v1/admin/finance/mismatches').set('Authorization', `Bearer ${token}`).expect(200);
  return res.body.mismatches;
}

describe('mismatches planted on purpose', () => {
  it('when everything matches, then none are listed', async () => {
    const event = await financeEvent(t);
    await paidBooking(t, event);
    t.sandbox.createPayout();
    await sync(t);
    expect(await mismatches()).toEqual([]);
  });

  it('when Stripe has a payment no booking made, then it is listed with a link to find it in Stripe', async () => {
    const planted = t.sandbox.createCharge({ amount: 4200, description: 'Payment link' });
    await sync(t);
    const found = (await mismatches()).filter((m) => m.kind === 'payment_without_booking');
    expect(found).toEqual([expect.objectContaining({ stripeId: planted.charge.id, amount: 4200, bookingReference: null })]);
    expect(found[0].link).toContain('dashboard.stripe.com');
  });

  it('when a paid payout contains that payment, then the money is listed once, saying which payout it went out in, and the payout page marks it', async () => {
    const payout = t.sandbox.createPayout();
    await sync(t);
    const all = await mismatches();
    expect(all.filter((m) => m.kind === 'payout_unmatched')).toEqual([]);
    expect(all.filter((m) => m.kind === 'payment_without_booking')).toEqual([expect.objectContaining({ paidOutIn: payout.id })]);
    const list = await treasurer.agent.get('/admin/finance/mismatches').expect(200);
    expect(list.text).toContain(`It went out in the payout of £${(payout.amount / 100).toFixed(2)} paid on`);
    const page = await treasurer.agent.get(`/admin/finance/payouts/${payout.id}`).expect(200);
    expect(page.text).toContain('1 transaction is not matched');
  });

  it('when a booking is marked paid by card with no payment, then it is listed', async () => {
    const event = await financeEvent(t);
    const p = person('no-charge');
    const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: p, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: p }] });
    await t.db('bookings').where({ reference: res.body.booking.reference }).update({ status: 'confirmed' });
    const found = (await mismatches()).filter((m) => m.kind === 'paid_without_payment');
    expect(found).toEqual([expect.objectContaining({ bookingReference: res.body.booking.reference, amount: 9500, link: `/admin/finance/bookings/${res.body.booking.reference}` })]);
    await t.db('bookings').where({ reference: res.body.booking.reference }).update({ status: 'expired' });
    t.sandbox.expire(sessionIdOf(res.body.booking.checkoutUrl));
  });

  it('when a payment row’s amount was edited, then the amount that differs is listed', async () => {
    const booking = await paidBooking(t, await financeEvent(t));
    await sync(t);
    await t.db('payments').where({ booking_id: booking.bookingId }).update({ amount: 9000 });
    const found = (await mismatches()).filter((m) => m.kind === 'amount_differs');
    expect(found).toEqual([expect.objectContaining({ bookingReference: booking.reference, amount: 9000 })]);
    expect(found[0].detail).toContain('Stripe charged £95.00');
    await t.db('payments').where({ booking_id: booking.bookingId }).update({ amount: 9500 });
  });

  it('when a dashboard refund’s webhooks are held, then only the sync sees it and lists it, and bringing the booking up to date records it once', async () => {
    const booking = await paidBooking(t, await financeEvent(t));
    t.sandbox.setDelivery({ hold: true });
    const refund = t.sandbox.refundFromDashboard(booking.paymentIntentId, 2500);
    await sync(t);
    const found = (await mismatches()).filter((m) => m.kind === 'refund_not_recorded');
    expect(found).toEqual([expect.objectContaining({ stripeId: refund.id, amount: 2500, bookingReference: booking.reference })]);
    const page = await treasurer.agent.get(found[0].link).expect(200);
    expect(page.text).toContain('Bring up to date from Stripe');
    await treasurer.agent.post(`${found[0].link}/refresh`).type('form').send({ _csrf: treasurer.csrf }).expect(303);
    expect(await t.db('refunds').where({ stripe_refund_id: refund.id })).toEqual([expect.objectContaining({ amount: 2500, initiated_by: 'dashboard' })]);
    expect((await mismatches()).filter((m) => m.kind === 'refund_not_recorded')).toEqual([]);
    t.sandbox.setDelivery({ hold: false });
    t.sandbox.releaseHeld();
    await t.sandbox.flush();
    expect(await t.db('refunds').where({ stripe_refund_id: refund.id })).toHaveLength(1);
  });

  it('when a refund is recorded here that Stripe never had, then it is listed (the reverse)', async () => {
    const booking = await paidBooking(t, await financeEvent(t));
    const payment = await t.db('payments').where({ booking_id: booking.bookingId }).first();
    const now = t.clock.now().toISOString();
    await t.db('refunds').insert({ payment_id: payment.id, booking_id: booking.bookingId, stripe_refund_id: 're_never_at_stripe', amount: 700, currency: 'GBP', status: 'succeeded', reason: 'typo', initiated_by: 'staff', created_at: now, updated_at: now });
    t.clock.advance(60 * 60_000);
    await sync(t);
    const found = (await mismatches()).filter((m) => m.kind === 'refund_not_in_stripe');
    expect(found).toEqual([expect.objectContaining({ bookingReference: booking.reference, amount: 700 })]);
    await t.db('refunds').where({ stripe_refund_id: 're_never_at_stripe' }).update({ status: 'failed' });
  });

  it('when a dispute is open, then it is listed with a link to the booking', async () => {
    const booking = await paidBooking(t, await financeEvent(t));
    t.sandbox.dispute(booking.chargeId);
    await t.sandbox.flush();
    const found = (await mismatches()).filter((m) => m.kind === 'dispute_open');
    expect(found).toEqual([expect.objectContaining({ bookingReference: booking.reference, link: `/admin/finance/bookings/${booking.reference}` })]);
  });

  it('when the treasurer opens the mismatches page, then each kind is shown with its link', async () => {
    const page = await treasurer.agent.get('/admin/finance/mismatches').expect(200);
    for (const title of ['A Stripe payment with no booking', 'A dispute is open']) expect(page.text).toContain(title);
    expect(page.text).toContain('href="/admin/finance/bookings/');
  });
});
