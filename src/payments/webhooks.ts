import express, { Router } from 'express';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { AppError, ValidationError } from '../lib/errors';
import { errorFields } from '../lib/logger';
import { refuseDeclaredOversize } from '../web/body-limits';
import { noteRefusal } from '../web/security-log';
import { findOurSession, findOurSessionByIntent } from './checkout-sessions';
import { applyStripeState } from './fulfil';
import { recordStripeEvent } from './queries';
import { processPendingRefunds } from './refunds';
import { fetchStripeState } from './stripe-state';
import { parseStripeEvent, type EventSubject, type ParsedStripeEvent } from './stripe-payloads';
import { stripeOf } from './sync';

interface Target {
  bookingId: number;
  sessionId: string;
}

/**
 * Which of our bookings an event concerns, if any. A Stripe object is ours only if we created it for that booking:
 * its Checkout Session is one we recorded, or its PaymentIntent came from one (recorded, or found by asking Stripe
 * which session made it). Metadata is never trusted. May ask Stripe, so it runs before the transaction.
 */
async function targetOf(ctx: ServiceContext, subject: EventSubject): Promise<Target | null> {
  if (subject.kind === 'session') {
    const ours = await findOurSession(ctx.db, subject.sessionId);
    return ours ? { bookingId: ours.bookingId, sessionId: ours.sessionId } : null;
  }
  if (subject.kind !== 'payment_intent' || !subject.paymentIntentId) return null;
  const known = await findOurSessionByIntent(ctx.db, subject.paymentIntentId);
  if (known) return { bookingId: known.bookingId, sessionId: known.sessionId };
  const sessions = await stripeOf(ctx).checkout.sessions.list({ payment_intent: subject.paymentIntentId, limit: 1 });
  const session = sessions.data[0];
  const ours = session ? await findOurSession(ctx.db, session.id) : undefined;
  return ours ? { bookingId: ours.bookingId, sessionId: ours.sessionId } : null;
}

/** `processed` changed a booking of ours (or confirmed nothing needed changing); `ignored`: not ours, or not a kind we act on. */
export type WebhookOutcome = 'processed' | 'duplicate' | 'ignored';

/**
 * Processes one verified, parsed event exactly once: its id is recorded in the same transaction as its effect, so a
 * repeat finds it and changes nothing, and a failure rolls both back for Stripe to retry. The effect is always "bring
 * the booking in line with Stripe's current state of our session", so order does not matter. An event about a Stripe
 * object we did not create is recorded and changes nothing: the treasurer sees its money as a payment with no booking.
 */
export async function handleStripeEvent(ctx: ServiceContext, event: ParsedStripeEvent, subject: EventSubject): Promise<WebhookOutcome> {
  const seen = await ctx.db('stripe_events').where({ id: event.id }).first('id');
  if (seen) return 'duplicate';
  const target = await targetOf(ctx, subject);
  const state = target ? await fetchStripeState(stripeOf(ctx), target.sessionId) : null;
  const outcome = await writeTransaction(ctx.db, async (trx) => {
    if (!(await recordStripeEvent(trx, event, target?.bookingId ?? null, ctx.clock.now()))) return { result: 'duplicate' as const, needsRefund: false };
    if (!target || !state) return { result: 'ignored' as const, needsRefund: false };
    const applied = await applyStripeState(trx, ctx, target.bookingId, state);
    return { result: 'processed' as const, needsRefund: applied.needsRefund };
  });
  ctx.kickOutbox();
  // Whatever Stripe reported moved money on its balance, ours or not: the treasurer's mirror should catch up.
  if (outcome.result !== 'duplicate') ctx.kickStripeSync();
  if (outcome.needsRefund) {
    // The refund is recorded as needed; if this first try fails, the refunds job tries again.
    await processPendingRefunds(ctx).catch((error: unknown) => ctx.logger.warn('automatic refund deferred to the refunds job', { event: event.id, ...errorFields(error) }));
  }
  return outcome.result;
}

/** Stripe's events are a few KB; 1 MB leaves room for the largest (an invoice with many lines). */
const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

export function webhookRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.post('/webhooks/stripe', refuseDeclaredOversize(WEBHOOK_BODY_LIMIT_BYTES), express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT_BYTES }), async (req, res) => {
    const secret = ctx.config.stripe.webhookSecret;
    if (!ctx.stripe || !secret) throw new AppError('webhooks_disabled', 'Stripe webhooks are not configured.');
    const signature = req.get('stripe-signature');
    if (!signature || !Buffer.isBuffer(req.body) || req.body.length === 0) throw new AppError('invalid_signature', 'Missing Stripe signature or body.');
    let raw: unknown;
    try {
      raw = ctx.stripe.webhooks.constructEvent(req.body, signature, secret);
    } catch (error) {
      // Logged as a webhook_signature_failed security event once the 400 is sent (web/security-log.ts).
      noteRefusal(res, 'invalid_signature', { reason: errorFields(error).error });
      throw new AppError('invalid_signature', 'The Stripe signature did not verify.');
    }
    let parsed: ReturnType<typeof parseStripeEvent>;
    try {
      parsed = parseStripeEvent(raw);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      ctx.logger.warn('signed webhook with a malformed payload refused', { requestId: res.locals.requestId, details: error.details });
      throw new AppError('malformed_event', 'The event does not have the shape of a Stripe event.', error.details);
    }
    const outcome = await handleStripeEvent(ctx, parsed.event, parsed.subject);
    res.json({ received: true, outcome });
  });
  return router;
}
