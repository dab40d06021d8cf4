import type Stripe from 'stripe';
import type { SandboxContext } from './context';
import { expireSession } from './checkout-service';
import { closeDispute, type DisputeOptions, openDispute } from './dispute-service';
import type { SandboxEvent } from './fixtures';
import { type AsyncOutcome, completeCheckout, declineCheckout, type PayOptions, settleAsyncPayment } from './payment-service';
import { createPayout, type PayoutOptions } from './payout-service';
import { type PlantedPayment, type PlantPaymentInput, plantPayment } from './plant-service';
import { createRefund } from './refund-service';
import type { DeliveryRecord, DeliverySettings, ReleaseOrder } from './webhook-delivery';

/**
 * What a test or a demo can do that a real Stripe account does through its dashboard,
 * its bank, or its customers. Objects returned are copies: read fresh state through the API.
 */
export interface SandboxControls {
  /** Like pressing Pay on the hosted page, without the redirect. */
  pay(sessionId: string, opts?: PayOptions): Stripe.Checkout.Session;
  /** Delivers the outcome of `pay(id, { async, deferSettlement: true })`. */
  settleAsyncPayment(sessionId: string, outcome?: AsyncOutcome): Stripe.Checkout.Session;
  /** Like pressing Decline: the card is refused and the session stays open. */
  decline(sessionId: string): Stripe.PaymentIntent;
  expire(sessionId: string): Stripe.Checkout.Session;
  /** A refund someone made in the Stripe dashboard; a `pi_…` or `ch_…` id. */
  refundFromDashboard(chargeOrPaymentIntentId: string, amount?: number): Stripe.Refund;
  dispute(chargeId: string, opts?: DisputeOptions): Stripe.Dispute;
  closeDispute(disputeId: string, status: 'won' | 'lost'): Stripe.Dispute;
  createPayout(opts?: PayoutOptions): Stripe.Payout;
  /** Plants a succeeded payment that did not come through our checkout (e.g. with no booking). */
  createCharge(input: PlantPaymentInput): PlantedPayment;
  /** Every event so far, oldest first; optionally only one type. */
  events(type?: string): SandboxEvent[];
  setWebhookUrl(url: string): void;
  setDelivery(settings: Partial<DeliverySettings>): void;
  heldEvents(): SandboxEvent[];
  releaseHeld(order?: ReleaseOrder): SandboxEvent[];
  deliveries(): DeliveryRecord[];
  /** Resolves when no webhook delivery is queued, in flight or waiting to retry. */
  waitForDeliveries(): Promise<void>;
  /** Same as `waitForDeliveries`. */
  flush(): Promise<void>;
  resendEvent(eventId: string): void;
  /** The next `count` API requests fail with `status` (default 500) and Stripe's `api_error` body. */
  failNext(count: number, opts?: { status?: number }): void;
  /** While down, API connections are dropped without an answer; the hosted page still works. */
  setDown(isDown: boolean): void;
  /** Forgets every object, event, idempotency key, fault and delivery setting. */
  reset(): void;
}

export function createControls(ctx: SandboxContext): SandboxControls {
  const copy = structuredClone;
  return {
    pay: (sessionId, opts) => copy(completeCheckout(ctx, sessionId, opts)),
    settleAsyncPayment: (sessionId, outcome) => copy(settleAsyncPayment(ctx, sessionId, outcome)),
    decline: (sessionId) => copy(declineCheckout(ctx, sessionId)),
    expire: (sessionId) => copy(expireSession(ctx, sessionId)),
    refundFromDashboard: (id, amount) =>
      copy(createRefund(ctx, id.startsWith('pi_') ? { payment_intent: id, amount } : { charge: id, amount })),
    dispute: (chargeId, opts) => copy(openDispute(ctx, chargeId, opts)),
    closeDispute: (disputeId, status) => copy(closeDispute(ctx, disputeId, status)),
    createPayout: (opts) => copy(createPayout(ctx, opts)),
    createCharge: (input) => copy(plantPayment(ctx, input)),
    events: (type) => [...ctx.store.events.values()].filter((event) => !type || event.type === type).map((event) => copy(event)),
    setWebhookUrl: (url) => ctx.webhooks.setUrl(url),
    setDelivery: (settings) => ctx.webhooks.configure(settings),
    heldEvents: () => ctx.webhooks.heldEvents(),
    releaseHeld: (order) => ctx.webhooks.releaseHeld(order),
    deliveries: () => ctx.webhooks.deliveries(),
    waitForDeliveries: () => ctx.webhooks.flush(),
    flush: () => ctx.webhooks.flush(),
    resendEvent: (eventId) => ctx.webhooks.resend(ctx.store.event(eventId)),
    failNext: (count, opts) => ctx.faults.failNext(count, opts?.status ?? 500),
    setDown: (isDown) => {
      ctx.faults.isDown = isDown;
    },
    reset: () => {
      ctx.store.clear();
      ctx.idempotency.clear();
      ctx.faults.reset();
      ctx.webhooks.reset();
    },
  };
}
