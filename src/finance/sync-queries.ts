import type { Tx } from '../db/connect';
import { skipLocked } from '../db/dialect';
import { fromDbTimeOrNull, toDbTime } from '../lib/time';
import type { BalanceTransactionRow } from './stripe-objects';

export type SyncStream = 'balance_transactions' | 'payouts';

export interface StreamState {
  /** Everything created before this, less the overlap, is stored. */
  cursor: Date | null;
  /** A run stopped half-way: the newest object it saw and the oldest page it stored. */
  runNewest: Date | null;
  runOldest: Date | null;
  lastSuccessAt: Date | null;
}

export async function readStreamState(db: Tx, name: SyncStream): Promise<StreamState> {
  const row = await db('stripe_sync_state').where({ name }).first('cursor_created', 'run_newest', 'run_oldest', 'last_success_at');
  return {
    cursor: fromDbTimeOrNull(row?.cursor_created),
    runNewest: fromDbTimeOrNull(row?.run_newest),
    runOldest: fromDbTimeOrNull(row?.run_oldest),
    lastSuccessAt: fromDbTimeOrNull(row?.last_success_at),
  };
}

export async function saveRunProgress(db: Tx, name: SyncStream, runNewest: Date, runOldest: Date): Promise<void> {
  await db('stripe_sync_state').where({ name }).update({ run_newest: toDbTime(runNewest), run_oldest: toDbTime(runOldest) });
}

/** The run reached the end of the list: the cursor moves to the newest object it saw. */
export async function finishRun(db: Tx, name: SyncStream, cursor: Date | null, now: Date): Promise<void> {
  await db('stripe_sync_state')
    .where({ name })
    .update({ cursor_created: cursor ? toDbTime(cursor) : null, run_newest: null, run_oldest: null, last_success_at: toDbTime(now) });
}

/** Upserts by Stripe id. The payout a transaction belongs to is only set by the payout's own list, never cleared here. */
export async function upsertBalanceTransactions(db: Tx, rows: BalanceTransactionRow[], payoutId?: string): Promise<void> {
  if (rows.length === 0) return;
  const values = payoutId ? rows.map((r) => ({ ...r, payout_id: payoutId })) : rows;
  const merge = ['type', 'reporting_category', 'amount', 'fee', 'net', 'currency', 'fee_details', 'source_id', 'charge_id', 'card_last4', 'dispute_due_by', 'status', 'description', 'available_on', 'synced_at'];
  await db('balance_transactions').insert(values).onConflict('id').merge(payoutId ? [...merge, 'payout_id'] : merge);
}

export async function upsertPayouts(db: Tx, rows: Array<Record<string, unknown>>): Promise<void> {
  if (rows.length === 0) return;
  await db('payouts')
    .insert(rows)
    .onConflict('id')
    .merge(['amount', 'currency', 'status', 'reconciliation_status', 'is_automatic', 'balance_transaction_id', 'failure_code', 'description', 'arrival_date', 'synced_at']);
}

/** Payouts Stripe may still change: not yet final, or paid but not reconciled, or paid within the last days (a paid payout can still fail). */
export async function listPayoutsToRecheck(db: Tx, recentSince: Date): Promise<string[]> {
  const rows = await db('payouts')
    .select('id')
    .whereIn('status', ['pending', 'in_transit'])
    .orWhere((q) => q.where('status', 'paid').where((r) => r.whereNull('reconciliation_status').orWhereNot('reconciliation_status', 'completed')))
    .orWhere((q) => q.where('status', 'paid').where('arrival_date', '>=', toDbTime(recentSince)))
    .orderBy('created_at');
  return rows.map((r: { id: string }) => r.id);
}

/** Paid, reconciled payouts whose balance transactions have not been fetched yet. */
export async function listPayoutsNeedingLines(db: Tx): Promise<string[]> {
  const rows = await db('payouts').select('id').where({ status: 'paid', reconciliation_status: 'completed' }).whereNull('lines_synced_at').orderBy('created_at');
  return rows.map((r: { id: string }) => r.id);
}

export async function markPayoutLinesSynced(db: Tx, payoutId: string, now: Date): Promise<void> {
  await db('payouts').where({ id: payoutId }).update({ lines_synced_at: toDbTime(now) });
}

/** Claims the one sync lease if it is free or lapsed; row-locked so two instances cannot both win. */
export async function claimSyncLease(db: Tx, owner: string, now: Date, leaseMs: number): Promise<boolean> {
  const rows = await skipLocked(db, freeLeaseQuery(db, now));
  if (rows.length === 0) return false;
  const updated = await db('stripe_sync_state')
    .where({ name: 'lease' })
    .where((q) => q.whereNull('lease_until').orWhere('lease_until', '<=', toDbTime(now)))
    .update({ lease_owner: owner, lease_until: toDbTime(new Date(now.getTime() + leaseMs)), last_started_at: toDbTime(now) });
  return updated === 1;
}

function freeLeaseQuery(db: Tx, now: Date) {
  return db('stripe_sync_state')
    .select('name')
    .where({ name: 'lease' })
    .where((q) => q.whereNull('lease_until').orWhere('lease_until', '<=', toDbTime(now)));
}

/** Extends our lease; false when it lapsed and someone else took it. */
export async function renewSyncLease(db: Tx, owner: string, now: Date, leaseMs: number): Promise<boolean> {
  const updated = await db('stripe_sync_state').where({ name: 'lease', lease_owner: owner }).update({ lease_until: toDbTime(new Date(now.getTime() + leaseMs)) });
  return updated === 1;
}

export async function releaseSyncLease(db: Tx, owner: string, now: Date, error: string | null): Promise<void> {
  const done: Record<string, string | null> = { lease_until: null, lease_owner: null, last_error: error };
  if (!error) done.last_success_at = toDbTime(now);
  await db('stripe_sync_state').where({ name: 'lease', lease_owner: owner }).update(done);
}

export interface SyncStatus {
  lastSuccessAt: Date | null;
  lastStartedAt: Date | null;
  lastError: string | null;
  isRunning: boolean;
}

export async function readSyncStatus(db: Tx, now: Date): Promise<SyncStatus> {
  const row = await db('stripe_sync_state').where({ name: 'lease' }).first('last_success_at', 'last_started_at', 'last_error', 'lease_until');
  const leaseUntil = fromDbTimeOrNull(row?.lease_until);
  return {
    lastSuccessAt: fromDbTimeOrNull(row?.last_success_at),
    lastStartedAt: fromDbTimeOrNull(row?.last_started_at),
    lastError: (row?.last_error as string | null) ?? null,
    isRunning: leaseUntil !== null && leaseUntil > now,
  };
}
