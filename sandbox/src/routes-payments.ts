import type { SandboxContext } from './context';
import type { RouteTable } from './api-router';
import { expandObject } from './expand';
import { isInRange, paginate, sortNewestFirst } from './list';
import { parseParams } from './params';
import { createRefund } from './refund-service';
import { createRefundSchema, listChargesSchema, listRefundsSchema, retrieveSchema } from './schemas';

export function registerPaymentRoutes(ctx: SandboxContext, route: RouteTable): void {
  route.get('/v1/payment_intents', ({ input }) => {
    const query = parseParams(listChargesSchema.omit({ payment_intent: true }), input);
    const matching = [...ctx.store.paymentIntents.values()].filter((pi) => isInRange(pi.created, query.created));
    return expandObject(ctx, paginate(sortNewestFirst(matching), query, '/v1/payment_intents'), query.expand);
  });

  route.get('/v1/payment_intents/:id', ({ params, input }) =>
    expandObject(ctx, ctx.store.paymentIntent(params.id), parseParams(retrieveSchema, input).expand),
  );

  route.get('/v1/charges', ({ input }) => {
    const query = parseParams(listChargesSchema, input);
    const matching = [...ctx.store.charges.values()].filter(
      (ch) => (!query.payment_intent || ch.payment_intent === query.payment_intent) && isInRange(ch.created, query.created),
    );
    return expandObject(ctx, paginate(sortNewestFirst(matching), query, '/v1/charges'), query.expand);
  });

  route.get('/v1/charges/:id', ({ params, input }) =>
    expandObject(ctx, ctx.store.charge(params.id), parseParams(retrieveSchema, input).expand),
  );

  route.post('/v1/refunds', ({ input, origin }) => {
    const params = parseParams(createRefundSchema, input);
    return expandObject(ctx, createRefund(ctx, params, origin), params.expand);
  });

  route.get('/v1/refunds', ({ input }) => {
    const query = parseParams(listRefundsSchema, input);
    const matching = [...ctx.store.refunds.values()].filter(
      (re) =>
        (!query.charge || re.charge === query.charge) &&
        (!query.payment_intent || re.payment_intent === query.payment_intent) &&
        isInRange(re.created, query.created),
    );
    return expandObject(ctx, paginate(sortNewestFirst(matching), query, '/v1/refunds'), query.expand);
  });

  route.get('/v1/refunds/:id', ({ params, input }) =>
    expandObject(ctx, ctx.store.refund(params.id), parseParams(retrieveSchema, input).expand),
  );
}
