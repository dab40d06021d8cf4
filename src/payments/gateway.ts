import type Stripe from 'stripe';
import type { CardPaymentSummary, CheckoutRequest, InvoiceCheckoutRequest, PaymentGateway, RefundSummary } from '../bookings';
import type { ServiceContext } from '../context';
import { AppError } from '../lib/errors';
import { errorFields } from '../lib/logger';
import { countInvoiceSessions, listOurSessions, recordOurSession } from './checkout-sessions';
import { findBookingCardPayment, hasOpenDispute, listRefundsForBooking, listRefundsForPayment, refundedSoFar } from './queries';
import { recordRefund, sendRefundLogged } from './refunds';
import { syncSessionWithStripe } from './sync';

const UNAVAILABLE = () => new AppError('payment_unavailable', 'Card payments are not available at the moment.');

/**
 * The PaymentGateway port (bookings/payment-gateway.ts) on Stripe Checkout, through the official SDK. With no Stripe
 * key, card payments are unavailable: starting one answers 503 `payment_unavailable`; refunds can still be recorded
 * (they wait, `requested`, until a key is configured).
 */
export function createStripeGateway(ctx: ServiceContext): PaymentGateway {
  return {
    get isAvailable() {
      return ctx.stripe !== undefined;
    },

    async startCheckout(request: CheckoutRequest) {
      if (!ctx.stripe) throw UNAVAILABLE();
      const metadata = { booking_id: String(request.bookingId), booking_reference: request.reference };
      const params: Stripe.Checkout.SessionCreateParams = {
        mode: 'payment',
        line_items: request.lines.map((line) => ({
          quantity: line.quantity,
          price_data: { currency: request.currency.toLowerCase(), unit_amount: line.unitAmount, product_data: { name: line.name, ...(line.description ? { description: line.description } : {}) } },
        })),
        client_reference_id: request.reference,
        customer_email: request.buyerEmail,
        metadata,
        payment_intent_data: { metadata, description: request.description },
        expires_at: Math.floor(request.expiresAt.getTime() / 1000),
        success_url: request.successUrl,
        cancel_url: request.cancelUrl,
      };
      // Each attempt has its own key: reusing a key after a failure would replay the failure (alf.io #1254).
      const session = await ctx.stripe.checkout.sessions.create(params, { idempotencyKey: `checkout-${request.reference}-${request.attempt}` });
      await recordOurSession(ctx.db, { bookingId: request.bookingId, sessionId: session.id, attempt: request.attempt }, ctx.clock.now());
      if (!session.url) throw new AppError('payment_unavailable', 'The payment page could not be opened. Please try again.');
      return { sessionId: session.id, url: session.url };
    },

    async startInvoiceCheckout(request: InvoiceCheckoutRequest) {
      if (!ctx.stripe) throw UNAVAILABLE();
      const made = (await listOurSessions(ctx.db, request.bookingId)).filter((s) => s.purpose === 'invoice');
      const newest = made[made.length - 1];
      if (newest) {
        const current = await ctx.stripe.checkout.sessions.retrieve(newest.sessionId);
        if (current.status === 'open' && current.url && current.amount_total === request.amount) return { sessionId: current.id, url: current.url };
      }
      const attempt = (await countInvoiceSessions(ctx.db, request.bookingId)) + 1;
      const metadata = { booking_id: String(request.bookingId), booking_reference: request.reference, purpose: 'invoice' };
      const params: Stripe.Checkout.SessionCreateParams = {
        mode: 'payment',
        line_items: [{ quantity: 1, price_data: { currency: request.currency.toLowerCase(), unit_amount: request.amount, product_data: { name: request.description } } }],
        client_reference_id: request.reference,
        customer_email: request.buyerEmail,
        metadata,
        payment_intent_data: { metadata, description: request.description },
        expires_at: Math.floor(request.expiresAt.getTime() / 1000),
        success_url: request.successUrl,
        cancel_url: request.cancelUrl,
      };
      // The amount is in the key: after a bank payment changes what is outstanding, the next session is a new one.
      const session = await ctx.stripe.checkout.sessions.create(params, { idempotencyKey: `invoice-${request.reference}-${attempt}-${request.amount}` });
      await recordOurSession(ctx.db, { bookingId: request.bookingId, sessionId: session.id, attempt, purpose: 'invoice' }, ctx.clock.now());
      if (!session.url) throw new AppError('payment_unavailable', 'The payment page could not be opened. Please try again.');
      return { sessionId: session.id, url: session.url };
    },

    async openCheckoutUrl(sessionId: string) {
      if (!ctx.stripe) throw UNAVAILABLE();
      try {
        const session = await ctx.stripe.checkout.sessions.retrieve(sessionId);
        // Completed, but its webhook has not reached us yet: take its news now (a payment confirms the booking, a bank
        // debit marks it processing), so the caller's next attempt is refused instead of charging the buyer twice.
        if (session.status === 'complete') await syncSessionWithStripe(ctx, sessionId);
        return session.status === 'open' && session.url ? session.url : undefined;
      } catch (error) {
        // A new attempt follows, which reports the outage to the buyer if Stripe is really down.
        ctx.logger.warn('could not read a checkout session; starting a new attempt', { sessionId, ...errorFields(error) });
        return undefined;
      }
    },

    async closeCheckout(bookingId: number) {
      if (!ctx.stripe) return;
      for (const session of await listOurSessions(ctx.db, bookingId)) {
        try {
          const current = await ctx.stripe.checkout.sessions.retrieve(session.sessionId);
          if (current.status === 'open') await ctx.stripe.checkout.sessions.expire(session.sessionId);
        } catch (error) {
          // Expiring is a courtesy (the hold is released anyway); a payment that still slips through is refunded.
          ctx.logger.warn('could not expire a checkout session', { bookingId, sessionId: session.sessionId, ...errorFields(error) });
          continue;
        }
        await syncSessionWithStripe(ctx, session.sessionId);
      }
    },

    async cardPayment(db, bookingId): Promise<CardPaymentSummary | undefined> {
      const payment = await findBookingCardPayment(db, bookingId);
      if (!payment) return undefined;
      return { amount: payment.amount, currency: payment.currency, refunded: refundedSoFar(await listRefundsForPayment(db, payment.id)), isDisputed: await hasOpenDispute(db, payment.id) };
    },

    async refunds(db, bookingId): Promise<RefundSummary[]> {
      return (await listRefundsForBooking(db, bookingId))
        .filter((r) => r.status !== 'failed' && r.status !== 'canceled' && r.amount > 0)
        .map((r) => ({ amount: r.amount, feeKept: r.feeKept, isConfirmed: r.status === 'pending' || r.status === 'succeeded', attendeeIds: r.attendeeIds }));
    },

    recordRefund: (trx, request) => recordRefund(trx, ctx, request),
    sendRefund: (refundId) => sendRefundLogged(ctx, refundId),
  };
}
