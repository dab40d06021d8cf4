import request from 'supertest';
import { beginCheckoutAttempt, CHECKOUT_MINIMUM_MS } from '../../src/bookings/lifecycle';
import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { onPostgres } from '../support/db';
import { buildEvent, person } from '../support/factories';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { confirmThroughReview } from '../finance/support';

/**
 * The smaller defects of the booking–payment seam: what commits together, what one conditional update decides, and
 * what the organiser is told when a paid place is offered from the waitlist.
 */

let t: PaymentsTestApp;
let treasurer: SignedIn;
let organiser: SignedIn;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  treasurer = await signIn(t.server, (await createStaff(t, 'treasurer')).email);
  organiser = await signIn(t.server, (await createStaff(t, 'organiser')).email);
});
afterEach(() => {
  t.clock.set('2026-03-02T12:00:00Z');
});
afterAll(async () => {
  await t.close();
});

async function book(slug: string, ticketTypeId: number, who: string) {
  const p = person(who);
  const res = await request(t.baseUrl).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId, attendee: p }] });
  expect(res.status).toBe(201);
  const manage = new URL(res.body.booking.manageUrl);
  return { reference: res.body.booking.reference as string, checkoutUrl: res.body.booking.checkoutUrl as string | undefined, token: manage.searchParams.get('token')! };
}

/** Makes the database refuse audit entries of one kind, as a full disk or a broken constraint would. */
async function refuseAudit(action: string): Promise<() => Promise<void>> {
  if (onPostgres) {
    await t.db.raw(`CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit log refused'; END $$ LANGUAGE plpgsql`);
    await t.db.raw(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.action = '${action}') EXECUTE FUNCTION refuse_audit()`);
    return async () => {
      await t.db.raw('DROP TRIGGER refuse_audit ON audit_log');
      await t.db.raw('DROP FUNCTION refuse_audit()');
    };
  }
  await t.db.raw(`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log WHEN NEW.action = '${action}' BEGIN SELECT RAISE(ABORT, 'audit log refused'); END`);
  return async () => {
    await t.db.raw('DROP TRIGGER refuse_audit');
  };
}

describe('a staff refund and its audit entry', () => {
  it('when the audit entry cannot be written, then no refund is recorded or sent to Stripe, no seat is cancelled, and the treasurer is not told it was refunded', async () => {
    const event = await buildEvent(t.db, paidEvent([{ name: 'Standard', price: 4500 }]));
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'audit-refund');
    t.sandbox.pay(sessionIdOf(buyer.checkoutUrl!));
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    const [seat] = await t.db('attendees').where({ booking_id: booking.id });
    const restore = await refuseAudit('refund_requested');
    let res: request.Response;
    try {
      res = (await confirmThroughReview(treasurer.agent, `/admin/finance/bookings/${buyer.reference}/refund`, { _csrf: treasurer.csrf, amount: '45.00', reason: 'Cannot come', attendeeIds: String(seat.id) })).done;
    } finally {
      await restore();
    }

    // An error page (409 where the dialect reports a refused rule, 500 otherwise), never the "refunded" notice.
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.headers.location ?? '').not.toContain('notice=refunded');
    expect(res.text).not.toContain('Refund recorded');
    expect(await t.db('refunds').where({ booking_id: booking.id })).toHaveLength(0);
    expect(await t.db('audit_log').where({ action: 'refund_requested' })).toHaveLength(0);
    expect((await t.db('attendees').where({ id: seat.id }).first()).status).toBe('active');
    expect((await t.db('payments').where({ booking_id: booking.id }).first()).amount_refunded).toBe(0);
    const charge = await t.stripe.charges.retrieve((await t.db('payments').where({ booking_id: booking.id }).first()).stripe_charge_id);
    expect(charge.amount_refunded).toBe(0);
  });
});

describe('checkout attempts', () => {
  it('when a buyer opens the payment link of an offered place in eight tabs at once, then every tab reaches an open payment page and every attempt counted is its own Checkout Session', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 1 });
    const holder = await book(event.slug, event.ticketTypeIds[0], 'attempt-holder');
    const offered = await book(event.slug, event.ticketTypeIds[0], 'attempt-offered');
    await request(t.baseUrl).post(`/api/v1/bookings/${holder.reference}/cancel`).set('Authorization', `Bearer ${holder.token}`).expect(200);
    expect((await t.db('bookings').where({ reference: offered.reference }).first()).status).toBe('pending_payment');

    const tabs = await Promise.all(Array.from({ length: 8 }, () => request(t.baseUrl).get(`/bookings/${offered.reference}/pay?token=${offered.token}`)));

    expect(tabs.map((r) => r.status)).toEqual(Array(8).fill(303));
    const reached = await Promise.all(tabs.map((r) => t.stripe.checkout.sessions.retrieve(sessionIdOf(r.headers.location))));
    expect(reached.every((s) => s.status === 'open' && s.client_reference_id === offered.reference)).toBe(true);
    const inStripe = (await t.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.client_reference_id === offered.reference);
    const row = await t.db('bookings').where({ reference: offered.reference }).first();
    // Two attempts given one number would share an idempotency key, and Stripe would answer both with one session.
    expect(row.checkout_attempts).toBe(inStripe.length);
  });

  it('when two resumptions begin a checkout attempt at the same moment, then they get distinct attempt numbers and the hold is extended once to Stripe’s minimum', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 5 });
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'attempt-direct');
    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    t.clock.advance(25 * 60_000);

    const [a, b] = await Promise.all([beginCheckoutAttempt(t.ctx, booking.id), beginCheckoutAttempt(t.ctx, booking.id)]);

    expect([a.attempt, b.attempt].sort()).toEqual([booking.checkout_attempts + 1, booking.checkout_attempts + 2]);
    const minimum = t.clock.now().getTime() + CHECKOUT_MINIMUM_MS;
    expect(a.holdExpiresAt.getTime()).toBe(minimum);
    expect(b.holdExpiresAt.getTime()).toBe(minimum);
    const row = await t.db('bookings').where({ id: booking.id }).first();
    expect(row.checkout_attempts).toBe(booking.checkout_attempts + 2);
    expect(new Date(row.hold_expires_at).getTime()).toBe(minimum);
  });
});

describe('offering a waitlist place', () => {
  it('when an organiser offers a place on a paid event, then the notice says it is held with a payment link, not that the booking is confirmed', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 1 });
    const first = await book(event.slug, event.ticketTypeIds[0], 'offer-first');
    t.sandbox.pay(sessionIdOf(first.checkoutUrl!));
    await t.sandbox.flush();
    const waiting = await book(event.slug, event.ticketTypeIds[0], 'offer-waiting');
    await t.db('events').where({ id: event.id }).update({ capacity: 2 });

    const res = await organiser.agent.post(`/admin/events/${event.slug}/waitlist/${waiting.reference}/offer`).type('form').send({ _csrf: organiser.csrf });
    expect(res.status).toBe(303);
    const list = await organiser.agent.get(res.headers.location).expect(200);

    expect((await t.db('bookings').where({ reference: waiting.reference }).first()).status).toBe('pending_payment');
    expect(list.text).toContain('Place offered');
    expect(list.text).not.toContain('the booking is confirmed');
    expect(list.text).toMatch(/held for them for 24 hours/);
    expect(list.text).toContain('payment link');
  });
});
