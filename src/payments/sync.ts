import type Stripe from 'stripe';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { AppError } from '../lib/errors';
import { findOurSession, listOurSessions } from './checkout-sessions';
import { applyStripeState, type FulfilOutcome } from './fulfil';
import { fetchStripeState } from './stripe-state';

/** The Stripe client; throws AppError `payment_unavailable` (503) when no key is configured. */
export function stripeOf(ctx: ServiceContext): Stripe {
  if (!ctx.stripe) throw new AppError('payment_unavailable', 'Card payments are not available at the moment.');
  return ctx.stripe;
}

/**
 * Reads one of our Checkout Sessions from Stripe and applies it to its booking: the idempotent fulfilment used by the
 * success page, the sweeper and a hold being closed (the webhook does the same inside its own event-recording
 * transaction). A session we did not create changes nothing: undefined.
 */
export async function syncSessionWithStripe(ctx: ServiceContext, sessionId: string): Promise<FulfilOutcome | undefined> {
  const ours = await findOurSession(ctx.db, sessionId);
  if (!ours) return undefined;
  const state = await fetchStripeState(stripeOf(ctx), sessionId);
  const outcome = await writeTransaction(ctx.db, (trx) => applyStripeState(trx, ctx, ours.bookingId, state));
  ctx.kickOutbox();
  return outcome;
}

/** Brings a booking in line with Stripe for every Checkout Session we created for it (a dashboard refund whose webhook never came). */
export async function syncBookingWithStripe(ctx: ServiceContext, bookingId: number): Promise<void> {
  for (const session of await listOurSessions(ctx.db, bookingId)) await syncSessionWithStripe(ctx, session.sessionId);
}
