import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type Stripe from 'stripe';
import { writeTransaction } from '../db/dialect';
import type { Clock } from '../lib/clock';
import { errorFields, type Logger } from '../lib/logger';
import { balanceTransactionRow, payoutRow } from './stripe-objects';
import { linkRecordsToBalance } from './sync-link';
import { syncPayoutLines, recheckPayouts } from './sync-payouts';
import { claimSyncLease, releaseSyncLease, renewSyncLease, upsertBalanceTransactions, upsertPayouts, type SyncStream } from './sync-queries';
import { syncStream, type StreamOptions } from './sync-stream';

export interface SyncDeps {
  db: Knex;
  clock: Clock;
  stripe: Stripe;
  logger: Logger;
}

export interface SyncOptions {
  /** Objects per Stripe request and per stored page (Stripe allows up to 100). */
  pageSize?: number;
  afterPage?(page: { stream: SyncStream | 'payout_lines'; count: number }): Promise<void> | void;
}

export interface SyncReport {
  /** Another instance holds the lease: nothing was done. */
  skipped: boolean;
  balanceTransactions: number;
  payouts: number;
  payoutLines: number;
  linked: number;
}

const LEASE_MS = 5 * 60_000;

export class SyncLeaseLost extends Error {
  constructor() {
    super('The Stripe sync lease lapsed and another instance took it; this run stopped.');
  }
}

/**
 * The Stripe sync: balance transactions and payouts from their cursors, payouts that may still change,
 * the transactions of each paid payout, and then the fee, net and payout of our payments and refunds.
 * One instance at a time holds the lease; another that starts meanwhile does nothing.
 */
export async function syncStripe(deps: SyncDeps, options: SyncOptions = {}): Promise<SyncReport> {
  const report: SyncReport = { skipped: false, balanceTransactions: 0, payouts: 0, payoutLines: 0, linked: 0 };
  const owner = randomUUID();
  const claimed = await writeTransaction(deps.db, (trx) => claimSyncLease(trx, owner, deps.clock.now(), LEASE_MS));
  if (!claimed) return { ...report, skipped: true };
  const heartbeat = async () => {
    if (!(await renewSyncLease(deps.db, owner, deps.clock.now(), LEASE_MS))) throw new SyncLeaseLost();
  };
  const streamOptions: StreamOptions = { pageSize: options.pageSize ?? 100, now: () => deps.clock.now(), beforePage: heartbeat, afterPage: options.afterPage };
  try {
    report.balanceTransactions = await syncStream(deps.db, {
      name: 'balance_transactions',
      list: (params) => deps.stripe.balanceTransactions.list({ ...params, expand: ['data.source'] }),
      createdOf: (txn) => txn.created,
      store: (trx, items) => upsertBalanceTransactions(trx, items.map((t) => balanceTransactionRow(t, deps.clock.now()))),
    }, streamOptions);
    report.payouts = await syncStream(deps.db, {
      name: 'payouts',
      list: (params) => deps.stripe.payouts.list(params),
      createdOf: (payout) => payout.created,
      store: (trx, items) => upsertPayouts(trx, items.map((p) => payoutRow(p, deps.clock.now()))),
    }, streamOptions);
    report.payouts += await recheckPayouts(deps, heartbeat);
    report.payoutLines = await syncPayoutLines(deps, streamOptions);
    report.linked = await linkRecordsToBalance(deps.db, deps.clock.now());
    await releaseSyncLease(deps.db, owner, deps.clock.now(), null);
    return report;
  } catch (error) {
    // The sync's own failure is what the caller must see; a lease that cannot be released expires by itself.
    await releaseSyncLease(deps.db, owner, deps.clock.now(), error instanceof Error ? error.message.slice(0, 1000) : String(error)).catch((releaseError) =>
      deps.logger.error('stripe sync failed and its lease could not be released; it expires by itself', { owner, syncError: errorFields(error).error, ...errorFields(releaseError) }),
    );
    throw error;
  }
}
