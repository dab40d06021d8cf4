import type { Knex } from 'knex';
import type Stripe from 'stripe';
import type { PaymentGateway } from './bookings';
import type { Config } from './config';
import type { GroupCommit } from './db/group-commit';
import type { Clock } from './lib/clock';
import type { Logger } from './lib/logger';
import type { EmailComposer } from './mail/compose';
import type { TemplateRegistry } from './mail/templates';
import type { RateLimits } from './web/rate-limit';

/** What services need; routes build it once in createApp and pass it down. */
export interface ServiceContext {
  db: Knex;
  clock: Clock;
  /** Structured log lines; every caught error that is not rethrown or recorded is logged here with context. */
  logger: Logger;
  config: Config;
  emails: EmailComposer;
  /** The renderers of deferred emails, by template name: the outbox sender renders each queued email with them. */
  emailTemplates: TemplateRegistry<ServiceContext>;
  /** The Stripe client, for payments/ and finance/ only: bookings/ reaches Stripe through `payments`. */
  stripe?: Stripe;
  /** The card payment provider behind a port (bookings/payment-gateway.ts); "unavailable" when no Stripe key is set. */
  payments: PaymentGateway;
  /** Write transactions shared by bookings for one event that arrive together: see db/group-commit.ts. */
  groupCommit: GroupCommit;
  /** The abuse limits, shared by every instance through the database (web/rate-limit.ts). */
  limits: RateLimits;
  /** Wakes the outbox sender after a commit that queued mail, so it goes out at once. */
  kickOutbox(): void;
  /**
   * Tells the Stripe sync that Stripe reported something (a verified webhook), so the treasurer's figures catch up
   * within seconds instead of at the next 15-minute run; the job runner debounces it (jobs/runner.ts wireSignals).
   */
  kickStripeSync(): void;
}
