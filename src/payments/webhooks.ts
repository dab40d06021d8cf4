import express, { Router } from 'express';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { AppError } from '../lib/errors';
import { applyStripeState } from './fulfil';
import { recordStripeEvent } from './queries';
import { fetchStripeState } from './stripe-state';
import { stripeOf } from './sync';
import { processPendingRefunds } from './refunds';

const bookingIdSchema = z.coerce.number().int().positive();
const idOf = (value: unknown): string | null => (typeof value === 'string' ? value : value && typeof value === 'object' && 'id' in value ? String((value as { id: string }).id) : null);

interface Target {
  bookingId: number;
  sessionId: string;
}

async function bookingBySession(ctx: ServiceContext, sessionId: string, metadataBookingId?: string): Promise<Target | null> {
  const byId = bookingIdSchema.safeParse(metadataBookingId);
  const row = byId.success
    ? await ctx.db('bookings').where({ id: byId.data }).first('id', 'stripe_checkout_session_id')
    : await ctx.db('bookings').where({ stripe_checkout_session_id: sessionId }).first('id', 'stripe_checkout_session_id');
  if (!row) return null;
  // A booking tied to another session ignores this one's news, unless it never saved its own.
  if (row.stripe_checkout_session_id && row.stripe_checkout_session_id !== sessionId) return null;
  return { bookingId: Number(row.id), sessionId };
}

/** Finds the booking a PaymentIntent paid for: from our payments, our bookings, or Stripe's metadata. */
async function bookingByPaymentIntent(ctx: ServiceContext, paymentIntentId: string): Promise<Target | null> {
  const row =
    (await ctx.db('payments').join('bookings', 'bookings.id', 'payments.booking_id').where('payments.stripe_payment_intent_id', paymentIntentId).first('bookings.id', 'bookings.stripe_checkout_session_id')) ??
    (await ctx.db('bookings').where({ stripe_payment_intent_id: paymentIntentId }).first('id', 'stripe_checkout_session_id'));
  if (row?.stripe_checkout_session_id) return { bookingId: Number(row.id), sessionId: String(row.stripe_checkout_session_id) };
  const sessions = await stripeOf(ctx).checkout.sessions.list({ payment_intent: paymentIntentId, limit: 1 });
  const session = sessions.data[0];
  return session ? bookingBySession(ctx, session.id, session.metadata?.booking_id) : null;
}

/** Which booking an event concerns, if any. May ask Stripe, so it runs before the transaction. */
async function targetOf(ctx: ServiceContext, event: Stripe.Event): Promise<Target | null> {
  const object = event.data.object as unknown as Record<string, unknown>;
  if (event.type.startsWith('checkout.session.')) {
    const session = event.data.object as Stripe.Checkout.Session;
    return bookingBySession(ctx, session.id, session.metadata?.booking_id);
  }
  if (event.type.startsWith('charge.') || event.type.startsWith('refund.') || event.type.startsWith('payment_intent.')) {
    const paymentIntentId = event.type.startsWith('payment_intent.') ? idOf(object.id) : idOf(object.payment_intent);
    return paymentIntentId ? bookingByPaymentIntent(ctx, paymentIntentId) : null;
  }
  return null;
}

export type WebhookOutcome = 'processed' | 'duplicate' | 'ignored';

/**
 * Processes one verified event exactly once: its id is recorded in the same transaction as its
 * effect, so a repeat finds it and changes nothing, and a failure rolls both back for Stripe to retry.
 * The effect is always "bring the booking in line with Stripe's current state", so order does not matter.
 */
export async function handleStripeEvent(ctx: ServiceContext, event: Stripe.Event): Promise<WebhookOutcome> {
  const seen = await ctx.db('stripe_events').where({ id: event.id }).first('id');
  if (seen) return 'duplicate';
  const target = await targetOf(ctx, event);
  const state = target ? await fetchStripeState(stripeOf(ctx), target.sessionId) : null;
  const outcome = await writeTransaction(ctx.db, async (trx) => {
    if (!(await recordStripeEvent(trx, event, target?.bookingId ?? null, ctx.clock.now()))) return { result: 'duplicate' as const, needsRefund: false };
    if (!target || !state) return { result: 'ignored' as const, needsRefund: false };
    const applied = await applyStripeState(trx, ctx, target.bookingId, state);
    return { result: 'processed' as const, needsRefund: applied.needsRefund };
  });
  ctx.kickOutbox();
  if (outcome.needsRefund) await processPendingRefunds(ctx).catch(() => undefined);
  return outcome.result;
}

export function webhookRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.post('/webhooks/stripe', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const secret = ctx.config.stripe.webhookSecret;
    if (!ctx.stripe || !secret) throw new AppError('webhooks_disabled', 503, 'Stripe webhooks are not configured.');
    const signature = req.get('stripe-signature');
    if (!signature || !Buffer.isBuffer(req.body) || req.body.length === 0) throw new AppError('invalid_signature', 400, 'Missing Stripe signature or body.');
    let event: Stripe.Event;
    try {
      event = ctx.stripe.webhooks.constructEvent(req.body, signature, secret);
    } catch {
      throw new AppError('invalid_signature', 400, 'The Stripe signature did not verify.');
    }
    const outcome = await handleStripeEvent(ctx, event);
    res.json({ received: true, outcome });
  });
  return router;
}
