import { writeTransaction } from '../db/dialect';
import { balanceTransactionRow, payoutRow } from './stripe-objects';
import type { SyncDeps } from './sync';

import { listPayoutsNeedingLines, listPayoutsToRecheck, markPayoutLinesSynced, upsertBalanceTransactions, upsertPayouts } from './sync-queries';
import type { StreamOptions } from './sync-stream';

/** A paid payout can still fail for a few days after it arrives (a closed bank account). */
const RECENT_PAYOUT_DAYS = 10;

/** Reads again each payout whose status or reconciliation can still change. */
export async function recheckPayouts(deps: SyncDeps, heartbeat: () => Promise<void>): Promise<number> {
  const since = new Date(deps.clock.now().getTime() - RECENT_PAYOUT_DAYS * 86_400_000);
  const ids = await listPayoutsToRecheck(deps.db, since);
  for (const id of ids) {
    const payout = await deps.stripe.payouts.retrieve(id);
    await heartbeat();
    await upsertPayouts(deps.db, [payoutRow(payout, deps.clock.now())]);
  }
  return ids.length;
}

/**
 * Fetches the balance transactions each paid payout is made of (Stripe's payout filter), which is how
 * a payment learns its payout. A payout is marked done only once all of its pages are stored.
 */
export async function syncPayoutLines(deps: SyncDeps, options: StreamOptions): Promise<number> {
  let stored = 0;
  for (const payoutId of await listPayoutsNeedingLines(deps.db)) {
    let buffer: unknown[] = [];
    const storePage = async () => {
      if (buffer.length === 0) return;
      const page = buffer;
      buffer = [];
      await options.beforePage?.();
      await upsertBalanceTransactions(deps.db, page.map((t) => balanceTransactionRow(t, deps.clock.now())), payoutId);
      stored += page.length;
      await options.afterPage?.({ stream: 'payout_lines', count: page.length });
    };
    for await (const txn of deps.stripe.balanceTransactions.list({ payout: payoutId, limit: options.pageSize, expand: ['data.source'] })) {
      buffer.push(txn);
      if (buffer.length >= options.pageSize) await storePage();
    }
    await storePage();
    await writeTransaction(deps.db, (trx) => markPayoutLinesSynced(trx, payoutId, deps.clock.now()));
  }
  return stored;
}
