import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../config';

/**
 * How the command line finds the payments sandbox that `npm start` runs when STRIPE_SECRET_KEY is unset (outside
 * production). The sandbox keeps its state in the server's memory, so `npm run cli -- stripe:sync` must talk to that
 * very process: the server writes where it listens to a small file beside the database (var/payments-sandbox.json by
 * default), and removes it when it stops. Nothing secret is in it:
 * the sandbox accepts any `sk_test_…` key and takes no real money.
 */

export const LOCAL_SANDBOX_KEY = 'sk_test_local_sandbox';

const announcementSchema = z.object({
  url: z.string().regex(/^http:\/\/127\.0\.0\.1:\d{1,5}$/),
  pid: z.number().int().positive(),
  appPort: z.number().int().min(0).max(65535),
  startedAt: z.string(),
});

export type SandboxAnnouncement = z.infer<typeof announcementSchema>;

/** Beside the SQLite file (var/payments-sandbox.json by default); for PostgreSQL, var/payments-sandbox-<database>.json. */
export function sandboxAnnouncePath(config: Pick<Config, 'database'>): string {
  const { database } = config;
  if (database.client === 'pg') {
    const name = decodeURIComponent(new URL(database.connectionString).pathname.slice(1)).replace(/[^A-Za-z0-9_-]/g, '_') || 'postgres';
    return path.resolve('var', `payments-sandbox-${name}.json`);
  }
  const dir = database.filename === ':memory:' ? path.resolve('var') : path.dirname(path.resolve(database.filename));
  return path.join(dir, 'payments-sandbox.json');
}

export function announceLocalSandbox(config: Pick<Config, 'database'>, announcement: SandboxAnnouncement): string {
  const file = sandboxAnnouncePath(config);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(announcement, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/** Removes the announcement if it is still this process's (a newer server may have replaced it). */
export function withdrawLocalSandbox(config: Pick<Config, 'database'>, pid = process.pid): void {
  const found = readAnnouncement(sandboxAnnouncePath(config));
  if (found?.pid === pid) fs.rmSync(sandboxAnnouncePath(config), { force: true });
}

function readAnnouncement(file: string): SandboxAnnouncement | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not the payments sandbox's announcement (${error instanceof Error ? error.message : String(error)}); delete it and start the service again.`, { cause: error });
  }
  const parsed = announcementSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but is someone else's; ESRCH: gone (the server died without tidying up).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The sandbox a running `npm start` announced for this database, or null when none is running. */
export function findLocalSandbox(config: Pick<Config, 'database'>): SandboxAnnouncement | null {
  const found = readAnnouncement(sandboxAnnouncePath(config));
  return found && isAlive(found.pid) ? found : null;
}
