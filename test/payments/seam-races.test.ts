import request from 'supertest';
import { writeTransaction } from '../../src/db/dialect';
import { findMismatches } from '../../src/finance/mismatches';
import { applyStripeState } from '../../src/payments/fulfil';
import { processPendingRefunds } from '../../src/payments/refunds';
import { signatureHeader } from '../../sandbox/src';
import { fetchStripeState } from '../../src/payments/stripe-state';
import { expireLapsedHolds } from '../../src/payments/sweeper';
import { onPostgres } from '../support/db';
import { buildEvent, person } from '../support/factories';
import { WEBHOOK_SECRET, paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * Trying to break the booking–payment seam: races between the buyer, Stripe's webhooks, the success page and the
 * sweeper; late and out-of-order news; what the buyer sees at each step.
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterEach(async () => {
  t.clock.set('2026-03-02T12:00:00Z');
  t.sandbox.setDelivery({ hold: false, duplicates: 1 });
  t.sandbox.setDown(false);
  // Whatever a test held back is delivered now (as Stripe would retry it), so no test starts with another's events.
  t.sandbox.releaseHeld();
  await t.sandbox.flush();
});
afterAll(async () => {
  await t.close();
});

async function book(slug: string, ticketTypeId: number, who: string) {
  const p = person(who);
  const res = await request(t.baseUrl).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId, attendee: p }] });
  expect(res.status).toBe(201);
  const manage = new URL(res.body.booking.manageUrl);
  return { reference: res.body.booking.reference as string, sessionId: res.body.booking.checkoutUrl ? sessionIdOf(res.body.booking.checkoutUrl) : '', token: manage.searchParams.get('token')! };
}

async function stripeSessionsOf(reference: string) {
  return (await t.stripe.checkout.sessions.list({ limit: 100 })).data.filter((s) => s.client_reference_id === reference);
}

function seminar(capacity = 5) {
  return buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity });
}

describe('the buyer gives up before paying', () => {
  it('when the buyer cancels a hold they have not paid, then the booking is cancelled (not "expired, not paid in time"), the page says so, and the seat is free', async () => {
    const event = await seminar(1);
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'gives-up');

    const posted = await request(t.baseUrl).post(`/bookings/${buyer.reference}/cancel`).type('form').send({ token: buyer.token });
    await t.sandbox.flush();

    expect(posted.status).toBe(303);
    const res = await request(t.baseUrl).get(posted.headers.location);
    expect(res.text).toContain('<strong>Cancelled</strong>');
    expect(res.text).not.toContain('not paid in time');
    expect(res.text).toContain('Nothing has been charged, and the places we were holding for you have been released.');
    expect(res.text).not.toContain('left the waitlist');
    const row = await t.db('bookings').where({ reference: buyer.reference }).first();
    expect(row).toMatchObject({ status: 'cancelled', cancel_reason: 'Cancelled by the buyer before paying' });
    expect((await t.stripe.checkout.sessions.retrieve(buyer.sessionId)).status).toBe('expired');
    expect((await request(t.baseUrl).get(`/api/v1/events/${event.slug}`)).body.event.remaining).toBe(1);
  });
});

describe('the buyer while a bank debit is processing', () => {
  it('when the buyer asks the API to cancel while their bank debit is processing, then 409 payment_processing, as the page offers no cancel, and the places stay held until it settles', async () => {
    const event = await seminar(1);
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'cancel-while-debit');
    t.sandbox.pay(buyer.sessionId, { async: 'succeed', deferSettlement: true });
    await t.sandbox.flush();

    const res = await request(t.baseUrl).post(`/api/v1/bookings/${buyer.reference}/cancel`).set('Authorization', `Bearer ${buyer.token}`);

    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('payment_processing');
    expect((await t.db('bookings').where({ reference: buyer.reference }).first()).status).toBe('pending_payment');
    expect((await request(t.baseUrl).get(`/api/v1/events/${event.slug}`)).body.event.remaining).toBe(0);
    t.sandbox.settleAsyncPayment(buyer.sessionId, 'succeed');
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    expect(booking.status).toBe('confirmed');
    expect(await t.db('refunds').where({ booking_id: booking.id })).toHaveLength(0);
  });
});

describe('the pay link while Stripe’s news is on its way', () => {
  it('when the buyer has paid but the webhook is late and they open the pay link again, then no second checkout is started and the link shows the booking, confirmed', async () => {
    const event = await seminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'paid-link-again');
    t.sandbox.setDelivery({ hold: true });
    t.sandbox.pay(buyer.sessionId);

    const again = await request(t.baseUrl).get(`/bookings/${buyer.reference}/pay?token=${buyer.token}`);

    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/bookings/${buyer.reference}?token=${buyer.token}`);
    expect(await stripeSessionsOf(buyer.reference)).toHaveLength(1);
    const page = await request(t.baseUrl).get(again.headers.location).expect(200);
    expect(page.text).toContain('<strong>Confirmed</strong>');
    expect(page.text).not.toContain('Pay now');
    t.sandbox.setDelivery({ hold: false });
    t.sandbox.releaseHeld();
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    expect(await t.db('payments').where({ booking_id: booking.id })).toHaveLength(1);
    expect(await t.db('refunds').where({ booking_id: booking.id })).toHaveLength(0);
  });

  it('when a bank debit was just submitted and its webhook is late, then the pay link starts no second checkout and shows the payment as processing', async () => {
    const event = await seminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'debit-link-again');
    t.sandbox.setDelivery({ hold: true });
    t.sandbox.pay(buyer.sessionId, { async: 'succeed', deferSettlement: true });

    const again = await request(t.baseUrl).get(`/bookings/${buyer.reference}/pay?token=${buyer.token}`);

    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(`/bookings/${buyer.reference}?token=${buyer.token}`);
    expect(await stripeSessionsOf(buyer.reference)).toHaveLength(1);
    const page = await request(t.baseUrl).get(again.headers.location).expect(200);
    expect(page.text).toContain('Payment processing');
    expect(page.text).not.toContain('Pay now');
  });
});

describe('news from Stripe that arrives out of date', () => {
  it('when a webhook read the dispute while it was open but is applied after the dispute closed as lost, then the dispute stays lost (never reopened)', async () => {
    const event = await seminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'stale-dispute');
    t.sandbox.pay(buyer.sessionId);
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    const payment = await t.db('payments').where({ booking_id: booking.id }).first();
    const dispute = t.sandbox.dispute(payment.stripe_charge_id);
    await t.sandbox.flush();
    // One webhook handler reads Stripe's state (the dispute open) and is slow to apply it; meanwhile the dispute
    // closes and that news is applied first.
    const readWhileOpen = await fetchStripeState(t.stripe, buyer.sessionId);
    t.sandbox.closeDispute(dispute.id, 'lost');
    await t.sandbox.flush();
    expect((await t.db('disputes').where({ stripe_dispute_id: dispute.id }).first()).status).toBe('lost');

    await writeTransaction(t.db, (trx) => applyStripeState(trx, t.ctx, booking.id, readWhileOpen));

    expect((await t.db('disputes').where({ stripe_dispute_id: dispute.id }).first()).status).toBe('lost');
    expect(await findMismatches(t.ctx)).not.toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'dispute_open' })]));
  });
});

/** Holds the webhooks of one payment, returning each event Stripe sent as it would be posted to us. */
function payWithHeldWebhooks(sessionId: string) {
  t.sandbox.setDelivery({ hold: true });
  t.sandbox.pay(sessionId);
  const held = t.sandbox.heldEvents().map((e) => JSON.stringify(e));
  t.sandbox.setDelivery({ hold: false });
  return held;
}

function postSigned(body: string) {
  return request(t.baseUrl)
    .post('/webhooks/stripe')
    .set('content-type', 'application/json')
    .set('stripe-signature', signatureHeader(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)))
    .send(body);
}

async function outboxKinds(bookingId: number) {
  return (await t.db('outbox_emails').where({ booking_id: bookingId })).map((e) => e.kind as string).sort();
}

describe('two deliveries at once', () => {
  it('when every webhook of one payment arrives twice, all at the same moment, then one payment and one confirmation carrying the receipt', async () => {
    const event = await seminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'all-at-once');
    const held = payWithHeldWebhooks(buyer.sessionId);
    expect(held.length).toBeGreaterThanOrEqual(2);

    const answers = await Promise.all([...held, ...held].map((body) => postSigned(body)));

    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(answers.filter((a) => a.body.outcome === 'duplicate').length).toBeGreaterThanOrEqual(held.length);
    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    expect(booking.status).toBe('confirmed');
    expect(await t.db('payments').where({ booking_id: booking.id })).toHaveLength(1);
    expect(await outboxKinds(booking.id)).toEqual(['booking_confirmed', 'document_receipt']); // the confirmation carries the receipt's lines (issue 15); the receipt PDF goes once, in its own email (issue 11)
  });

  it('when the webhook and the buyer’s return to the success page arrive together, then the booking is confirmed once with one payment', async () => {
    const event = await seminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'hook-and-return');
    const held = payWithHeldWebhooks(buyer.sessionId);
    const session = await t.stripe.checkout.sessions.retrieve(buyer.sessionId);
    const success = new URL(String(session.success_url).replace('{CHECKOUT_SESSION_ID}', buyer.sessionId));

    const [back, ...hooks] = await Promise.all([request(t.baseUrl).get(`${success.pathname}${success.search}`), ...held.map((body) => postSigned(body))]);

    expect(back.status).toBe(303);
    expect(hooks.every((h) => h.status === 200)).toBe(true);
    const page = await request(t.baseUrl).get(back.headers.location).expect(200);
    expect(page.text).toContain("Payment received — you're booked");
    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    expect(await t.db('payments').where({ booking_id: booking.id })).toHaveLength(1);
    expect(await outboxKinds(booking.id)).toEqual(['booking_confirmed', 'document_receipt']); // the confirmation carries the receipt's lines (issue 15); the receipt PDF goes once, in its own email (issue 11)
  });
});

describe('the sweeper and a late payment', () => {
  it('when the buyer pays just as their lapsed hold is swept, then the payment keeps the place (still free): confirmed once, nothing refunded, the waitlist still waits', async () => {
    const event = await seminar(1);
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'sweep-race');
    const waiting = await book(event.slug, event.ticketTypeIds[0], 'sweep-race-waiting');
    // Paid in the hold's last minute; its webhooks are still on their way when the hold lapses and the sweeper runs.
    t.clock.advance(30 * 60_000);
    const held = payWithHeldWebhooks(buyer.sessionId);
    t.clock.advance(60_000);

    const logged = t.logged.length;
    await Promise.all([expireLapsedHolds(t.ctx), ...held.map((body) => postSigned(body))]);

    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    expect(booking.status).toBe('confirmed');
    expect((await t.db('bookings').where({ reference: waiting.reference }).first()).status).toBe('waitlisted');
    expect(await t.db('payments').where({ booking_id: booking.id })).toHaveLength(1);
    expect(await t.db('refunds').where({ booking_id: booking.id })).toHaveLength(0);
    expect(await outboxKinds(booking.id)).toEqual(['booking_confirmed', 'document_receipt']); // the confirmation carries the receipt's lines (issue 15); the receipt PDF goes once, in its own email (issue 11)
    expect(t.logged.slice(logged).filter((l) => l.level === 'error')).toEqual([]);
  });
});

describe('replays', () => {
  it('when Stripe resends the payment’s events after the booking was cancelled and refunded, then nothing comes back to life', async () => {
    const event = await seminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'replayed');
    t.sandbox.pay(buyer.sessionId);
    await t.sandbox.flush();
    await request(t.baseUrl).post(`/api/v1/bookings/${buyer.reference}/cancel`).set('Authorization', `Bearer ${buyer.token}`).expect(200);
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    const before = { refunds: await t.db('refunds').where({ booking_id: booking.id }), emails: await outboxKinds(booking.id) };

    for (const e of t.sandbox.events().filter((e) => JSON.stringify(e.data.object).includes(buyer.sessionId) || e.type.startsWith('payment_intent.'))) t.sandbox.resendEvent(e.id);
    await t.sandbox.flush();

    const after = await t.db('bookings').where({ id: booking.id }).first();
    expect(after.status).toBe('cancelled');
    expect(await t.db('attendees').where({ booking_id: booking.id, status: 'active' })).toHaveLength(0);
    expect(await t.db('refunds').where({ booking_id: booking.id })).toEqual(before.refunds);
    expect(await outboxKinds(booking.id)).toEqual(before.emails);
  });
});

describe('a crash between Stripe answering and our recording', () => {
  it('when Stripe takes a refund but recording its answer fails, then the retry and the webhook record that one refund once, Stripe refunds once, and the buyer gets one email', async () => {
    const event = await seminar();
    const buyer = await book(event.slug, event.ticketTypeIds[0], 'crash-refund');
    t.sandbox.pay(buyer.sessionId);
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference: buyer.reference }).first();
    const payment = await t.db('payments').where({ booking_id: booking.id }).first();
    t.sandbox.setDelivery({ hold: true });
    const restore = await refuseRecordingStripeRefunds();
    try {
      await request(t.baseUrl).post(`/api/v1/bookings/${buyer.reference}/cancel`).set('Authorization', `Bearer ${buyer.token}`).expect(200);
    } finally {
      await restore();
    }
    const [unrecorded] = await t.db('refunds').where({ booking_id: booking.id });
    expect(unrecorded).toMatchObject({ status: 'requested', stripe_refund_id: null });
    expect((await t.stripe.charges.retrieve(payment.stripe_charge_id)).amount_refunded).toBe(4000);

    await processPendingRefunds(t.ctx);
    t.sandbox.setDelivery({ hold: false });
    t.sandbox.releaseHeld();
    await t.sandbox.flush();
    await t.sendMail();

    expect((await t.stripe.charges.retrieve(payment.stripe_charge_id)).amount_refunded).toBe(4000);
    const refunds = await t.db('refunds').where({ booking_id: booking.id });
    expect(refunds).toEqual([expect.objectContaining({ amount: 4000, status: 'succeeded', stripe_refund_id: expect.stringMatching(/^re_/) })]);
    expect((await t.db('payments').where({ id: payment.id }).first()).amount_refunded).toBe(4000);
    expect(t.smtp.messages.filter((m) => m.subject?.startsWith(`Refund for booking ${buyer.reference}`))).toHaveLength(1);
  });
});

/** Makes the database refuse to store a Stripe refund id, once, as a crash right after Stripe answered would. */
async function refuseRecordingStripeRefunds(): Promise<() => Promise<void>> {
  if (onPostgres) {
    await t.db.raw(`CREATE FUNCTION refuse_refund_id() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'crashed'; END $$ LANGUAGE plpgsql`);
    await t.db.raw('CREATE TRIGGER refuse_refund_id BEFORE UPDATE ON refunds FOR EACH ROW WHEN (NEW.stripe_refund_id IS NOT NULL AND OLD.stripe_refund_id IS NULL) EXECUTE FUNCTION refuse_refund_id()');
    return async () => {
      await t.db.raw('DROP TRIGGER refuse_refund_id ON refunds');
      await t.db.raw('DROP FUNCTION refuse_refund_id()');
    };
  }
  await t.db.raw("CREATE TRIGGER refuse_refund_id BEFORE UPDATE ON refunds WHEN NEW.stripe_refund_id IS NOT NULL AND OLD.stripe_refund_id IS NULL BEGIN SELECT RAISE(ABORT, 'crashed'); END");
  return async () => {
    await t.db.raw('DROP TRIGGER refuse_refund_id');
  };
}
