import { authJobs } from './admin/auth/purge';
import { announcementJobs } from './announcements/jobs';
import { onlineJobs } from './online';
import { privacyJobs } from './privacy/jobs';
import { certificateJobs } from './certificates';
import { createApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { financeJobs } from './finance/jobs';
import { paymentJobs } from './payments/jobs';
import { createStripeClient } from './payments/stripe-client';
import { announceLocalSandbox, withdrawLocalSandbox } from './payments/sandbox-announce';
import { DatabaseUnavailableError, openDatabase, type Db } from './db/connect';
import { migrateLatest } from './db/migrate';
import { startJobs, wireSignals } from './jobs/runner';
import { mailRetentionJob, outboxJob } from './mail/jobs';
import { systemClock } from './lib/clock';
import { createMailer } from './mail/transport';
import { createLogger, errorFields } from './lib/logger';
import { rateLimitJobs } from './web/rate-limit';
import { logConfigWarnings } from './lib/security-events';
import { createHttpServer, listen } from './web/http-server';
import { isDatabaseEmpty, seedDemo } from '../seeds/demo';

const logger = createLogger();

/** The part of the local payments sandbox the server uses; the sandbox itself lives outside src/. */
interface LocalSandbox {
  url: string;
  stripe: Config['stripe'];
  close(): Promise<void>;
}

/** Loaded only when it is started, so production (which insists on a Stripe key) never loads the sandbox. */
async function startLocalSandbox(port: number): Promise<LocalSandbox> {
  const local: { startLocalSandbox(appPort: number): Promise<LocalSandbox> } = await import('../sandbox/src/local');
  return local.startLocalSandbox(port);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  logConfigWarnings(logger, config.warnings);
  let db: Db;
  try {
    db = await openDatabase(config.database);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  await migrateLatest(db);
  if (config.env !== 'production' && (await isDatabaseEmpty(db))) {
    const count = await seedDemo(db, systemClock.now());
    logger.info(`loaded ${count} demo events into the empty database`);
  }

  let sandbox: LocalSandbox | undefined;
  if (!config.stripe.secretKey && config.env !== 'production') {
    sandbox = await startLocalSandbox(config.port);
    config = Object.freeze({ ...config, stripe: sandbox.stripe });
    // So that `npm run cli -- stripe:sync` can find this sandbox, whose state lives in this process.
    const file = announceLocalSandbox(config, { url: sandbox.url, pid: process.pid, appPort: config.port, startedAt: new Date().toISOString() });
    logger.info(`no STRIPE_SECRET_KEY: card payments go to the local payments sandbox at ${sandbox.url} (test payments only; announced in ${file})`);
  }
  const stripe = config.stripe.secretKey ? createStripeClient(config) : undefined;

  const { app, ctx, signals } = createApp({ db, config, logger, stripe });
  const mailer = createMailer({ smtpUrl: config.mail.smtpUrl, dir: config.mail.dir });
  const runner = startJobs([outboxJob(ctx, mailer), mailRetentionJob(ctx), ...paymentJobs(ctx), ...financeJobs(ctx), ...rateLimitJobs(ctx), ...authJobs(ctx), ...announcementJobs(ctx), ...privacyJobs(ctx), ...certificateJobs(ctx), ...onlineJobs(ctx)], logger);
  wireSignals(signals, runner);

  const server = await listen(createHttpServer(app, config.http), config.port);
  logger.info(`hsug-events listening on ${config.publicUrl} (port ${config.port}, ${config.database.client})`);
  if (!config.mail.smtpUrl) logger.info(`no SMTP_URL: emails are written as .eml files to ${config.mail.dir}`);

  const shutdown = async () => {
    server.close();
    if (sandbox) withdrawLocalSandbox(config);
    await sandbox?.close();
    await runner.stop();
    mailer.close();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error) => {
  logger.error('hsug-events stopped: it could not start or keep running', errorFields(error));
  process.exit(1);
});
