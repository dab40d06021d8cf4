import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The folder boundaries of DESIGN.md ("Layout and boundaries"), as the project's ESLint config enforces them.
 * Each case lints a few lines of code as if they were a new file at `file` (nothing is written), so every rule
 * is shown to fail on a fresh violation and to let the allowed imports through.
 *
 * ESLint loads its config (an ES module) with import(), which jest's module sandbox does not allow, so the cases
 * are linted by one plain node process through ESLint's API.
 */

const ROOT = path.resolve(__dirname, '../..');

/** Some module of a folder, as a specifier relative to `fromDir`; the tests do not depend on any one file name. */
function moduleIn(folder: string, fromDir: string): string {
  const dir = path.join(ROOT, folder);
  const file = fs.existsSync(path.join(dir, 'index.ts')) ? 'index.ts' : fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()[0];
  if (!file) throw new Error(`no TypeScript module in ${folder}`);
  const specifier = path.relative(path.join(ROOT, fromDir), path.join(dir, file.replace(/\.ts$/, '')));
  return specifier.startsWith('.') ? specifier : `./${specifier}`;
}

/** The Stripe sandbox's code: the top-level sandbox/src/. */
function sandboxFolder(): string {
  const dir = path.join(ROOT, 'sandbox/src');
  if (!fs.existsSync(dir) || !fs.readdirSync(dir).some((f) => f.endsWith('.ts'))) throw new Error('no sandbox folder found');
  return 'sandbox/src';
}

interface Case {
  file: string;
  code: string;
}

/** The boundaries/dependencies messages ESLint reports for each case. */
function lint(cases: Case[]): string[][] {
  const script = `
    import { ESLint } from 'eslint';
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const c of cases) {
      const [result] = await eslint.lintText(c.code, { filePath: c.file });
      out.push(result.messages.filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(stdout) as string[][];
}

const sandbox = sandboxFolder();
const cases = {
  libImportsFeature: { file: 'src/lib/probe.ts', code: `import { x } from '${moduleIn('src/events', 'src/lib')}';\nexport const y = x;` },
  dbImportsFeature: { file: 'src/db/probe.ts', code: `export { x } from '${moduleIn('src/mail', 'src/db')}';` },
  libTypeImportsFeature: { file: 'src/lib/probe.ts', code: `import type { X } from '${moduleIn('src/bookings', 'src/lib')}';\nexport type Y = X;` },
  libImportsLib: { file: 'src/lib/probe.ts', code: `import { x } from '${moduleIn('src/lib', 'src/lib')}';\nexport const y = x;` },
  jobsImportsFeature: { file: 'src/jobs/probe.ts', code: `import { x } from '${moduleIn('src/bookings', 'src/jobs')}';\nexport const y = x;` },
  jobsLoadsFeatureLater: { file: 'src/jobs/probe.ts', code: `export const load = () => import('${moduleIn('src/finance', 'src/jobs')}');` },
  jobsImportsLib: { file: 'src/jobs/probe.ts', code: `import { x } from '${moduleIn('src/lib', 'src/jobs')}';\nexport const y = x;` },
  bookingsImportsPayments: { file: 'src/bookings/probe.ts', code: `import { x } from '${moduleIn('src/payments', 'src/bookings')}';\nexport const y = x;` },
  bookingsTypeImportsPayments: { file: 'src/bookings/probe.ts', code: `import type { X } from '${moduleIn('src/payments', 'src/bookings')}';\nexport type Y = X;` },
  paymentsImportsBookings: { file: 'src/payments/probe.ts', code: `import { x } from '${moduleIn('src/bookings', 'src/payments')}';\nexport const y = x;` },
  featureImportsSandbox: { file: 'src/events/probe.ts', code: `import { x } from '${moduleIn(sandbox, 'src/events')}';\nexport const y = x;` },
  appImportsSandbox: { file: 'src/probe.ts', code: `import { x } from '${moduleIn(sandbox, 'src')}';\nexport const y = x;` },
  featureTypeImportsSandbox: { file: 'src/events/probe.ts', code: `import type { X } from '${moduleIn(sandbox, 'src/events')}';\nexport type Y = X;` },
  featureLoadsSandboxLater: { file: 'src/events/probe.ts', code: `export const start = () => import('${moduleIn(sandbox, 'src/events')}');` },
  migrationImportsLib: { file: 'migrations/209901010000_probe.ts', code: `import { x } from '${moduleIn('src/lib', 'migrations')}';\nexport const y = x;` },
  migrationImportsConfig: { file: 'migrations/209901010000_probe.ts', code: `import { loadConfig } from '../src/config';\nexport const y = loadConfig;` },
  migrationImportsKnex: { file: 'migrations/209901010000_probe.ts', code: `import type { Knex } from 'knex';\nexport type K = Knex;` },
};
const names = Object.keys(cases) as Array<keyof typeof cases>;
let reported: Record<keyof typeof cases, string[]>;

beforeAll(() => {
  const results = lint(names.map((name) => cases[name]));
  reported = Object.fromEntries(names.map((name, i) => [name, results[i]])) as typeof reported;
}, 60_000);

describe('the folder boundaries (npm run lint)', () => {
  it('when lib/ or db/ imports a feature folder, even for a type, then the linter reports it', () => {
    expect(reported.libImportsFeature).toEqual([expect.stringContaining('lib/ and db/ are the shared kernel')]);
    expect(reported.dbImportsFeature).toEqual([expect.stringContaining('lib/ and db/ are the shared kernel')]);
    expect(reported.libTypeImportsFeature).toEqual([expect.stringContaining('lib/ and db/ are the shared kernel')]);
    expect(reported.libImportsLib).toEqual([]);
  });

  it('when jobs/ imports a feature, statically or with import(), then the linter reports it; lib/ is allowed', () => {
    expect(reported.jobsImportsFeature).toEqual([expect.stringContaining('jobs/ runs work that features register')]);
    expect(reported.jobsLoadsFeatureLater).toEqual([expect.stringContaining('jobs/ runs work that features register')]);
    expect(reported.jobsImportsLib).toEqual([]);
  });

  it('when bookings/ imports payments/, even for a type, then the linter reports it; payments/ may import bookings/', () => {
    expect(reported.bookingsImportsPayments).toEqual([expect.stringContaining('bookings/ never imports payments/')]);
    expect(reported.bookingsTypeImportsPayments).toEqual([expect.stringContaining('bookings/ never imports payments/')]);
    expect(reported.paymentsImportsBookings).toEqual([]);
  });

  it('when code under src/ imports the sandbox statically, then the linter reports it; a type or an import() is allowed', () => {
    expect(reported.featureImportsSandbox).toEqual([expect.stringContaining('loads the Stripe sandbox statically')]);
    expect(reported.appImportsSandbox).toEqual([expect.stringContaining('loads the Stripe sandbox statically')]);
    expect(reported.featureTypeImportsSandbox).toEqual([]);
    expect(reported.featureLoadsSandboxLater).toEqual([]);
  });

  it('when a migration imports app code, then the linter reports it; knex is allowed', () => {
    expect(reported.migrationImportsLib).toEqual([expect.stringContaining('Migrations never import app code')]);
    expect(reported.migrationImportsConfig).toEqual([expect.stringContaining('Migrations never import app code')]);
    expect(reported.migrationImportsKnex).toEqual([]);
  });
});
