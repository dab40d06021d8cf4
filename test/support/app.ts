import type { Express } from 'express';
import type { Knex } from 'knex';
import type Stripe from 'stripe';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import type { ServiceContext } from '../../src/context';
import type { CatalogueOptions } from '../../src/events/catalogue';
import { fixedClock } from '../../src/lib/clock';
import { outboxSenderDeps } from '../../src/mail/jobs';
import { sendDueEmails } from '../../src/mail/sender';
import { createMailer } from '../../src/mail/transport';
import type { Logger } from '../../src/web/error-handler';
import { createTestDatabase, type TestDatabase } from './db';
import { startTestSmtp, type TestSmtp } from './smtp';

export const TEST_NOW = '2026-03-02T12:00:00.000Z';

export interface TestApp {
  app: Express;
  ctx: ServiceContext;
  db: Knex;
  config: Config;
  clock: ReturnType<typeof fixedClock>;
  smtp: TestSmtp;
  testDb: TestDatabase;
  logged: Array<{ level: 'warn' | 'error'; msg: string; extra?: object }>;
  /** Runs the outbox sender once, as the background job would. */
  sendMail(): Promise<{ sent: number; failed: number }>;
  close(): Promise<void>;
}

/**
 * The suite books many times from one address (concurrency tests register hundreds at once), so the public booking
 * limits are off by default (RATE_LIMITS=off); test/web/rate-limits.test.ts and the tests of the holds cap turn them
 * on with `env: { RATE_LIMITS: 'on', … }`. Sign-in throttling is always on.
 */
export function testConfig(database: Config['database'], extra: Record<string, string> = {}): Config {
  const url = database.client === 'pg' ? database.connectionString : `file:${database.filename}`;
  return loadConfig({
    NODE_ENV: 'test',
    PUBLIC_URL: 'http://events.test',
    DATABASE_URL: url,
    SESSION_SECRET: 'test-secret-that-is-at-least-32-characters-long',
    MAIL_FROM: 'HSUG Events <events@hsug.test>',
    RATE_LIMITS: 'off',
    ...extra,
  });
}

/**
 * Tests change the database between requests and look at once, so by default the catalogue asks the database on
 * every request whether anything changed (still serving from its cache when nothing did);
 * test/events/freshness.test.ts runs with the interval the service uses.
 */
const CHECK_EVERY_REQUEST: CatalogueOptions = { recheckMs: 0 };

/** The app and its test plumbing over a database, SMTP server and clock that the caller started. */
export function assembleTestApp(parts: { testDb: TestDatabase; smtp: TestSmtp; config: Config; clock: ReturnType<typeof fixedClock>; stripe?: Stripe; catalogue?: CatalogueOptions; logger?: Logger }): TestApp {
  const { testDb, smtp, config, clock } = parts;
  const logged: TestApp['logged'] = [];
  // Every warning and error lands in `logged`; a test that gives its own logger (a real one writing to a buffer) gets each line too.
  const logger: Logger = {
    info: (msg, extra) => parts.logger?.info(msg, extra),
    warn: (msg, extra) => {
      logged.push({ level: 'warn', msg, extra });
      parts.logger?.warn(msg, extra);
    },
    error: (msg, extra) => {
      logged.push({ level: 'error', msg, extra });
      parts.logger?.error(msg, extra);
    },
  };
  const { app, ctx } = createApp({ db: testDb.db, config, clock, logger, stripe: parts.stripe, catalogue: parts.catalogue ?? CHECK_EVERY_REQUEST });
  const mailer = createMailer({ smtpUrl: smtp.url, dir: '' });
  return {
    app,
    ctx,
    db: testDb.db,
    config,
    clock,
    smtp,
    testDb,
    logged,
    sendMail: () => sendDueEmails(outboxSenderDeps(ctx, mailer)),
    async close() {
      mailer.close();
      await smtp.stop();
      await testDb.destroy();
    },
  };
}

export async function startTestApp(options: { now?: string; env?: Record<string, string>; catalogue?: CatalogueOptions; logger?: Logger } = {}): Promise<TestApp> {
  const testDb = await createTestDatabase();
  const smtp = await startTestSmtp();
  const config = testConfig(testDb.database, { SMTP_URL: smtp.url, ...options.env });
  return assembleTestApp({ testDb, smtp, config, clock: fixedClock(options.now ?? TEST_NOW), catalogue: options.catalogue, logger: options.logger });
}
