import type { ServiceContext } from '../context';
import { findBookingById } from '../bookings/queries';
import { promoteWaitlist } from '../bookings/waitlist';
import { lockRow, skipLocked, writeTransaction } from '../db/dialect';
import { findEventById } from '../events/queries';
import { toDbTime } from '../lib/time';
import { fetchStripeState } from './stripe-state';
import { stripeOf, syncBookingWithStripe } from './sync';

const LEASE_MS = 2 * 60_000;

/** Claims lapsed holds for this sweeper; the lease keeps a second instance off them meanwhile. */
async function claimLapsedHolds(ctx: ServiceContext, limit: number): Promise<Array<{ id: number; sessionId: string | null }>> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const query = trx('bookings')
      .select('id', 'stripe_checkout_session_id')
      .where('status', 'pending_payment')
      .where('hold_expires_at', '<=', toDbTime(now))
      .where((q) => q.whereNull('sweep_lease_until').orWhere('sweep_lease_until', '<', toDbTime(now)))
      .orderBy('hold_expires_at')
      .limit(limit);
    const rows = await skipLocked(trx, query);
    if (rows.length === 0) return [];
    await trx('bookings').whereIn('id', rows.map((r: { id: number }) => r.id)).update({ sweep_lease_until: toDbTime(new Date(now.getTime() + LEASE_MS)) });
    return rows.map((r: { id: number; stripe_checkout_session_id: string | null }) => ({ id: Number(r.id), sessionId: r.stripe_checkout_session_id }));
  });
}

/**
 * Expires unpaid holds whose time is up. It asks Stripe first, so a booking that was paid is
 * fulfilled instead, and it expires the Stripe session it releases, so nobody can pay for seats
 * that are gone (a payment that still slips through is refunded by fulfilment).
 */
export async function expireLapsedHolds(ctx: ServiceContext): Promise<number> {
  let expired = 0;
  for (const hold of await claimLapsedHolds(ctx, 25)) {
    try {
      if (hold.sessionId) {
        const state = await fetchStripeState(stripeOf(ctx), hold.sessionId);
        if (state.sessionStatus === 'open') {
          await stripeOf(ctx).checkout.sessions.expire(hold.sessionId).catch(() => undefined);
        }
        const outcome = await syncBookingWithStripe(ctx, hold.id);
        if (outcome?.booking.status === 'expired') expired++;
      } else {
        // No session was ever saved (the process stopped between commit and Stripe): just release.
        expired += await expireWithoutStripe(ctx, hold.id);
      }
    } catch {
      // Stripe unreachable: the lease lapses and the next sweep tries again; the seats stay held meanwhile.
    }
  }
  return expired;
}

/** Expires a hold that never reached Stripe, and offers its seats to the waitlist. */
async function expireWithoutStripe(ctx: ServiceContext, bookingId: number): Promise<number> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const booking = await findBookingById(trx, bookingId);
    if (!booking) return 0;
    await lockRow(trx, 'events', booking.eventId);
    const changed = await trx('bookings')
      .where({ id: bookingId, status: 'pending_payment' })
      .update({ status: 'expired', cancel_reason: 'Not paid before the hold expired', updated_at: toDbTime(now) });
    if (changed) await promoteWaitlist(trx, ctx, (await findEventById(trx, booking.eventId))!);
    return changed;
  });
}
