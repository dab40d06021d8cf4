import type { BookingStatus } from '../bookings';
import type { StripeState } from './types';

/** What fulfilment knows when it decides: the booking, its event, Stripe's state of one of our sessions, and our payments. */
export interface FulfilFacts {
  booking: {
    status: BookingStatus;
    stripeCheckoutSessionId: string | null;
    paymentProcessingSince: Date | null;
    /** The hold still has time left (bookings/holds.ts isHoldLive): a session closed before then was closed by us, to cancel or release it. */
    isHoldLive: boolean;
  };
  isEventCancelled: boolean;
  state: Pick<StripeState, 'sessionId' | 'sessionStatus' | 'paymentStatus' | 'paymentIntentId' | 'paymentIntentStatus'>;
  /** This session's PaymentIntent is already recorded as one of our payments. */
  isKnownPayment: boolean;
  /** The booking already has another succeeded card payment (a different PaymentIntent: two tabs, an old link). */
  hasOtherPayment: boolean;
  /** What the session was made for: a hold's places, or an invoice's outstanding amount ("pay by card instead"). */
  purpose?: 'hold' | 'invoice';
}

/** Why we keep none of a payment: late (the hold lapsed and the seats had gone), a duplicate, for a cancelled event or booking. */
export type RefundBecause = 'late' | 'duplicate' | 'event_cancelled' | 'booking_cancelled';

export type FulfilDecision =
  /** Confirm the hold (or take the seats back after a late payment); if the seats are gone, refund. */
  | { kind: 'confirm' }
  /** Keep the money against the booking and change nothing about its seats. */
  | { kind: 'record' }
  /** Keep no money: record the payment against the booking, refund it in full, tell the buyer why. */
  | { kind: 'refund'; because: Exclude<RefundBecause, 'late'> }
  /** A payment is in flight: keep the hold until Stripe settles it. */
  | { kind: 'processing' }
  /** Release the hold's seats: unpaid in time, or the payment failed (the buyer is told). */
  | { kind: 'expire'; reason: string; notifyFailed: boolean }
  | { kind: 'nothing' };

/** PaymentIntent statuses after which the payment will not succeed without the buyer starting again (Stripe API: PaymentIntent.status). */
const FAILED_INTENT = new Set(['requires_payment_method', 'canceled']);

/**
 * The pure heart of fulfilment: given this booking, its event and what Stripe says about one of our Checkout
 * Sessions, what happens. Paid money is never silently dropped: it confirms the booking, or is kept on a booking that
 * already stands, or is refunded with a reason. Unpaid sessions only ever release a hold that is still waiting.
 * Sources: Stripe docs "Fulfill orders" (checkout.session.completed with payment_status unpaid for delayed methods,
 * then async_payment_succeeded / async_payment_failed).
 */
export function decideFulfilment(facts: FulfilFacts): FulfilDecision {
  const { booking, state } = facts;
  const isPaid = state.paymentStatus === 'paid' && state.paymentIntentId !== null;
  // An invoice paid by card is money against the invoice: kept and recorded whatever the booking's state (above what
  // the invoice asks, it is an overpayment the treasurer sees and repays); its session never moves seats or holds.
  if (facts.purpose === 'invoice') return isPaid ? { kind: 'record' } : { kind: 'nothing' };
  if (isPaid) {
    if (facts.isKnownPayment) return { kind: 'record' };
    if (facts.hasOtherPayment) return { kind: 'refund', because: 'duplicate' };
    if (facts.isEventCancelled) return { kind: 'refund', because: 'event_cancelled' };
    if (booking.status === 'pending_payment' || booking.status === 'expired') return { kind: 'confirm' };
    if (booking.status === 'confirmed') return { kind: 'record' };
    return { kind: 'refund', because: 'booking_cancelled' };
  }
  if (booking.status !== 'pending_payment') return { kind: 'nothing' };
  const isCurrent = state.sessionId === booking.stripeCheckoutSessionId;
  const hasFailed = state.sessionStatus === 'complete' && state.paymentIntentStatus !== null && FAILED_INTENT.has(state.paymentIntentStatus);
  if (hasFailed && (isCurrent || booking.paymentProcessingSince !== null)) return { kind: 'expire', reason: 'The payment failed', notifyFailed: true };
  if (state.sessionStatus === 'complete' && state.paymentStatus === 'unpaid' && !hasFailed) return { kind: 'processing' };
  // Only a lapsed hold expires with its session: one closed while the hold is live was closed by whoever is cancelling
  // or releasing the hold, and that transition (not "expired, not paid in time") is theirs to make.
  if (state.sessionStatus === 'expired' && isCurrent && booking.paymentProcessingSince === null && !booking.isHoldLive) {
    return { kind: 'expire', reason: 'Not paid before the hold expired', notifyFailed: false };
  }
  return { kind: 'nothing' };
}
