import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { connect } from './db/connect';
import { migrateLatest } from './db/migrate';
import { outboxJob, startJobs, wireSignals } from './jobs/runner';
import { systemClock } from './lib/clock';
import { createMailer } from './mail/transport';
import { consoleLogger } from './web/error-handler';
import { isDatabaseEmpty, seedDemo } from '../seeds/demo';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = consoleLogger;
  const db = connect(config.database);
  await migrateLatest(db);
  if (config.env !== 'production' && (await isDatabaseEmpty(db))) {
    const count = await seedDemo(db, systemClock.now());
    logger.info(`loaded ${count} demo events into the empty database`);
  }

  const { app, ctx, signals } = createApp({ db, config, logger });
  const mailer = createMailer({ smtpUrl: config.mail.smtpUrl, dir: config.mail.dir });
  const runner = startJobs([outboxJob(ctx, mailer)], logger);
  wireSignals(signals, runner);

  const server = app.listen(config.port, () => {
    logger.info(`hsug-events listening on ${config.publicUrl} (port ${config.port}, ${config.database.client})`);
    if (!config.mail.smtpUrl) logger.info(`no SMTP_URL: emails are written as .eml files to ${config.mail.dir}`);
  });

  const shutdown = async () => {
    server.close();
    await runner.stop();
    mailer.close();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
