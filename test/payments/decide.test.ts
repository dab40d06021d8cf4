import type { BookingStatus } from '../../src/bookings';
import { decideFulfilment, type FulfilFacts } from '../../src/payments/decide';

/** Facts for one of our sessions; by default a live hold on session cs_current whose card payment pi_1 just succeeded. */
function facts(changes: {
  status?: BookingStatus;
  currentSession?: string | null;
  processing?: boolean;
  isHoldLive?: boolean;
  isEventCancelled?: boolean;
  sessionId?: string;
  sessionStatus?: FulfilFacts['state']['sessionStatus'];
  paymentStatus?: FulfilFacts['state']['paymentStatus'];
  paymentIntentId?: string | null;
  paymentIntentStatus?: string | null;
  isKnownPayment?: boolean;
  hasOtherPayment?: boolean;
} = {}): FulfilFacts {
  return {
    booking: {
      status: changes.status ?? 'pending_payment',
      stripeCheckoutSessionId: changes.currentSession === undefined ? 'cs_current' : changes.currentSession,
      paymentProcessingSince: changes.processing ? new Date('2026-03-02T12:05:00Z') : null,
      isHoldLive: changes.isHoldLive ?? true,
    },
    isEventCancelled: changes.isEventCancelled ?? false,
    state: {
      sessionId: changes.sessionId ?? 'cs_current',
      sessionStatus: changes.sessionStatus ?? 'complete',
      paymentStatus: changes.paymentStatus ?? 'paid',
      paymentIntentId: changes.paymentIntentId === undefined ? 'pi_1' : changes.paymentIntentId,
      paymentIntentStatus: changes.paymentIntentStatus === undefined ? 'succeeded' : changes.paymentIntentStatus,
    },
    isKnownPayment: changes.isKnownPayment ?? false,
    hasOtherPayment: changes.hasOtherPayment ?? false,
  };
}

describe('decideFulfilment: a paid session', () => {
  it('when a live hold is paid, then it is confirmed', () => {
    expect(decideFulfilment(facts())).toEqual({ kind: 'confirm' });
  });

  it('when a lapsed hold or an expired booking is paid late, then it is confirmed (the lifecycle takes the seats back if they are still free, or refunds)', () => {
    expect(decideFulfilment(facts({ isHoldLive: false }))).toEqual({ kind: 'confirm' });
    expect(decideFulfilment(facts({ status: 'expired', isHoldLive: false }))).toEqual({ kind: 'confirm' });
  });

  it('when a hold whose bank debit was processing is paid, then it is confirmed', () => {
    expect(decideFulfilment(facts({ processing: true }))).toEqual({ kind: 'confirm' });
  });

  it('when an older session of the booking is paid (not the current one), then it still confirms the hold', () => {
    expect(decideFulfilment(facts({ sessionId: 'cs_older' }))).toEqual({ kind: 'confirm' });
  });

  it('when the payment is already recorded, then it is recorded again (refunds, disputes) and nothing about the seats changes', () => {
    expect(decideFulfilment(facts({ status: 'confirmed', isKnownPayment: true }))).toEqual({ kind: 'record' });
    // A known payment wins over everything else: it was decided when it was first recorded.
    expect(decideFulfilment(facts({ status: 'expired', isKnownPayment: true, hasOtherPayment: true, isEventCancelled: true }))).toEqual({ kind: 'record' });
  });

  it('when the booking is already paid by another PaymentIntent, then the new payment is refunded as a duplicate', () => {
    expect(decideFulfilment(facts({ status: 'confirmed', hasOtherPayment: true }))).toEqual({ kind: 'refund', because: 'duplicate' });
    expect(decideFulfilment(facts({ status: 'cancelled', hasOtherPayment: true }))).toEqual({ kind: 'refund', because: 'duplicate' });
  });

  it('when the event was cancelled, then a payment for a hold is refunded for that reason', () => {
    expect(decideFulfilment(facts({ isEventCancelled: true }))).toEqual({ kind: 'refund', because: 'event_cancelled' });
  });

  it('when the booking is confirmed and this is its first recorded payment, then the money is kept against it', () => {
    expect(decideFulfilment(facts({ status: 'confirmed' }))).toEqual({ kind: 'record' });
  });

  it.each(['cancelled', 'waitlisted'] as const)('when the booking is %s, then the payment is refunded because the booking is not payable', (status) => {
    expect(decideFulfilment(facts({ status }))).toEqual({ kind: 'refund', because: 'booking_cancelled' });
  });

  it('when Stripe says paid but names no PaymentIntent, then it is not treated as money (nothing to record or refund)', () => {
    expect(decideFulfilment(facts({ paymentIntentId: null }))).toEqual({ kind: 'nothing' });
  });
});

describe('decideFulfilment: a session that is not paid', () => {
  const unpaid = (changes: Parameters<typeof facts>[0] = {}) => facts({ paymentStatus: 'unpaid', paymentIntentStatus: 'processing', ...changes });

  it.each(['confirmed', 'cancelled', 'expired', 'waitlisted'] as const)('when the booking is %s, then nothing happens', (status) => {
    expect(decideFulfilment(unpaid({ status }))).toEqual({ kind: 'nothing' });
    expect(decideFulfilment(unpaid({ status, sessionStatus: 'expired', paymentIntentStatus: null }))).toEqual({ kind: 'nothing' });
  });

  it('when a completed session is unpaid and its payment is in flight, then the hold is kept as processing', () => {
    expect(decideFulfilment(unpaid())).toEqual({ kind: 'processing' });
    expect(decideFulfilment(unpaid({ paymentIntentStatus: null }))).toEqual({ kind: 'processing' });
    expect(decideFulfilment(unpaid({ sessionId: 'cs_older' }))).toEqual({ kind: 'processing' });
  });

  it('when the current session’s delayed payment failed, then the hold is released and the buyer told, whatever time the hold had left', () => {
    for (const failed of ['requires_payment_method', 'canceled']) {
      expect(decideFulfilment(unpaid({ paymentIntentStatus: failed, processing: true }))).toEqual({ kind: 'expire', reason: 'The payment failed', notifyFailed: true });
      expect(decideFulfilment(unpaid({ paymentIntentStatus: failed }))).toEqual({ kind: 'expire', reason: 'The payment failed', notifyFailed: true });
      expect(decideFulfilment(unpaid({ paymentIntentStatus: failed, isHoldLive: false }))).toEqual({ kind: 'expire', reason: 'The payment failed', notifyFailed: true });
    }
  });

  it('when an older session’s payment failed while the hold was processing, then the hold is released and the buyer told', () => {
    expect(decideFulfilment(unpaid({ sessionId: 'cs_older', paymentIntentStatus: 'requires_payment_method', processing: true }))).toEqual({
      kind: 'expire',
      reason: 'The payment failed',
      notifyFailed: true,
    });
  });

  it('when an older session’s payment failed and nothing is processing, then the current session is left to run', () => {
    expect(decideFulfilment(unpaid({ sessionId: 'cs_older', paymentIntentStatus: 'requires_payment_method' }))).toEqual({ kind: 'nothing' });
  });

  it('when the current session expired unpaid and the hold has lapsed, then the hold is expired without telling the buyer about a failure', () => {
    expect(decideFulfilment(unpaid({ sessionStatus: 'expired', paymentIntentStatus: null, isHoldLive: false }))).toEqual({
      kind: 'expire',
      reason: 'Not paid before the hold expired',
      notifyFailed: false,
    });
  });

  it('when the current session was closed while the hold still had time (the buyer is cancelling it), then nothing: the cancellation decides', () => {
    expect(decideFulfilment(unpaid({ sessionStatus: 'expired', paymentIntentStatus: null, isHoldLive: true }))).toEqual({ kind: 'nothing' });
  });

  it('when an older session expired, or the current one expired while a payment is processing, then nothing happens', () => {
    expect(decideFulfilment(unpaid({ sessionStatus: 'expired', sessionId: 'cs_older', paymentIntentStatus: null, isHoldLive: false }))).toEqual({ kind: 'nothing' });
    expect(decideFulfilment(unpaid({ sessionStatus: 'expired', processing: true, paymentIntentStatus: null, isHoldLive: false }))).toEqual({ kind: 'nothing' });
  });

  it('when the session is still open (even after a declined card), then nothing happens', () => {
    expect(decideFulfilment(unpaid({ sessionStatus: 'open', paymentIntentStatus: null }))).toEqual({ kind: 'nothing' });
    expect(decideFulfilment(unpaid({ sessionStatus: 'open', paymentIntentStatus: 'requires_payment_method' }))).toEqual({ kind: 'nothing' });
  });

  it('when a completed session needed no payment, then nothing happens', () => {
    expect(decideFulfilment(facts({ paymentStatus: 'no_payment_required', paymentIntentId: null, paymentIntentStatus: null }))).toEqual({ kind: 'nothing' });
  });
});

describe('decideFulfilment: an invoice paid by card instead (session purpose invoice)', () => {
  const invoice = (changes: Parameters<typeof facts>[0]) => ({ ...facts({ status: 'confirmed', currentSession: null, ...changes }), purpose: 'invoice' as const });

  it('when the invoice session is paid, then the money is recorded against the confirmed booking and no seat moves', () => {
    expect(decideFulfilment(invoice({}))).toEqual({ kind: 'record' });
  });

  it('when the booking or its event was cancelled meanwhile, or another card payment exists, then the money is still recorded (an overpayment the treasurer sees), never refunded by itself or confirming anything', () => {
    expect(decideFulfilment(invoice({ status: 'cancelled' }))).toEqual({ kind: 'record' });
    expect(decideFulfilment(invoice({ isEventCancelled: true }))).toEqual({ kind: 'record' });
    expect(decideFulfilment(invoice({ hasOtherPayment: true }))).toEqual({ kind: 'record' });
  });

  it('when the invoice session expires or its payment fails, then nothing happens to the booking', () => {
    expect(decideFulfilment(invoice({ sessionStatus: 'expired', paymentStatus: 'unpaid', paymentIntentId: null }))).toEqual({ kind: 'nothing' });
    expect(decideFulfilment(invoice({ paymentStatus: 'unpaid', paymentIntentStatus: 'requires_payment_method' }))).toEqual({ kind: 'nothing' });
  });
});
