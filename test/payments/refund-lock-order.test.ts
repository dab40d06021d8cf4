import request from 'supertest';
import { writeTransaction } from '../../src/db/dialect';
import { recordRefund, sendRefundToStripe } from '../../src/payments/refunds';
import { onPostgres } from '../support/db';
import { buildEvent, person } from '../support/factories';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * The refund confirmation (Stripe has taken our refund: its status, the credit note, the buyer's notice) takes the
 * event's lock before the refund row, as the webhook does. It used to take the refund row first; on PostgreSQL a
 * webhook about the same refund, arriving at that moment, held the event and waited for the refund row while the
 * confirmation held the refund row and waited for the event (the credit note's email row points at it): PostgreSQL
 * killed one as a deadlock, and the holder's page read "Refund … requested" (holder-cancel.test.ts, 2 runs in 5).
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

async function paidBooking(): Promise<{ bookingId: number; eventId: number }> {
  const event = await buildEvent(t.db, paidEvent());
  const buyer = person('lock-order');
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .send({ buyer: { name: buyer.name, email: buyer.email }, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: buyer }], paymentMethod: 'stripe' });
  expect(res.status).toBe(201);
  t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
  await t.sandbox.flush();
  const row = await t.db('bookings').where({ reference: res.body.booking.reference }).first('id', 'event_id', 'status');
  expect(row.status).toBe('confirmed');
  return { bookingId: Number(row.id), eventId: Number(row.event_id) };
}

/** Waits until some session of this database waits for a lock (the confirmation, queued behind the held event). */
async function untilSomeoneWaitsForALock(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { rows } = await t.db.raw("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
    if (rows[0].n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the refund confirmation never waited for the event lock');
}

it('when a webhook holds the event and then updates the refund while the refund is being confirmed, then neither waits for the other: the refund is confirmed with one credit note', async () => {
  const { bookingId, eventId } = await paidBooking();
  // Stripe's own refund events stay with the sandbox: this test plays the webhook's part itself, at the worst moment.
  t.sandbox.setDelivery({ hold: true });
  const refundId = await writeTransaction(t.db, (trx) => recordRefund(trx, t.ctx, { bookingId, amount: 9500, reason: 'Asked by phone', initiatedBy: 'staff', attendeeIds: [], notice: 'refund_issued' }));

  if (onPostgres) {
    const webhook = await t.db.transaction();
    try {
      await webhook('events').where({ id: eventId }).forUpdate().first('id');
      const sending = sendRefundToStripe(t.ctx, refundId);
      await untilSomeoneWaitsForALock();
      // What applyStripeState does next under the event's lock: brings the refund in line with Stripe.
      await webhook('refunds').where({ id: refundId }).update({ last_error: null });
      await webhook.commit();
      await sending;
    } catch (error) {
      if (!webhook.isCompleted()) await webhook.rollback();
      throw error;
    }
  } else {
    // SQLite has one writer: the two transactions cannot interleave, so only the outcome is checked.
    await sendRefundToStripe(t.ctx, refundId);
  }

  const refund = await t.db('refunds').where({ id: refundId }).first('status', 'last_error', 'stripe_refund_id');
  expect(refund.stripe_refund_id).toMatch(/^re_/);
  expect(['pending', 'succeeded']).toContain(refund.status);
  expect(refund.last_error).toBeNull();
  const notes = await t.db('finance_documents').where({ refund_id: refundId, kind: 'credit_note' }).select('number');
  expect(notes).toHaveLength(1);
  expect(t.logged.filter((l) => /deadlock/i.test(JSON.stringify(l.extra ?? {})))).toEqual([]);
  t.sandbox.setDelivery({ hold: false });
});
