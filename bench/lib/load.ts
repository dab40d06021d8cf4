import http from 'node:http';
import autocannon from 'autocannon';

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Connection errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
}

export interface LoadOptions {
  url: string;
  path: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** A fresh body for every request (for example a distinct email per registration). */
  body?: () => string;
  /** A fresh path and body for every request. */
  next?: () => { path: string; body: string };
  connections: number;
  durationS: number;
  warmupS: number;
}

interface RunResult {
  requests: number;
  durationS: number;
  errors: number;
  statusCodes: Record<string, number>;
  latencies: number[];
}

function run(options: LoadOptions, durationS: number): Promise<RunResult> {
  const request: autocannon.Request = { method: options.method ?? 'GET', path: options.path, headers: options.headers };
  const { body, next } = options;
  if (next) request.setupRequest = (req) => ({ ...req, ...next() });
  else if (body) request.setupRequest = (req) => ({ ...req, body: body() });
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const tracker = autocannon({ url: options.url, connections: options.connections, duration: durationS, requests: [request], timeout: 30 }, (error, result) => {
      if (error) return reject(error);
      const statusCodes: Record<string, number> = {};
      for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
      resolve({ requests: result.requests.total, durationS: result.duration, errors: result.errors, statusCodes, latencies });
    });
    tracker.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  });
}

function summarise(runs: RunResult[]): LoadResult {
  const statusCodes: Record<string, number> = {};
  for (const r of runs) for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    reqPerSec: requests / runs.reduce((s, r) => s + r.durationS, 0),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    statusCodes,
  };
}

/** A short warm-up (JIT, caches, pools), then the measured run. */
export async function measure(options: LoadOptions): Promise<LoadResult> {
  return (await measureTogether([options], 1))[0];
}

/**
 * Measures several targets (a baseline and the app) in turns: each is warmed up, then they take turns for `rounds`
 * slices of their duration, and each one's figures are summed over its slices. The machine's speed drifts over a
 * minute (it is shared), and measuring in turns spreads that drift over both sides of a ratio instead of
 * letting it land on one. Percentiles are exact, from every response's time.
 */
export interface Target extends LoadOptions {
  /** Wraps each measured slice, e.g. to sample the server's memory while it runs. */
  around?: <T>(slice: () => Promise<T>) => Promise<T>;
}

export async function measureTogether(targets: Target[], rounds = 3): Promise<LoadResult[]> {
  for (const target of targets) if (target.warmupS > 0) await run(target, target.warmupS);
  const runs: RunResult[][] = targets.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, target] of targets.entries()) {
      const slice = () => run(target, Math.max(1, Math.round(target.durationS / rounds)));
      runs[i].push(await (target.around ? target.around(slice) : slice()));
    }
  }
  return runs.map(summarise);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface BurstResponse {
  status: number;
  ms: number;
  body: string;
}

/** Fires all the requests at once, each on its own connection, and waits for every answer. */
export async function burst(url: string, path: string, bodies: string[]): Promise<BurstResponse[]> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const target = new URL(path, url);
  const one = (body: string) =>
    new Promise<BurstResponse>((resolve) => {
      const started = process.hrtime.bigint();
      const done = (status: number, text: string) => resolve({ status, ms: Number(process.hrtime.bigint() - started) / 1e6, body: text });
      const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      });
      req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
      req.on('error', (error) => done(0, error.message));
      req.end(body);
    });
  try {
    return await Promise.all(bodies.map(one));
  } finally {
    agent.destroy();
  }
}
