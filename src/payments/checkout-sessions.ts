import type { Tx } from '../db/connect';
import { toDbTime } from '../lib/time';

/**
 * The Checkout Sessions we created, one per attempt. This table is what makes a Stripe object ours: a session we
 * recorded, or a PaymentIntent learnt from one. Stripe metadata is never trusted for that (another app on the same
 * account can write any booking_id into it).
 */

export interface OurSession {
  bookingId: number;
  sessionId: string;
  paymentIntentId: string | null;
  attempt: number;
  /** `hold`: pays for a held booking's places; `invoice`: pays an invoice booking's outstanding amount by card. */
  purpose: CheckoutPurpose;
}

export type CheckoutPurpose = 'hold' | 'invoice';

function toSession(row: Record<string, unknown>): OurSession {
  return {
    bookingId: Number(row.booking_id),
    sessionId: String(row.stripe_checkout_session_id),
    paymentIntentId: (row.stripe_payment_intent_id as string | null) ?? null,
    attempt: Number(row.attempt),
    purpose: row.purpose === 'invoice' ? 'invoice' : 'hold',
  };
}

export async function recordOurSession(db: Tx, session: { bookingId: number; sessionId: string; attempt: number; purpose?: CheckoutPurpose }, now: Date): Promise<void> {
  await db('checkout_sessions')
    .insert({ booking_id: session.bookingId, stripe_checkout_session_id: session.sessionId, attempt: session.attempt, purpose: session.purpose ?? 'hold', created_at: toDbTime(now) })
    .onConflict('stripe_checkout_session_id')
    .ignore();
}

export async function findOurSession(db: Tx, sessionId: string): Promise<OurSession | undefined> {
  const row = await db('checkout_sessions').where({ stripe_checkout_session_id: sessionId }).first();
  return row ? toSession(row) : undefined;
}

export async function findOurSessionByIntent(db: Tx, paymentIntentId: string): Promise<OurSession | undefined> {
  const row = await db('checkout_sessions').where({ stripe_payment_intent_id: paymentIntentId }).first();
  return row ? toSession(row) : undefined;
}

/** Remembers which PaymentIntent one of our sessions created, so charge and refund events can be traced to it. */
export async function noteSessionIntent(db: Tx, sessionId: string, paymentIntentId: string): Promise<void> {
  await db('checkout_sessions').where({ stripe_checkout_session_id: sessionId }).whereNull('stripe_payment_intent_id').update({ stripe_payment_intent_id: paymentIntentId });
}

export async function listOurSessions(db: Tx, bookingId: number): Promise<OurSession[]> {
  return (await db('checkout_sessions').where({ booking_id: bookingId }).orderBy('attempt')).map(toSession);
}

/** How many invoice-payment sessions we have created for a booking: the next one's attempt number is this + 1. */
export async function countInvoiceSessions(db: Tx, bookingId: number): Promise<number> {
  const row = await db('checkout_sessions').where({ booking_id: bookingId, purpose: 'invoice' }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}
