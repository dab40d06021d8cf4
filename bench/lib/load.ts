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

function run(options: LoadOptions, durationS: number): Promise<autocannon.Result> {
  const request: autocannon.Request = { method: options.method ?? 'GET', path: options.path, headers: options.headers };
  const { body, next } = options;
  if (next) request.setupRequest = (req) => ({ ...req, ...next() });
  else if (body) request.setupRequest = (req) => ({ ...req, body: body() });
  return autocannon({ url: options.url, connections: options.connections, duration: durationS, requests: [request], timeout: 30 });
}

/** A short warm-up (JIT, caches, pools), then the measured run. */
export async function measure(options: LoadOptions): Promise<LoadResult> {
  if (options.warmupS > 0) await run(options, options.warmupS);
  const result = await run(options, options.durationS);
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  return {
    reqPerSec: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors,
    statusCodes,
  };
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
