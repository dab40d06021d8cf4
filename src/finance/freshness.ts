import type { ServiceContext } from '../context';
import type { Tx } from '../db/connect';
import { toDbTime } from '../lib/time';
import { CHARGE_TYPES, RECEIVED_STATUSES } from './categories';
import { readStreamState, readSyncStatus, type SyncStatus } from './sync-queries';

/** The sync re-reads this far behind its cursor, so anything recorded within it may not have been seen yet. */
export const SYNC_MARGIN_MS = 15 * 60_000;
/** The background job runs every 15 minutes: twice that without a successful run means it is not keeping up. */
export const STALE_AFTER_MS = 30 * 60_000;

export interface AwaitingSync {
  /** Card payments recorded here (by our webhooks) whose charge the mirror of Stripe's balance does not have yet. */
  payments: number;
  paymentsAmount: number;
  /** Refunds recorded here, taken by Stripe, that the mirror does not have yet. */
  refunds: number;
  refundsAmount: number;
}

export interface Freshness extends SyncStatus {
  /** When the balance list was last read to its end: what "Stripe's figures as of" means. */
  balanceSyncedAt: Date | null;
  hasStripe: boolean;
  awaiting: AwaitingSync;
  /**
   * The pages must not present Stripe's figures as complete: never synced, a run failed since the last success,
   * the last success is older than STALE_AFTER_MS, or money recorded here is not in the mirror yet.
   */
  isBehind: boolean;
}

/** Payments and refunds the sync has not reached: recorded after it last read past them (or it never ran). */
export async function countAwaitingSync(db: Tx, syncedBefore: Date | null): Promise<AwaitingSync> {
  const payments = db('payments as p')
    .where('p.method', 'card')
    .whereIn('p.status', RECEIVED_STATUSES)
    .whereNotExists(db('balance_transactions as bt').select('bt.id').whereRaw('bt.charge_id = p.stripe_charge_id').whereIn('bt.type', CHARGE_TYPES));
  if (syncedBefore) payments.where('p.paid_at', '>=', toDbTime(syncedBefore));
  const refunds = db('refunds as r')
    .whereIn('r.status', ['succeeded', 'pending'])
    .whereNotNull('r.stripe_refund_id')
    .where('r.amount', '>', 0)
    .whereNotExists(db('balance_transactions as bt').select('bt.id').whereRaw('bt.source_id = r.stripe_refund_id'));
  if (syncedBefore) refunds.where('r.created_at', '>=', toDbTime(syncedBefore));
  const [p, r] = await Promise.all([payments.first(db.raw('count(*) as n'), db.raw('coalesce(sum(p.amount), 0) as total')), refunds.first(db.raw('count(*) as n'), db.raw('coalesce(sum(r.amount), 0) as total'))]);
  return { payments: Number(p?.n ?? 0), paymentsAmount: Number(p?.total ?? 0), refunds: Number(r?.n ?? 0), refundsAmount: Number(r?.total ?? 0) };
}

/** The point before which the sync has certainly seen everything Stripe had; null when it never finished a run. */
export function syncedBeforeOf(balanceSyncedAt: Date | null): Date | null {
  return balanceSyncedAt ? new Date(balanceSyncedAt.getTime() - SYNC_MARGIN_MS) : null;
}

/** How far the treasurer's figures can be trusted right now: read on every finance page, never stored. */
export async function readFreshness(ctx: ServiceContext): Promise<Freshness> {
  const now = ctx.clock.now();
  const [status, stream] = await Promise.all([readSyncStatus(ctx.db, now), readStreamState(ctx.db, 'balance_transactions')]);
  const awaiting = await countAwaitingSync(ctx.db, syncedBeforeOf(stream.lastSuccessAt));
  const failedSince = status.lastError !== null;
  const isStale = !status.lastSuccessAt || now.getTime() - status.lastSuccessAt.getTime() > STALE_AFTER_MS;
  return {
    ...status,
    balanceSyncedAt: stream.lastSuccessAt,
    hasStripe: ctx.stripe !== undefined,
    awaiting,
    isBehind: isStale || failedSince || awaiting.payments + awaiting.refunds > 0,
  };
}
