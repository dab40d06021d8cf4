import type { SandboxContext } from './context';
import type { RouteTable } from './api-router';
import { expandObject } from './expand';
import { isInRange, paginate, sortNewestFirst } from './list';
import { parseParams } from './params';
import { listDisputesSchema, listEventsSchema, retrieveSchema } from './schemas';

export function registerEventRoutes(ctx: SandboxContext, route: RouteTable): void {
  route.get('/v1/disputes', ({ input }) => {
    const query = parseParams(listDisputesSchema, input);
    const matching = [...ctx.store.disputes.values()].filter(
      (d) =>
        (!query.charge || d.charge === query.charge) &&
        (!query.payment_intent || d.payment_intent === query.payment_intent) &&
        isInRange(d.created, query.created),
    );
    return expandObject(ctx, paginate(sortNewestFirst(matching), query, '/v1/disputes'), query.expand);
  });

  route.get('/v1/disputes/:id', ({ params, input }) =>
    expandObject(ctx, ctx.store.dispute(params.id), parseParams(retrieveSchema, input).expand),
  );

  route.get('/v1/events', ({ input }) => {
    const query = parseParams(listEventsSchema, input);
    const types = query.types ?? (query.type ? [query.type] : undefined);
    const matching = [...ctx.store.events.values()].filter(
      (evt) => (!types || types.some((pattern) => matchesType(evt.type, pattern))) && isInRange(evt.created, query.created),
    );
    return paginate(sortNewestFirst(matching), query, '/v1/events');
  });

  route.get('/v1/events/:id', ({ params, input }) => {
    parseParams(retrieveSchema, input);
    return ctx.store.event(params.id);
  });
}


/** Stripe allows `*` wildcards in event type filters, e.g. `charge.dispute.*`. */
function matchesType(type: string, pattern: string): boolean {
  if (!pattern.includes('*')) return type === pattern;
  const re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(type);
}
