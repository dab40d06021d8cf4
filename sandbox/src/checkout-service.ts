import type Stripe from 'stripe';
import { type EventOrigin, type SandboxContext, NO_ORIGIN, nowSeconds } from './context';
import { invalidParam, invalidRequest } from './errors';
import { emitEvent } from './events';
import { newId } from './ids';
import { buildLineItem, buildSession, type LineItemInput } from './objects-checkout';

export interface CreateSessionInput {
  mode: 'payment';
  line_items: LineItemInput[];
  client_reference_id?: string;
  customer_email?: string;
  metadata?: Record<string, string>;
  payment_intent_data?: { metadata?: Record<string, string>; description?: string };
  expires_at?: number;
  success_url?: string;
  cancel_url?: string;
  locale?: string;
}

const MIN_EXPIRY_SECONDS = 30 * 60;
const MAX_EXPIRY_SECONDS = 24 * 3600;

export function createSession(ctx: SandboxContext, input: CreateSessionInput): Stripe.Checkout.Session {
  const created = nowSeconds(ctx);
  const expiresAt = input.expires_at ?? created + MAX_EXPIRY_SECONDS;
  assertExpiryInBounds(expiresAt - created);
  const currency = sharedCurrency(input.line_items);
  const built = input.line_items.map((line) => buildLineItem(line, created));
  const id = newId('cs_test');
  const session = buildSession(id, {
    amountTotal: built.reduce((sum, { item }) => sum + item.amount_total, 0),
    currency,
    created,
    expiresAt,
    url: checkoutPageUrl(ctx, id),
    clientReferenceId: input.client_reference_id ?? null,
    customerEmail: input.customer_email ?? null,
    metadata: input.metadata ?? {},
    successUrl: input.success_url ?? null,
    cancelUrl: input.cancel_url ?? null,
    locale: input.locale ?? null,
  });
  for (const { product } of built) ctx.store.products.set(product.id, product);
  ctx.store.sessions.set(id, session);
  ctx.store.sessionExtras.set(id, {
    lineItems: built.map(({ item }) => item),
    paymentIntentData: {
      metadata: input.payment_intent_data?.metadata ?? {},
      description: input.payment_intent_data?.description ?? null,
    },
  });
  return session;
}

export function checkoutPageUrl(ctx: SandboxContext, sessionId: string): string {
  return `${ctx.publicUrl}/checkout/${sessionId}`;
}

/** Stripe's own rule, checked against the sandbox clock. */
function assertExpiryInBounds(secondsAhead: number): void {
  if (secondsAhead < MIN_EXPIRY_SECONDS) {
    throw invalidParam('The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.', 'expires_at');
  }
  if (secondsAhead > MAX_EXPIRY_SECONDS) {
    throw invalidParam('The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.', 'expires_at');
  }
}

function sharedCurrency(lines: LineItemInput[]): string {
  const currency = lines[0].price_data.currency;
  const other = lines.findIndex((line) => line.price_data.currency !== currency);
  if (other !== -1) {
    throw invalidParam('All line items must use the same currency.', `line_items[${other}][price_data][currency]`);
  }
  return currency;
}

export function expireSession(ctx: SandboxContext, id: string, origin: EventOrigin = NO_ORIGIN): Stripe.Checkout.Session {
  sweepExpiredSessions(ctx);
  const session = ctx.store.session(id);
  if (session.status !== 'open') {
    throw invalidRequest(
      `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".`,
      'checkout_session_not_open',
    );
  }
  markExpired(ctx, session, origin);
  return session;
}

/** Sessions past `expires_at` expire on the next look, and on the sweep timer. */
export function sweepExpiredSessions(ctx: SandboxContext): void {
  const now = nowSeconds(ctx);
  for (const session of ctx.store.sessions.values()) {
    if (session.status === 'open' && session.expires_at <= now) markExpired(ctx, session, NO_ORIGIN);
  }
}

function markExpired(ctx: SandboxContext, session: Stripe.Checkout.Session, origin: EventOrigin): void {
  session.status = 'expired';
  session.url = null;
  // A declined attempt leaves an intent behind; expiry cancels it as Stripe does.
  const intentId = typeof session.payment_intent === 'string' ? session.payment_intent : null;
  const intent = intentId ? ctx.store.paymentIntents.get(intentId) : undefined;
  if (intent && intent.status === 'requires_payment_method') {
    intent.status = 'canceled';
    intent.canceled_at = nowSeconds(ctx);
    intent.cancellation_reason = 'abandoned';
  }
  emitEvent(ctx, 'checkout.session.expired', session, origin);
}

/** The open session, after expiring it if its time has passed. */
export function openSession(ctx: SandboxContext, id: string): Stripe.Checkout.Session {
  sweepExpiredSessions(ctx);
  const session = ctx.store.session(id);
  if (session.status !== 'open') {
    throw invalidRequest(`This Checkout Session is no longer open (status: ${session.status}).`, 'checkout_session_not_open');
  }
  return session;
}
