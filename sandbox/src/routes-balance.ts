import type { SandboxContext } from './context';
import type { RouteTable } from './api-router';
import { expandObject } from './expand';
import { refreshAvailability } from './ledger';
import { isInRange, paginate, sortNewestFirst } from './list';
import { parseParams } from './params';
import { listBalanceTransactionsSchema, listPayoutsSchema, retrieveSchema } from './schemas';

export function registerBalanceRoutes(ctx: SandboxContext, route: RouteTable): void {
  route.get('/v1/balance_transactions', ({ input }) => {
    const query = parseParams(listBalanceTransactionsSchema, input);
    if (query.payout) ctx.store.payout(query.payout);
    refreshAvailability(ctx);
    const matching = [...ctx.store.balanceTransactions.values()].filter(
      (txn) =>
        (!query.payout || ctx.store.payoutOfTransaction.get(txn.id) === query.payout) &&
        (!query.type || txn.type === query.type) &&
        (!query.source || txn.source === query.source) &&
        (!query.currency || txn.currency === query.currency) &&
        isInRange(txn.created, query.created),
    );
    return expandObject(ctx, paginate(sortNewestFirst(matching), query, '/v1/balance_transactions'), query.expand);
  });

  route.get('/v1/balance_transactions/:id', ({ params, input }) => {
    refreshAvailability(ctx);
    return expandObject(ctx, ctx.store.balanceTransaction(params.id), parseParams(retrieveSchema, input).expand);
  });

  route.get('/v1/payouts', ({ input }) => {
    const query = parseParams(listPayoutsSchema, input);
    const matching = [...ctx.store.payouts.values()].filter(
      (po) => (!query.status || po.status === query.status) && isInRange(po.created, query.created) && isInRange(po.arrival_date, query.arrival_date),
    );
    return expandObject(ctx, paginate(sortNewestFirst(matching), query, '/v1/payouts'), query.expand);
  });

  route.get('/v1/payouts/:id', ({ params, input }) =>
    expandObject(ctx, ctx.store.payout(params.id), parseParams(retrieveSchema, input).expand),
  );
}
