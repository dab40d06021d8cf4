import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export interface ServerProcess {
  name: string;
  url: string;
  port: number;
  child: ChildProcess;
  logFile: string;
  /** Resident memory of the server process now, in MB (Linux /proc). */
  rssMb(): number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function waitForHealth(url: string, child: ChildProcess, healthPath = '/healthz', timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}${healthPath}`);
      if (res.ok) return;
    } catch (error) {
      // Not listening yet, most likely; kept so that a timeout says what the last attempt met.
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const last = lastError instanceof Error ? ` (last attempt: ${lastError.message})` : '';
  throw new Error(`${url}${healthPath} did not answer within ${timeoutMs} ms${last}`, { cause: lastError });
}

function readRssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch (error) {
    // The process has exited: it holds no memory.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/**
 * Starts a TypeScript entry point as one node process with tsx as its loader (`node --import tsx`), which is what
 * `tsx FILE` runs, minus tsx's wrapper process: the pid is the server itself, so RSS is the server's and a
 * SIGKILL really kills it.
 */
export async function startServer(options: {
  name: string;
  entry: string;
  env: Record<string, string>;
  logDir: string;
  nodeArgs?: string[];
  port?: number;
  healthPath?: string;
}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const logFile = path.join(options.logDir, `${options.name}.log`);
  const log = fs.openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env, PORT: String(port) };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', options.entry], { cwd: ROOT, env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForHealth(url, child, options.healthPath);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n--- ${logFile} ---\n${fs.readFileSync(logFile, 'utf8').slice(-3000)}`, { cause: error });
  }
  return {
    name: options.name,
    url,
    port,
    child,
    logFile,
    rssMb: () => readRssMb(child.pid),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Samples a process's RSS every `everyMs` until stopped; returns the highest value seen, in MB. */
export function sampleRss(server: ServerProcess, everyMs = 50): { stop(): number } {
  let max = server.rssMb();
  const timer = setInterval(() => {
    max = Math.max(max, server.rssMb());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, server.rssMb());
    },
  };
}
