import type { ServiceContext } from '../context';
import type { Job } from '../jobs/runner';
import { runFollowUps } from './follow-ups';

/**
 * Every minute, on every instance: reminders and follow-ups that have fallen due are queued (each rule of each event
 * once, claimed in the database, so several instances queue it once; follow-ups.ts). The outbox sender sends them.
 */
export function onlineJobs(ctx: ServiceContext): Job[] {
  return [
    {
      name: 'follow-ups',
      intervalMs: 60_000,
      run: async () => {
        const done = await runFollowUps(ctx);
        if (done.rules > 0) ctx.logger.info('reminders and follow-ups queued', done);
        return done;
      },
    },
  ];
}
