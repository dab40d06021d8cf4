import type { ServiceContext } from '../context';
import type { Job } from '../jobs/runner';
import { purgeUnconfirmed } from './queries';
import { CONFIRM_DAYS } from './types';

/**
 * Every hour, on every instance (deleting rows already gone is harmless): subscriptions never confirmed within
 * CONFIRM_DAYS of their last confirmation email are removed, with their address. Logs how many.
 */
export function announcementJobs(ctx: ServiceContext): Job[] {
  return [
    {
      name: 'subscription-purge',
      intervalMs: 60 * 60_000,
      run: async () => {
        const removed = await purgeUnconfirmed(ctx.db, new Date(ctx.clock.now().getTime() - CONFIRM_DAYS * 86400_000));
        if (removed > 0) ctx.logger.info('unconfirmed subscriptions removed', { removed });
        return removed;
      },
    },
  ];
}
