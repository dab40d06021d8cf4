import http from 'node:http';
import type { RequestListener } from 'node:http';
import type { HttpTimeouts } from '../config';

/**
 * The HTTP server, with limits on slow clients (OWASP Denial of Service Cheat Sheet; Node's "slowloris" advice):
 * - `headersTimeout`: a client must send its request headers within this time;
 * - `requestTimeout`: and the whole request, body included, within this time; a client sending one byte every
 *   few seconds gets 408 and the connection is closed;
 * - `keepAliveTimeout`: an idle kept-alive connection is closed after this time (Node 20 adds a second of grace).
 * Node checks open connections against the first two only every `connectionsCheckingInterval` (30 s by default,
 * which would let a slow client overstay by as much): here every second, or sooner for the short limits in tests.
 * The values come from HTTP_HEADERS_TIMEOUT_SECONDS, HTTP_REQUEST_TIMEOUT_SECONDS and HTTP_KEEP_ALIVE_TIMEOUT_SECONDS.
 */
export function createHttpServer(listener: RequestListener, timeouts: HttpTimeouts): http.Server {
  const server = http.createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4))),
    },
    listener,
  );
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  return server;
}

/** Starts listening on `port` (0: any free port) on every interface; resolves once it is listening. */
export function listen(server: http.Server, port: number, host?: string): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
