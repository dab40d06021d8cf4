import http from 'node:http';
import https from 'node:https';

export type PostOutcome = { status: number } | { error: string };

/**
 * POSTs one webhook. No keep-alive agent: a test's receiver must be able to close
 * at once, and each delivery should stand alone like Stripe's.
 */
export function postJson(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostOutcome> {
  return new Promise((resolve) => {
    // The outcome is returned to the caller, which records each delivery attempt: a bad URL is one.
    if (!URL.canParse(url)) {
      resolve({ error: `invalid webhook URL: ${url}` });
      return;
    }
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : http;
    const req = transport.request(
      target,
      {
        method: 'POST',
        agent: false,
        timeout: timeoutMs,
        headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', (err) => resolve({ error: err.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.message }));
    req.end(body);
  });
}
