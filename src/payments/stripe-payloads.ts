import { z } from 'zod';
import { ValidationError } from '../lib/errors';

/**
 * The parts of Stripe webhook payloads we act on, parsed with zod after the signature has verified: a signed but
 * malformed event is refused with 400 and changes nothing (Stripe retries a 5xx for days; a 4xx tells the sender the
 * event itself is wrong). Source: Stripe API reference, "The Event object" (id, type, created, data.object).
 */

const expandable = z.union([z.string().min(1), z.object({ id: z.string().min(1) }).passthrough()]).nullish();

export const stripeEventSchema = z
  .object({
    id: z.string().min(1).max(255),
    type: z.string().min(1).max(100),
    created: z.number().int().nonnegative(),
    data: z.object({ object: z.record(z.string(), z.unknown()) }).passthrough(),
  })
  .passthrough();

export type ParsedStripeEvent = z.infer<typeof stripeEventSchema>;

const sessionSchema = z.object({ id: z.string().regex(/^cs_/, 'a Checkout Session id starts with cs_') }).passthrough();
const withIntentSchema = z.object({ id: z.string().min(1), payment_intent: expandable }).passthrough();
const intentSchema = z.object({ id: z.string().regex(/^pi_/, 'a PaymentIntent id starts with pi_') }).passthrough();

/** What one event points at: a Checkout Session, a PaymentIntent, or nothing we handle. */
export type EventSubject = { kind: 'session'; sessionId: string } | { kind: 'payment_intent'; paymentIntentId: string | null } | { kind: 'other' };

const idOf = (value: z.infer<typeof expandable>): string | null => (value ? (typeof value === 'string' ? value : value.id) : null);

function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(result.error, prefix.split('.'));
  return result.data;
}

/** Parses a verified event and what it concerns. Throws ValidationError (answered 400 `malformed_event` by the route). */
export function parseStripeEvent(raw: unknown): { event: ParsedStripeEvent; subject: EventSubject } {
  const event = parseOrThrow(stripeEventSchema, raw, 'event');
  const object = event.data.object;
  if (event.type.startsWith('checkout.session.')) return { event, subject: { kind: 'session', sessionId: parseOrThrow(sessionSchema, object, 'data.object').id } };
  if (event.type.startsWith('payment_intent.')) return { event, subject: { kind: 'payment_intent', paymentIntentId: parseOrThrow(intentSchema, object, 'data.object').id } };
  if (event.type.startsWith('charge.') || event.type.startsWith('refund.')) {
    return { event, subject: { kind: 'payment_intent', paymentIntentId: idOf(parseOrThrow(withIntentSchema, object, 'data.object').payment_intent) } };
  }
  return { event, subject: { kind: 'other' } };
}
