import { spawn } from 'node:child_process';
import path from 'node:path';
import { enqueueEmail } from '../../src/mail/outbox';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../..');
const EMAILS = 300;
const PROCESSES = 4;

let testDb: TestDatabase;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.destroy();
});

interface Claimer {
  ready: Promise<void>;
  go(): void;
  result: Promise<number[]>;
}

function startClaimer(): Claimer {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'claimer.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: testDb.url },
  });
  let out = '';
  let err = '';
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
    if (err.includes('ready')) signalReady();
  });
  const result = new Promise<number[]>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`claimer exited ${code}: ${err}`)))),
  );
  return { ready, go: () => child.stdin.write('go\n'), result };
}

describe(`outbox claims across processes on ${onPostgres ? 'PostgreSQL' : 'SQLite'}`, () => {
  it('when four processes claim the same backlog at once, then every email is claimed by exactly one of them', async () => {
    const now = new Date();
    for (let i = 0; i < EMAILS; i++) {
      await enqueueEmail(testDb.db, { dedupeKey: `claim-test:${i}`, kind: 'test', to: `p${i}@example.org`, subject: `Email ${i}`, text: 'Hello', html: '<p>Hello</p>' }, now, 'events.test');
    }

    const claimers = Array.from({ length: PROCESSES }, () => startClaimer());
    await Promise.all(claimers.map((c) => c.ready));
    claimers.forEach((c) => c.go());
    const results = await Promise.all(claimers.map((c) => c.result));

    const all = results.flat();
    expect(all).toHaveLength(EMAILS);
    expect(new Set(all).size).toBe(EMAILS);
    expect(results.filter((ids) => ids.length > 0).length).toBeGreaterThan(1);
    const rows = await testDb.db('outbox_emails').select('status', 'attempts');
    expect(rows.every((r) => r.status === 'sending' && Number(r.attempts) === 1)).toBe(true);
  });
});
