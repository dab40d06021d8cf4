import type Stripe from 'stripe';
import { findBookingById } from '../bookings/queries';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { AppError } from '../lib/errors';
import { applyStripeState, type FulfilOutcome } from './fulfil';
import { fetchStripeState } from './stripe-state';

export function stripeOf(ctx: ServiceContext): Stripe {
  if (!ctx.stripe) throw new AppError('payment_unavailable', 503, 'Card payments are not available at the moment.');
  return ctx.stripe;
}

/**
 * Reads the booking's checkout from Stripe and applies it: the idempotent fulfilment used by the
 * success page and the sweeper (the webhook does the same inside its own event-recording transaction).
 */
export async function syncBookingWithStripe(ctx: ServiceContext, bookingId: number, sessionIdHint?: string): Promise<FulfilOutcome | undefined> {
  const booking = await findBookingById(ctx.db, bookingId);
  const sessionId = booking?.stripeCheckoutSessionId ?? sessionIdHint;
  if (!booking || !sessionId) return undefined;
  const state = await fetchStripeState(stripeOf(ctx), sessionId);
  const outcome = await writeTransaction(ctx.db, (trx) => applyStripeState(trx, ctx, bookingId, state));
  ctx.kickOutbox();
  return outcome;
}
