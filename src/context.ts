import type { Knex } from 'knex';
import type Stripe from 'stripe';
import type { Config } from './config';
import type { GroupCommit } from './db/group-commit';
import type { Clock } from './lib/clock';
import type { EmailComposer } from './mail/compose';

/** What services need; routes build it once in createApp and pass it down. */
export interface ServiceContext {
  db: Knex;
  clock: Clock;
  config: Config;
  emails: EmailComposer;
  stripe?: Stripe;
  /** Write transactions shared by bookings for one event that arrive together: see db/group-commit.ts. */
  groupCommit: GroupCommit;
  /** Wakes the outbox sender after a commit that queued mail, so it goes out at once. */
  kickOutbox(): void;
}
