import type { ServiceContext } from '../context';
import type { Job } from '../jobs/runner';
import { purgeSentEmailBodies } from './retention';
import { sendDueEmails, type SenderDeps } from './sender';
import type { Mailer } from './transport';

/** What the outbox sender needs, from the app's context: deferred emails are rendered by the app's template registry. */
export function outboxSenderDeps(ctx: ServiceContext, mailer: Mailer): SenderDeps {
  return {
    db: ctx.db,
    mailer,
    clock: ctx.clock,
    from: ctx.config.mail.from,
    leaseMs: ctx.config.outboxLeaseSeconds * 1000,
    render: (deferred) => ctx.emailTemplates.render(ctx, deferred),
    onRefused: async (email, reason) => {
      if ('deferred' in email) await ctx.emailTemplates.refused(ctx, email.deferred, reason);
    },
  };
}

/** The outbox sender, registered with the job runner by the server like every feature's jobs. */
export function outboxJob(ctx: ServiceContext, mailer: Mailer): Job {
  const deps = outboxSenderDeps(ctx, mailer);
  return { name: 'outbox', intervalMs: 2000, run: (signal) => sendDueEmails({ ...deps, signal }) };
}


/** Blanks the bodies of sent emails older than MAIL_BODY_RETENTION_DAYS (retention.ts), every hour. */
export function mailRetentionJob(ctx: ServiceContext): Job {
  return { name: 'mail-retention', intervalMs: 60 * 60_000, run: () => purgeSentEmailBodies(ctx.db, ctx.clock.now(), ctx.config.mailBodyRetentionDays) };
}
