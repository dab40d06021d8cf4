import express, { type Response, type Router } from 'express';
import type Stripe from 'stripe';
import type { SandboxContext } from './context';
import { StripeApiError } from './errors';
import { checkoutPageUrl, sweepExpiredSessions } from './checkout-service';
import { type CheckoutView, renderCheckoutPage } from './checkout-page';
import { completeCheckout, declineCheckout } from './payment-service';

/** The hosted checkout page. Outages and injected API failures don't reach it. */
export function createCheckoutPageRouter(ctx: SandboxContext): Router {
  const router = express.Router();

  router.get('/checkout/:id', (req, res) => {
    sweepExpiredSessions(ctx);
    sendPage(res, viewOf(ctx, req.params.id));
  });

  router.post('/checkout/:id/pay', (req, res) => {
    const id = req.params.id;
    if (!attempt(ctx, res, id, () => completeCheckout(ctx, id))) return;
    const session = ctx.store.session(id);
    if (!session.success_url) {
      sendPage(res, viewOf(ctx, id));
      return;
    }
    res.redirect(303, withSessionId(session.success_url, id));
  });

  router.post('/checkout/:id/decline', (req, res) => {
    const id = req.params.id;
    if (!attempt(ctx, res, id, () => declineCheckout(ctx, id))) return;
    sendPage(res, { ...viewOf(ctx, id), alert: 'Your card was declined. No money was taken. You can try again or cancel.' });
  });

  router.post('/checkout/:id/cancel', (req, res) => {
    const id = req.params.id;
    const session = ctx.store.sessions.get(id);
    if (session?.cancel_url) {
      res.redirect(303, session.cancel_url);
      return;
    }
    sendPage(res, session ? { ...viewOf(ctx, id), state: 'cancelled' } : viewOf(ctx, id));
  });

  return router;
}

/** Runs a payment action; on a closed or unknown session re-renders the page saying why. */
function attempt(ctx: SandboxContext, res: Response, id: string, action: () => void): boolean {
  try {
    action();
    return true;
  } catch (err) {
    if (!(err instanceof StripeApiError)) throw err;
    const view = viewOf(ctx, id);
    sendPage(res, view, view.state === 'missing' ? 404 : 409);
    return false;
  }
}

function sendPage(res: Response, view: CheckoutView, status?: number): void {
  res
    .status(status ?? (view.state === 'missing' ? 404 : 200))
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(renderCheckoutPage(view));
}

function viewOf(ctx: SandboxContext, id: string): CheckoutView {
  const session = ctx.store.sessions.get(id);
  const pageUrl = checkoutPageUrl(ctx, encodeURIComponent(id));
  if (!session) return { sessionId: id, pageUrl, state: 'missing', currency: 'gbp', lines: [], total: 0, email: null };
  const lines = ctx.store.extras(id).lineItems.map((item) => ({
    name: item.description ?? '',
    quantity: item.quantity ?? 1,
    unitAmount: item.price?.unit_amount ?? 0,
    amount: item.amount_total,
  }));
  return {
    sessionId: id,
    pageUrl,
    state: stateOf(session),
    currency: session.currency ?? 'gbp',
    lines,
    total: session.amount_total ?? 0,
    email: session.customer_details?.email ?? session.customer_email,
  };
}

function stateOf(session: Stripe.Checkout.Session): CheckoutView['state'] {
  if (session.status === 'complete') return 'complete';
  if (session.status === 'expired') return 'expired';
  return 'open';
}

/** Stripe fills `{CHECKOUT_SESSION_ID}` in success_url; some URL builders have already encoded the braces. */
export function withSessionId(url: string, id: string): string {
  return url.replace(/\{CHECKOUT_SESSION_ID\}|%7BCHECKOUT_SESSION_ID%7D/gi, id);
}
