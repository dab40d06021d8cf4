import type { ServiceContext } from '../context';
import type { Job } from '../jobs/runner';
import { processPendingRefunds } from './refunds';
import { expireLapsedHolds } from './sweeper';

/** The hold sweeper, and the retry of refunds Stripe has not taken yet. */
export function paymentJobs(ctx: ServiceContext): Job[] {
  if (!ctx.stripe) return [];
  return [
    { name: 'hold-sweeper', intervalMs: 30_000, run: () => expireLapsedHolds(ctx) },
    { name: 'refunds', intervalMs: 60_000, run: () => processPendingRefunds(ctx) },
  ];
}
