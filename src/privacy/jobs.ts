import type { ServiceContext } from '../context';
import { claimPeriod, finishPeriod } from '../db/job-claims';
import type { Job } from '../jobs/runner';
import { applyRetention, type RetentionReport } from './retention';

/** The nightly retention run starts at or after this UTC hour (a quiet time for HSUG's UK users). */
export const RETENTION_HOUR_UTC = 2;

/**
 * Runs the retention periods once a night: every instance looks every 15 minutes, and the one that claims tonight's
 * date (db/job-claims.ts) runs it. Logs what went, by class and count, and keeps the counts with the claim.
 * Returns the report, or null when it was not this instance's turn.
 */
export async function runNightlyRetention(ctx: ServiceContext): Promise<RetentionReport | null> {
  const now = ctx.clock.now();
  if (now.getUTCHours() < RETENTION_HOUR_UTC) return null;
  const period = now.toISOString().slice(0, 10);
  if (!(await claimPeriod(ctx.db, 'privacy-retention', period, now))) return null;
  const report = await applyRetention(ctx.db, now, ctx.config.retention);
  await finishPeriod(ctx.db, 'privacy-retention', period, ctx.clock.now(), report);
  ctx.logger.info('retention applied', { job: 'privacy-retention', period, removed: report });
  return report;
}

export function privacyJobs(ctx: ServiceContext): Job[] {
  return [{ name: 'privacy-retention', intervalMs: 15 * 60_000, run: () => runNightlyRetention(ctx) }];
}
