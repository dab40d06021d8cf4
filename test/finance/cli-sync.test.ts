import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main';
import { loadConfig } from '../../src/config';
import { sandboxAnnouncePath } from '../../src/payments/sandbox-announce';
import { createTestDatabase, type TestDatabase } from '../support/db';

/**
 * `npm run cli -- stripe:sync` as the README says it works: `npm start` with no STRIPE_SECRET_KEY runs the payments
 * sandbox, and the command, run beside it with the same DATABASE_URL and no key either, syncs from that sandbox.
 */
let testDb: TestDatabase;
let server: ChildProcess | undefined;
let mailDir: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-cli-mail-'));
});
afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) {
    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  }
  await testDb.destroy();
  fs.rmSync(mailDir, { recursive: true, force: true });
});

function cliIo() {
  const lines: string[] = [];
  return { lines, io: { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`), prompt: async () => '' } };
}

const baseEnv = () => ({ NODE_ENV: 'development', DATABASE_URL: testDb.url, MAIL_DIR: mailDir });

/** Starts the service as `npm start` does and waits for the sandbox's announcement in its log. */
async function startService(): Promise<{ sandboxUrl: string }> {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...baseEnv(), PORT: '0' };
  // One process (node with tsx's loader), so that SIGTERM reaches the service itself, as Ctrl-C would.
  server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: path.resolve(__dirname, '../..'), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start: ${output}`)), 45_000);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /local payments sandbox at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match && output.includes('listening on')) {
        clearTimeout(timer);
        resolve({ sandboxUrl: match[1] });
      }
    };
    server!.stdout!.on('data', seen);
    server!.stderr!.on('data', seen);
    server!.once('exit', (code) => reject(new Error(`the service stopped (${code}): ${output}`)));
  });
}

describe('npm run cli -- stripe:sync against the local payments sandbox', () => {
  it('when no service is running and no key is set, then it fails saying how to make it work', async () => {
    const { lines, io } = cliIo();
    expect(await runCli(['stripe:sync'], baseEnv(), io)).toBe(1);
    const said = lines.join('\n');
    expect(said).toContain('STRIPE_SECRET_KEY is not set, and no local payments sandbox is running for this database.');
    expect(said).toContain(`announces it in ${sandboxAnnouncePath(loadConfig(baseEnv()))}`);
  });

  it('when `npm start` runs with no key, then the command finds its sandbox and syncs what was paid there; when the service stops, then it says so again', async () => {
    const { sandboxUrl } = await startService();
    const charge = await fetch(`${sandboxUrl}/_sandbox/charges`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: 1500, description: 'Donation' }) });
    expect(charge.status).toBe(200);

    const { lines, io } = cliIo();
    expect(await runCli(['stripe:sync'], baseEnv(), io)).toBe(0);
    expect(lines[0]).toMatch(new RegExp(`^No STRIPE_SECRET_KEY: syncing from the local payments sandbox at ${sandboxUrl.replace(/\./g, '\\.')}, run by the service on port 0 \\(process \\d+\\)\\.$`));
    expect(lines.at(-1)).toMatch(/^Synced 1 balance transactions, 0 payouts/);
    expect(await testDb.db('balance_transactions').where({ amount: 1500 })).toHaveLength(1);

    const exited = new Promise((resolve) => server!.once('exit', resolve));
    server!.kill('SIGTERM');
    await exited;
    expect(fs.existsSync(sandboxAnnouncePath(loadConfig(baseEnv())))).toBe(false);
    const after = cliIo();
    expect(await runCli(['stripe:sync'], baseEnv(), after.io)).toBe(1);
    expect(after.lines.join('\n')).toContain('no local payments sandbox is running');
  }, 90_000);

  it('when run in production with no key, then it refuses without looking for a sandbox', async () => {
    const { lines, io } = cliIo();
    const env = { ...baseEnv(), NODE_ENV: 'production', PUBLIC_URL: 'https://events.example', SESSION_SECRET: 's'.repeat(40), STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '' };
    expect(await runCli(['stripe:sync'], env, io)).toBe(1);
    expect(lines.join('\n')).toMatch(/STRIPE_SECRET_KEY/);
  });
});
