import Stripe from 'stripe';
import { expireHold, findBookingById, isHoldLive } from '../bookings';
import type { ServiceContext } from '../context';
import { skipLocked, writeTransaction } from '../db/dialect';
import { AppError } from '../lib/errors';
import { errorFields } from '../lib/logger';
import { toDbTime } from '../lib/time';
import { listOurSessions } from './checkout-sessions';
import { stripeOf, syncSessionWithStripe } from './sync';

const LEASE_MS = 2 * 60_000;

/** Claims lapsed holds for this sweeper; the lease keeps a second instance off them meanwhile. */
async function claimLapsedHolds(ctx: ServiceContext, limit: number): Promise<number[]> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const query = trx('bookings')
      .select('id')
      .where('status', 'pending_payment')
      .where('hold_expires_at', '<=', toDbTime(now))
      .where((q) => q.whereNull('sweep_lease_until').orWhere('sweep_lease_until', '<', toDbTime(now)))
      .orderBy('hold_expires_at')
      .limit(limit);
    const rows = (await skipLocked(trx, query)) as Array<{ id: number }>;
    if (rows.length === 0) return [];
    await trx('bookings').whereIn('id', rows.map((r) => r.id)).update({ sweep_lease_until: toDbTime(new Date(now.getTime() + LEASE_MS)) });
    return rows.map((r) => Number(r.id));
  });
}

/** Stripe unreachable or refusing: the lease lapses and the next sweep tries again; the seats stay held meanwhile. */
function isProviderTrouble(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeError || (error instanceof AppError && error.code === 'payment_unavailable');
}

/**
 * Expires unpaid holds whose time is up. It asks Stripe first about every session we created for the booking, so a
 * booking that was paid is fulfilled instead and one whose payment is in flight keeps its seats; it expires each
 * session still open, so nobody can pay for seats that are gone (a payment that still slips through is refunded).
 * Returns how many holds it expired.
 */
export async function expireLapsedHolds(ctx: ServiceContext): Promise<number> {
  let expired = 0;
  for (const bookingId of await claimLapsedHolds(ctx, 25)) {
    try {
      if (await sweepOne(ctx, bookingId)) expired++;
    } catch (error) {
      if (isProviderTrouble(error)) ctx.logger.warn('hold sweep: Stripe unreachable, will retry', { job: 'hold-sweeper', bookingId, ...errorFields(error) });
      else ctx.logger.error('hold sweep failed', { job: 'hold-sweeper', bookingId, ...errorFields(error) });
    }
  }
  return expired;
}

async function sweepOne(ctx: ServiceContext, bookingId: number): Promise<boolean> {
  for (const session of await listOurSessions(ctx.db, bookingId)) {
    const current = await stripeOf(ctx).checkout.sessions.retrieve(session.sessionId);
    if (current.status === 'open') await stripeOf(ctx).checkout.sessions.expire(session.sessionId);
    await syncSessionWithStripe(ctx, session.sessionId);
  }
  // Every session is settled now; a hold still waiting with no payment in flight has nothing left to wait for.
  return writeTransaction(ctx.db, async (trx) => {
    const booking = await findBookingById(trx, bookingId);
    if (booking?.status === 'pending_payment' && !isHoldLive(booking, ctx.clock.now())) await expireHold(trx, ctx, bookingId, 'Not paid before the hold expired');
    return (await findBookingById(trx, bookingId))?.status === 'expired';
  });
}
