import type { Tx } from './connect';
import { toDbTime } from '../lib/time';

/**
 * Claims one period of a periodic job (a nightly job's UTC date) for this instance: inserts (name, period) and says
 * whether this call inserted it. With several instances on one database exactly one claim succeeds, so the job runs
 * once per period; a crashed run is not retried until the next period (its row has no `finished_at`, for a person to see).
 */
export async function claimPeriod(db: Tx, name: string, period: string, now: Date): Promise<boolean> {
  const inserted = await db('job_claims').insert({ name, period, claimed_at: toDbTime(now) }).onConflict(['name', 'period']).ignore().returning('name');
  return inserted.length === 1;
}

/** Records what a claimed run did (JSON), and when it finished. */
export async function finishPeriod(db: Tx, name: string, period: string, now: Date, result: object): Promise<void> {
  await db('job_claims').where({ name, period }).update({ finished_at: toDbTime(now), result: JSON.stringify(result) });
}
