import type Stripe from 'stripe';
import type { SandboxContext } from './context';
import { createSession, expireSession } from './checkout-service';
import { expandObject } from './expand';
import { isInRange, paginate, sortNewestFirst, type ApiList } from './list';
import { parseParams } from './params';
import type { RouteTable } from './api-router';
import { createSessionSchema, listPageSchema, listSessionsSchema, retrieveSchema } from './schemas';

export function registerCheckoutRoutes(ctx: SandboxContext, route: RouteTable): void {
  route.post('/v1/checkout/sessions', ({ input }) => {
    const params = parseParams(createSessionSchema, input);
    return withExpansions(ctx, createSession(ctx, params), params.expand);
  });

  route.get('/v1/checkout/sessions', ({ input }) => {
    const query = parseParams(listSessionsSchema, input);
    const matching = [...ctx.store.sessions.values()].filter(
      (s) =>
        (!query.payment_intent || s.payment_intent === query.payment_intent) &&
        (!query.status || s.status === query.status) &&
        isInRange(s.created, query.created),
    );
    const page = paginate(sortNewestFirst(matching), query, '/v1/checkout/sessions');
    return expandObject(ctx, page, query.expand);
  });

  route.get('/v1/checkout/sessions/:id', ({ params, input }) => {
    const query = parseParams(retrieveSchema, input);
    return withExpansions(ctx, ctx.store.session(params.id), query.expand);
  });

  route.post('/v1/checkout/sessions/:id/expire', ({ params, input, origin }) => {
    const query = parseParams(retrieveSchema, input);
    return withExpansions(ctx, expireSession(ctx, params.id, origin), query.expand);
  });

  route.get('/v1/checkout/sessions/:id/line_items', ({ params, input }) => {
    const query = parseParams(listPageSchema, input);
    return expandObject(ctx, lineItemsPage(ctx, params.id, query), query.expand);
  });
}

/** Line items keep the order they were given in, as Stripe lists them. */
function lineItemsPage(ctx: SandboxContext, sessionId: string, query: { limit?: number; starting_after?: string; ending_before?: string }): ApiList<Stripe.LineItem> {
  const items = ctx.store.extras(sessionId).lineItems;
  return paginate(items, query, `/v1/checkout/sessions/${sessionId}/line_items`);
}

/** `line_items` is not an id on the session, so it is attached before the generic expansion. */
function withExpansions(ctx: SandboxContext, session: Stripe.Checkout.Session, expand: string[] | undefined): Stripe.Checkout.Session {
  if (!expand?.some((path) => path === 'line_items' || path.startsWith('line_items.'))) return expandObject(ctx, session, expand);
  const withItems = { ...session, line_items: lineItemsPage(ctx, session.id, { limit: 100 }) };
  return expandObject(ctx, withItems, expand.filter((path) => path !== 'line_items'));
}
