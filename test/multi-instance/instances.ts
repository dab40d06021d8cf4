import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, startServer, type ServerProcess } from '../../bench/lib/processes';

export type Instance = ServerProcess;

/**
 * The environment every instance of one test shares: test mode, the one database, one session secret (so private links
 * made by one instance open on another) and the From address; `extra` adds or overrides (SMTP_URL, MAIL_DIR, limits…).
 */
export function instanceEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { NODE_ENV: 'test', DATABASE_URL: databaseUrl, SESSION_SECRET: 'multi-instance-test-secret-of-at-least-32-characters', MAIL_FROM: 'HSUG Events <events@hsug.test>', ...extra };
}

/**
 * Reads `read()` every `everyMs` until `done` holds for its value, and returns that value; throws, naming `what` and the
 * last value read, after `timeoutMs`. What a test of several processes waits on: rows committed, emails arrived.
 */
export async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Starts `src/server.ts` as its own process, the way `npm start` does (tsx as the loader, in the child itself
 * so that SIGKILL kills the server and not a wrapper), and waits until GET /healthz answers. The bench starts
 * its servers the same way; the log is kept in a temporary directory until the instance is stopped.
 */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-instance-'));
  const server = await startServer({ name: 'instance', entry: 'src/server.ts', env: { ...env, PUBLIC_URL: `http://127.0.0.1:${port}` }, logDir, port });
  return {
    ...server,
    async stop(signal) {
      await server.stop(signal);
      fs.rmSync(logDir, { recursive: true, force: true });
    },
  };
}

export interface MailGate {
  url: string;
  /** Messages (DATA commands) carried so far. */
  messagesCarried(): number;
  /** Stops passing anything from the instance to the mail server, as a network partition would. */
  cut(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay between one instance and the test SMTP server. Cutting it holds back everything the instance sends
 * from then on: a message it is sending never reaches the server, so it is neither received nor acknowledged.
 */
export async function startMailGate(smtpPort: number): Promise<MailGate> {
  let isCut = false;
  let carried = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(smtpPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (chunk: Buffer) => {
      if (isCut) return;
      carried += (chunk.toString('latin1').match(/^DATA\r\n/gm) ?? []).length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messagesCarried: () => carried,
    cut: () => {
      isCut = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
