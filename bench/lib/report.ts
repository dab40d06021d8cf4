import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LoadResult } from './load';

export interface ScenarioResult {
  name: string;
  reqPerSec: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  baselineReqPerSec: number | null;
  /** The app's req/s divided by the baseline's, measured in the same run (for one-at-a-time exports: baseline time / app time). */
  ratio: number | null;
  target: string;
  /** null when the scenario has no target yet or did not run. */
  met: boolean | null;
  /** Why the scenario did not run, e.g. "export endpoint not built yet". */
  skipped?: string;
  /** A second baseline shown beside the first for information, with no target: the aggregating events list. */
  reference?: { name: string; reqPerSec: number; ratio: number };
  notes?: string[];
  details?: Record<string, unknown>;
}

export interface BenchReport {
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string; load: number[] };
  database: string;
  baseline: string;
  startedAt: string;
  durationS: number;
  /** The app's resident memory once started, before any load. */
  appIdleRssMb: number;
  /** Lines the app logged at level error during the run (its log is copied to bench/results/app-<database>.log). */
  appErrorsLogged: number;
  scenarios: ScenarioResult[];
}

export function machineInfo(): BenchReport['machine'] {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    load: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** A scenario with a throughput target: the app's req/s at least `minRatio` × the baseline's. */
export function ratioResult(
  name: string,
  app: LoadResult,
  baseline: LoadResult,
  minRatio: number,
  extra: { met?: boolean; notes?: string[]; target?: string; reference?: { name: string; result: LoadResult } } = {},
): ScenarioResult {
  const ratio = app.reqPerSec / baseline.reqPerSec;
  const errors = app.errors + Object.entries(app.statusCodes).filter(([code]) => Number(code) >= 500).reduce((n, [, c]) => n + c, 0);
  return {
    name,
    reqPerSec: round(app.reqPerSec),
    p50Ms: round(app.p50Ms),
    p99Ms: round(app.p99Ms),
    baselineReqPerSec: round(baseline.reqPerSec),
    ratio: round(ratio, 2),
    target: extra.target ?? `≥ ${minRatio} × baseline`,
    met: ratio >= minRatio && errors === 0 && (extra.met ?? true),
    notes: extra.notes,
    ...(extra.reference && {
      reference: { name: extra.reference.name, reqPerSec: round(extra.reference.result.reqPerSec), ratio: round(app.reqPerSec / extra.reference.result.reqPerSec, 2) },
    }),
    details: { statusCodes: app.statusCodes, connectionErrors: app.errors, requests: app.requests, baselineP50Ms: round(baseline.p50Ms), baselineP99Ms: round(baseline.p99Ms) },
  };
}

export function skipped(name: string, target: string, reason: string): ScenarioResult {
  return { name, reqPerSec: null, p50Ms: null, p99Ms: null, baselineReqPerSec: null, ratio: null, target, met: null, skipped: reason };
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const cell = (v: number | string | null | undefined) => (v === null || v === undefined ? '–' : String(v));

export function formatTable(report: BenchReport): string {
  const head = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'baseline req/s', 'ratio', 'target', 'met', 'aggregating baseline req/s', 'ratio to it'];
  const rows = report.scenarios.map((s) => [
    s.name,
    cell(s.reqPerSec),
    cell(s.p50Ms),
    cell(s.p99Ms),
    cell(s.baselineReqPerSec),
    cell(s.ratio),
    s.target,
    s.skipped ? `skipped: ${s.skipped}` : s.met === null ? 'reported' : s.met ? 'met' : 'NOT MET',
    cell(s.reference?.reqPerSec),
    cell(s.reference?.ratio),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const notes = report.scenarios.flatMap((s) => (s.notes ?? []).map((n) => `  - ${s.name}: ${n}`));
  return [
    `Database: ${report.database}. Baseline: ${report.baseline}. ${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node}, load average ${report.machine.load.join(' ')} (1, 5, 15 min).`,
    `App idle RSS ${report.appIdleRssMb} MB; errors logged by the app during the run: ${report.appErrorsLogged}.`,
    'The aggregating baseline (a reference, no target) counts every seat of every upcoming event per request, as the app did before it cached its catalogue.',
    line(head),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(line),
    ...(notes.length ? ['', 'Notes:', ...notes] : []),
  ].join('\n');
}

export function writeReport(report: BenchReport, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}
