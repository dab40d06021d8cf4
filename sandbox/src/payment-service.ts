import type Stripe from 'stripe';
import { type SandboxContext, nowSeconds } from './context';
import { invalidRequest } from './errors';
import { emitEvent } from './events';
import { CHARGE_AVAILABILITY_SECONDS, recordBalanceTransaction } from './ledger';
import { computeFee } from './money';
import { buildCustomerDetails } from './objects-checkout';
import { type Billing, buildCharge, buildPaymentIntent, type ChargeFailure } from './objects-payments';
import { openSession } from './checkout-service';

export type AsyncOutcome = 'succeed' | 'fail';

export interface PayOptions {
  /** Pay with a delayed method: the session completes unpaid, then succeeds or fails. */
  async?: AsyncOutcome;
  /** With `async`, stop after completion; `settleAsyncPayment` delivers the outcome later. */
  deferSettlement?: boolean;
  email?: string;
  name?: string;
}

const DEFAULT_BUYER_EMAIL = 'buyer@example.com';
const CARD_DECLINED: ChargeFailure = { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' };

/** What pressing Pay on the hosted page does. */
export function completeCheckout(ctx: SandboxContext, sessionId: string, opts: PayOptions = {}): Stripe.Checkout.Session {
  const session = openSession(ctx, sessionId);
  const billing: Billing = { email: opts.email ?? session.customer_email ?? DEFAULT_BUYER_EMAIL, name: opts.name ?? null };
  const intent = intentForSession(ctx, session);
  session.status = 'complete';
  session.url = null;
  session.customer_details = buildCustomerDetails(billing.email, billing.name);
  if (!opts.async) {
    succeedIntent(ctx, intent, billing);
    session.payment_status = 'paid';
    emitEvent(ctx, 'checkout.session.completed', session);
    return session;
  }
  intent.status = 'processing';
  ctx.store.extras(session.id).pendingAsync = { outcome: opts.async, billing };
  emitEvent(ctx, 'checkout.session.completed', session);
  if (!opts.deferSettlement) settleAsyncPayment(ctx, session.id);
  return session;
}

/** The bank's answer to a delayed payment method, days later in real life. */
export function settleAsyncPayment(ctx: SandboxContext, sessionId: string, outcome?: AsyncOutcome): Stripe.Checkout.Session {
  const session = ctx.store.session(sessionId);
  const extras = ctx.store.extras(sessionId);
  const pending = extras.pendingAsync;
  if (!pending || typeof session.payment_intent !== 'string') {
    throw invalidRequest(`Checkout Session ${sessionId} has no delayed payment waiting to settle.`);
  }
  extras.pendingAsync = undefined;
  const intent = ctx.store.paymentIntent(session.payment_intent);
  if ((outcome ?? pending.outcome) === 'succeed') {
    succeedIntent(ctx, intent, pending.billing);
    session.payment_status = 'paid';
    emitEvent(ctx, 'checkout.session.async_payment_succeeded', session);
  } else {
    failIntent(ctx, intent, pending.billing, { code: 'payment_method_provider_decline', declineCode: 'generic_decline', message: 'The payment was declined by the bank.' });
    emitEvent(ctx, 'checkout.session.async_payment_failed', session);
  }
  return session;
}

/** A declined card: the session stays open for another try. */
export function declineCheckout(ctx: SandboxContext, sessionId: string, opts: { email?: string } = {}): Stripe.PaymentIntent {
  const session = openSession(ctx, sessionId);
  const intent = intentForSession(ctx, session);
  failIntent(ctx, intent, { email: opts.email ?? session.customer_email ?? DEFAULT_BUYER_EMAIL, name: null }, CARD_DECLINED);
  return intent;
}

/** Checkout makes the PaymentIntent at the first attempt and reuses it after a decline. */
function intentForSession(ctx: SandboxContext, session: Stripe.Checkout.Session): Stripe.PaymentIntent {
  if (typeof session.payment_intent === 'string') return ctx.store.paymentIntent(session.payment_intent);
  const data = ctx.store.extras(session.id).paymentIntentData;
  const intent = buildPaymentIntent({
    amount: session.amount_total ?? 0,
    currency: session.currency ?? 'gbp',
    created: nowSeconds(ctx),
    metadata: data.metadata,
    description: data.description,
  });
  ctx.store.paymentIntents.set(intent.id, intent);
  session.payment_intent = intent.id;
  return intent;
}

/** Charge, fee and balance transaction for a successful payment, then `payment_intent.succeeded`. */
export function succeedIntent(ctx: SandboxContext, intent: Stripe.PaymentIntent, billing: Billing): Stripe.Charge {
  const created = nowSeconds(ctx);
  const charge = buildCharge(intent, billing, created);
  const txn = recordBalanceTransaction(ctx, {
    amount: charge.amount,
    fee: computeFee(charge.amount, ctx.options.feePercentBps, ctx.options.feeFixed),
    currency: charge.currency,
    type: 'charge',
    reportingCategory: 'charge',
    source: charge.id,
    description: charge.description,
    availableOn: created + CHARGE_AVAILABILITY_SECONDS,
  });
  charge.balance_transaction = txn.id;
  ctx.store.charges.set(charge.id, charge);
  Object.assign(intent, {
    status: 'succeeded',
    amount_received: intent.amount,
    latest_charge: charge.id,
    payment_method: charge.payment_method,
    last_payment_error: null,
  });
  emitEvent(ctx, 'payment_intent.succeeded', intent);
  return charge;
}

function failIntent(ctx: SandboxContext, intent: Stripe.PaymentIntent, billing: Billing, failure: ChargeFailure): void {
  const charge = buildCharge(intent, billing, nowSeconds(ctx), failure);
  ctx.store.charges.set(charge.id, charge);
  Object.assign(intent, {
    status: 'requires_payment_method',
    latest_charge: charge.id,
    last_payment_error: {
      type: 'card_error',
      charge: charge.id,
      code: failure.code,
      decline_code: failure.declineCode,
      message: failure.message,
      doc_url: `https://stripe.com/docs/error-codes/${failure.code.replace(/_/g, '-')}`,
    },
  });
  emitEvent(ctx, 'payment_intent.payment_failed', intent);
}
