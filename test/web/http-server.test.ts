import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { createHttpServer, listen } from '../../src/web/http-server';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';
import { rawExchange, trickle } from '../support/raw-http';

// Issue 14, "Slow and large requests": a body sent one byte every 10 s stayed open for minutes. The server now has
// headers, request and keep-alive timeouts; these tests use short ones (the production defaults are 20 s, 60 s, 5 s).

const SHORT = { headersTimeoutMs: 400, requestTimeoutMs: 1000, keepAliveTimeoutMs: 300 };

let t: TestApp;
let server: Server;
let port: number;
let slug: string;

beforeAll(async () => {
  t = await startTestApp();
  slug = (await buildEvent(t.db)).slug;
  server = await listen(createHttpServer(t.app, SHORT), 0, '127.0.0.1');
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

describe('the HTTP server and slow clients', () => {
  it('when a client sends a body one byte at a time, then it gets 408 and the connection is closed once the request timeout has passed', async () => {
    const body = JSON.stringify({ buyer: { name: 'Slow Loris', email: 'slow@example.org' }, items: [{ attendee: { name: 'Slow Loris', email: 'slow@example.org' } }] });

    const exchange = await rawExchange(
      port,
      (socket) => {
        socket.write(`POST /api/v1/events/${slug}/bookings HTTP/1.1\r\nHost: events.test\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
        trickle(socket, body, 100);
      },
      5000,
    );

    expect(exchange.status).toBe(408);
    expect(exchange.isClosed).toBe(true);
    expect(exchange.closedMs).toBeGreaterThanOrEqual(SHORT.requestTimeoutMs - 100);
    expect(exchange.closedMs).toBeLessThan(SHORT.requestTimeoutMs + 1500);
    expect(await t.db('bookings').where({ buyer_email: 'slow@example.org' })).toHaveLength(0);
  });

  it('when a client sends its headers one byte at a time, then the connection is closed once the headers timeout has passed', async () => {
    const exchange = await rawExchange(port, (socket) => trickle(socket, `GET /events/${slug} HTTP/1.1\r\nHost: events.test\r\nX-Padding: ${'x'.repeat(200)}\r\n\r\n`, 50), 5000);

    expect(exchange.isClosed).toBe(true);
    expect(exchange.status).toBe(408);
    expect(exchange.closedMs).toBeLessThan(SHORT.headersTimeoutMs + 1500);
  });

  it('when a kept-alive connection sits idle, then the server closes it after the keep-alive timeout (Node adds a second of grace)', async () => {
    const exchange = await rawExchange(port, (socket) => socket.write('GET /healthz HTTP/1.1\r\nHost: events.test\r\nConnection: keep-alive\r\n\r\n'), 5000);

    expect(exchange.status).toBe(200);
    expect(exchange.isClosed).toBe(true);
    expect(exchange.closedMs! - exchange.firstByteMs!).toBeGreaterThanOrEqual(SHORT.keepAliveTimeoutMs - 100);
    expect(exchange.closedMs! - exchange.firstByteMs!).toBeLessThan(SHORT.keepAliveTimeoutMs + 2000);
  });

  it('when a client sends a whole request at once, then it is served as usual', async () => {
    const exchange = await rawExchange(port, (socket) => socket.write(`GET /events/${slug} HTTP/1.1\r\nHost: events.test\r\nConnection: close\r\n\r\n`), 5000);

    expect(exchange.status).toBe(200);
  });

  it('when the service starts with the default settings, then its server has 20 s for headers, 60 s for a request and 5 s of keep-alive', () => {
    const configured = createHttpServer(t.app, loadConfig({}).http);

    expect([configured.headersTimeout, configured.requestTimeout, configured.keepAliveTimeout]).toEqual([20_000, 60_000, 5_000]);
  });
});
