/**
 * `npm run bench [-- --pg] [--duration 10] [--warmup 2] [--only list,register,rush,exports,paid] [--profile]`
 *
 * Starts the real app (src/server.ts, with its middleware, views and jobs) on a fresh database with realistic data,
 * and a raw Express + better-sqlite3 baseline on a copy of the same data, then measures each scenario against its
 * baseline in the same run. Prints a table and writes bench/results/latest.json. See bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { freshPostgres, freshSqlite, type BenchDatabase } from './lib/database';
import { freePort, ROOT, startServer, type ServerProcess } from './lib/processes';
import { formatTable, machineInfo, writeReport, type BenchReport, type ScenarioResult } from './lib/report';
import { seedBenchData } from './lib/seed';
import { catalogueScenarios } from './scenarios/catalogue';
import type { BenchContext, Scenario } from './scenarios/context';
import { exportScenarios } from './scenarios/exports';
import { paidScenarios } from './scenarios/paid';
import { registrationScenarios } from './scenarios/registration';
import { rushScenario } from './scenarios/rush';

const { values: args } = parseArgs({
  options: {
    pg: { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});

const RESULTS_DIR = path.join(ROOT, 'bench/results');
const started = Date.now();
const log = (message: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${message}\n`);

async function main(): Promise<void> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-bench-'));
  const cleanup: Array<() => Promise<unknown>> = [];
  const scenarios: ScenarioResult[] = [];
  const databaseLabel = args.pg ? 'postgresql' : 'sqlite';
  const appLogCopy = path.join(RESULTS_DIR, `app-${databaseLabel}.log`);
  let appErrors = 0;
  let appIdleRssMb: number;
  try {
    log(`fresh ${databaseLabel} database for the app, fresh SQLite file for the baseline, in ${tmpDir}`);
    const appDb: BenchDatabase = args.pg ? await freshPostgres() : await freshSqlite(tmpDir, 'app');
    cleanup.unshift(() => appDb.destroy());
    const baseDb = await freshSqlite(tmpDir, 'baseline');
    const now = new Date();
    const [seeded] = await Promise.all([seedBenchData(appDb.db, now), seedBenchData(baseDb.db, now)]);
    await baseDb.destroy();
    // A live PostgreSQL database is vacuumed and analysed by autovacuum; a freshly loaded one is not yet.
    if (appDb.client === 'pg') await appDb.db.raw('VACUUM ANALYZE');
    log(`seeded 50 upcoming events and ${seeded} attendees into each`);

    const webhookSecret = `whsec_bench${randomBytes(16).toString('hex')}`;
    const port = await freePort();
    const sandbox = await startServer({
      name: 'sandbox', entry: 'bench/sandbox-server.ts', logDir: tmpDir, healthPath: '/_sandbox/deliveries',
      env: { WEBHOOK_SECRET: webhookSecret, WEBHOOK_URL: `http://127.0.0.1:${port}/webhooks/stripe` },
    });
    cleanup.unshift(() => sandbox.stop());
    const appEnv = {
      NODE_ENV: 'development',
      DATABASE_URL: appDb.url,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      MAIL_DIR: path.join(tmpDir, 'mail'),
      STRIPE_SECRET_KEY: 'sk_test_bench',
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_BASE: sandbox.url,
      // The bench books thousands of times from one address: the public booking limits would answer 429 (README "Security").
      RATE_LIMITS: 'off',
    };
    const profileDir = path.join(RESULTS_DIR, 'profiles');
    const nodeArgs = args.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const app: ServerProcess = await startServer({ name: 'app', entry: 'src/server.ts', env: appEnv, logDir: tmpDir, nodeArgs, port });
    cleanup.unshift(() => app.stop());
    // Last, once the app has stopped, and also when a scenario failed: its log is what says why.
    cleanup.push(async () => {
      fs.copyFileSync(app.logFile, appLogCopy);
      appErrors = fs.readFileSync(appLogCopy, 'utf8').split('\n').filter((l) => l.includes('"level":"error"')).length;
      if (appErrors > 0) log(`the app logged ${appErrors} errors: see ${path.relative(ROOT, appLogCopy)}`);
    });
    const baseline = await startServer({ name: 'baseline', entry: 'bench/baseline/server.ts', env: { BASELINE_DB: path.join(tmpDir, 'baseline.sqlite'), PUBLIC_URL: appEnv.PUBLIC_URL }, logDir: tmpDir });
    cleanup.unshift(() => baseline.stop());
    appIdleRssMb = Math.round(app.rssMb());
    log(`app on ${app.url} (pid ${app.child.pid}, ${appIdleRssMb} MB), baseline on ${baseline.url} (pid ${baseline.child.pid})`);

    const ctx: BenchContext = { app, baseline, db: appDb.db, durationS: Number(args.duration), warmupS: Number(args.warmup), appEnv, tmpDir, log };
    const plan: Array<[string, Scenario]> = [
      // First, on the idle app: the exports' memory target is their own peak, and a minute of load before them (the
      // catalogue's tens of thousands of requests, the write-heavy scenarios' connections) grows the heap V8 keeps.
      ['exports', exportScenarios],
      ['list', catalogueScenarios],
      ['register', registrationScenarios],
      ['rush', rushScenario],
      ['paid', (c) => paidScenarios(c, { server: sandbox, webhookSecret })],
    ];
    const only = args.only?.split(',');
    for (const [key, scenario] of plan) if (!only || only.includes(key)) scenarios.push(...(await scenario(ctx)));

    if (args.profile) log(`CPU profile written to ${profileDir} when the app exits`);
  } finally {
    for (const step of cleanup) await step().catch((error) => log(`cleanup: ${(error as Error).message}`));
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }

  const report: BenchReport = {
    machine: machineInfo(),
    database: databaseLabel,
    baseline: 'Express 5 + better-sqlite3 (SQLite, one prepared statement per answer, nothing aggregated per request), same data, same run',
    startedAt: new Date(started).toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    appIdleRssMb,
    appErrorsLogged: appErrors,
    scenarios,
  };
  writeReport(report, path.join(RESULTS_DIR, 'latest.json'));
  writeReport(report, path.join(RESULTS_DIR, `latest-${databaseLabel}.json`));
  process.stdout.write(`\n${formatTable(report)}\n\nWritten to bench/results/latest.json (and latest-${databaseLabel}.json) in ${report.durationS} s.\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
