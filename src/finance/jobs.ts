import type { ServiceContext } from '../context';
import type { Job } from '../jobs/runner';
import { syncStripe } from './sync';

/** Stripe settles and pays out on its own schedule; every 15 minutes keeps the treasurer's pages close behind. */
export const SYNC_INTERVAL_MS = 15 * 60_000;

export function financeJobs(ctx: ServiceContext): Job[] {
  const stripe = ctx.stripe;
  if (!stripe) return [];
  return [{ name: 'stripe-sync', intervalMs: SYNC_INTERVAL_MS, run: () => syncStripe({ db: ctx.db, clock: ctx.clock, stripe, logger: ctx.logger }) }];
}
