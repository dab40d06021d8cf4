import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { measureTogether, type Target } from '../lib/load';
import { ROOT, sampleRss } from '../lib/processes';
import { ratioResult, round, skipped, type ScenarioResult } from '../lib/report';
import { BENCH_SLUGS, EXPORT_ATTENDEES } from '../lib/seed';
import type { BenchContext } from './context';

const RSS_LIMIT_MB = 250;
const CSV_TARGET = `time ≤ 2 × raw query + csv (ratio ≥ 0.5), RSS < ${RSS_LIMIT_MB} MB`;
const XLSX_TARGET = `time ≤ 5 × raw query + csv (ratio ≥ 0.2), RSS < ${RSS_LIMIT_MB} MB`;

function cli(ctx: BenchContext, args: string[]) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...ctx.appEnv, HSUG_PASSWORD: 'bench-password-long-enough-1234' };
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
}

/** A staff API token made the documented way (users:create, then tokens:create), or why there is none. */
function createApiToken(ctx: BenchContext): { token?: string; problem?: string } {
  if (!fs.existsSync(path.join(ROOT, 'src/admin'))) return { problem: 'export endpoint not built yet (no src/admin)' };
  const email = 'bench-admin@hsug.bench';
  const user = cli(ctx, ['users:create', '--email', email, '--name', 'Bench Admin', '--role', 'admin']);
  if (user.status !== 0) return { problem: `export endpoint not built yet (users:create exited ${user.status}: ${(user.stderr || user.stdout).trim().split('\n')[0]})` };
  const made = cli(ctx, ['tokens:create', '--email', email, '--name', 'bench']);
  if (made.status !== 0) return { problem: `export endpoint not built yet (tokens:create exited ${made.status}: ${(made.stderr || made.stdout).trim().split('\n')[0]})` };
  const words = made.stdout.split(/\s+/).filter((w) => /^[A-Za-z0-9_\-.~]{20,}$/.test(w));
  const token = words.sort((a, b) => b.length - a.length)[0];
  return token ? { token } : { problem: 'tokens:create printed no token' };
}

/**
 * One GET, sent again once if the app closed the kept-alive connection fetch reused for it: the CLI calls before it
 * take longer than the server's keep-alive timeout (5 s), and the close can cross the request on the wire.
 */
async function getOnce(url: string, headers: Record<string, string>): Promise<Response> {
  try {
    return await fetch(url, { headers });
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
    return fetch(url, { headers });
  }
}

/** Attendee CSV and XLSX of a 10,000-person event, one download at a time, against the raw query + csv-stringify. */
export async function exportScenarios(ctx: BenchContext): Promise<ScenarioResult[]> {
  const { token, problem } = createApiToken(ctx);
  const exportPath = (ext: string) => `/api/v1/admin/events/${BENCH_SLUGS.export}/attendees.${ext}`;
  const headers = { authorization: `Bearer ${token}` };
  const probe = token ? await getOnce(`${ctx.app.url}${exportPath('csv')}`, headers) : undefined;
  const reason = problem ?? (probe && probe.status !== 200 ? `export endpoint not built yet (GET attendees.csv answered ${probe.status})` : undefined);
  if (reason || !probe) return [skipped('attendees.csv (10,000 rows)', CSV_TARGET, reason ?? 'no token'), skipped('attendees.xlsx (10,000 rows)', XLSX_TARGET, reason ?? 'no token')];

  const rows = (parse(await probe.text(), { columns: true }) as unknown[]).length;
  const rssBefore = ctx.app.rssMb();
  const common = { connections: 1, durationS: Math.max(3, Math.round(ctx.durationS / 2)), warmupS: 1 };
  const peak = { csv: 0, xlsx: 0 };
  const sampled = (kind: keyof typeof peak): Target['around'] => async (slice) => {
    const rss = sampleRss(ctx.app);
    try {
      return await slice();
    } finally {
      peak[kind] = Math.max(peak[kind], rss.stop());
    }
  };
  ctx.log('baseline attendees.csv (raw query + csv-stringify), app attendees.csv and app attendees.xlsx, in turns');
  const [baseline, csv, xlsx] = await measureTogether([
    { ...common, url: ctx.baseline.url, path: exportPath('csv') },
    { ...common, url: ctx.app.url, path: exportPath('csv'), headers, around: sampled('csv') },
    { ...common, url: ctx.app.url, path: exportPath('xlsx'), headers, around: sampled('xlsx') },
  ]);
  const csvRss = peak.csv;
  const xlsxRss = peak.xlsx;

  const rowsOk = rows === EXPORT_ATTENDEES;
  return [
    ratioResult('attendees.csv (10,000 rows)', csv, baseline, 0.5, {
      target: CSV_TARGET,
      met: csvRss < RSS_LIMIT_MB && rowsOk,
      notes: [`${rows} data rows (expected ${EXPORT_ATTENDEES}); max server RSS ${round(csvRss)} MB (${round(rssBefore)} MB before); mean time ${round(1000 / csv.reqPerSec)} ms vs baseline ${round(1000 / baseline.reqPerSec)} ms`],
    }),
    ratioResult('attendees.xlsx (10,000 rows)', xlsx, baseline, 0.2, {
      target: XLSX_TARGET,
      met: xlsxRss < RSS_LIMIT_MB,
      notes: [`max server RSS ${round(xlsxRss)} MB; mean time ${round(1000 / xlsx.reqPerSec)} ms vs baseline csv ${round(1000 / baseline.reqPerSec)} ms`],
    }),
  ];
}
