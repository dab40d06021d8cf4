import type { Knex } from 'knex';
import type { ServiceContext } from '../../context';
import { writeTransaction } from '../../db/dialect';
import type { Job } from '../../jobs/runner';
import { toDbTime } from '../../lib/time';
import { purgeLinks } from './password-links';
import type { SessionLimits } from './sessions';
import { purgeSessions } from './sessions';

/**
 * How long rows of the old `sign_in_failures` table are kept. The sign-in throttle no longer writes it (its counts are
 * in `rate_limits`, purged by the rate-limit job), so this only empties what earlier versions left.
 */
export const SIGN_IN_RECORD_RETENTION_MS = 86400_000;
export const PURGE_INTERVAL_MS = 15 * 60_000;

export interface PurgeCounts {
  sessions: number;
  links: number;
  signInFailures: number;
}

/**
 * Deletes what can no longer be used: expired sessions (idle or past their maximum age), set-password links used,
 * replaced or expired more than a day ago, and `sign_in_failures` rows older than a day. Each is a plain DELETE of
 * rows nobody can use, so two instances running it at once do no harm.
 */
export async function purgeStaleAuthRecords(db: Knex, now: Date, limits: SessionLimits): Promise<PurgeCounts> {
  return writeTransaction(db, async (trx) => ({
    sessions: await purgeSessions(trx, now, limits),
    links: await purgeLinks(trx, now),
    signInFailures: await trx('sign_in_failures').where('at', '<', toDbTime(new Date(now.getTime() - SIGN_IN_RECORD_RETENTION_MS))).delete(),
  }));
}

/** Registered with the job runner by the server, like every feature's jobs. */
export function authJobs(ctx: ServiceContext): Job[] {
  return [{ name: 'staff-purge', intervalMs: PURGE_INTERVAL_MS, run: () => purgeStaleAuthRecords(ctx.db, ctx.clock.now(), ctx.config.sessions) }];
}
