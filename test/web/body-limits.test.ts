import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';
import { rawExchange } from '../support/raw-http';

// Issue 14: "answer 413 without reading an oversized body". JSON and form bodies are limited to 100 KB.

let t: TestApp;
let server: Server;
let port: number;
let slug: string;

beforeAll(async () => {
  t = await startTestApp();
  slug = (await buildEvent(t.db)).slug;
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

const bigName = 'x'.repeat(120 * 1024);

describe('bodies over the limit', () => {
  it('when a booking request over 100 KB is sent to the API, then it is refused with 413 body_too_large and nothing is booked', async () => {
    const res = await request(server).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: bigName, email: 'big@example.org' }, items: [{ attendee: person('big') }] });

    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'body_too_large', message: expect.stringContaining('100 KB') });
    expect(await t.db('bookings').where({ buyer_email: 'big@example.org' })).toHaveLength(0);
  });

  it('when a form over 100 KB is posted, then the person sees a page that says it was too large', async () => {
    const res = await request(server).post(`/events/${slug}/register`).type('form').send({ name: bigName, email: 'big-form@example.org' });

    expect(res.status).toBe(413);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('larger than this service accepts (100 KB)');
    expect(res.text).toContain('nothing was read or saved');
  });

  it('when a body declares 50 MB and never sends it, then the 413 comes at once, without waiting for the body, and the connection is closed', async () => {
    const exchange = await rawExchange(
      port,
      (socket) => socket.write(`POST /api/v1/events/${slug}/bookings HTTP/1.1\r\nHost: events.test\r\nContent-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n{"buyer":`),
      5000,
    );

    expect(exchange.status).toBe(413);
    expect(exchange.text).toContain('"code":"body_too_large"');
    expect(exchange.firstByteMs).toBeLessThan(1000);
    expect(exchange.text).toMatch(/\r\nConnection: close\r\n/i);
    expect(exchange.isClosed).toBe(true);
    expect(exchange.closedMs).toBeLessThan(1500);
  });

  it('when a webhook declares more than 1 MB, then it is refused at once with 413', async () => {
    const exchange = await rawExchange(port, (socket) => socket.write(`POST /webhooks/stripe HTTP/1.1\r\nHost: events.test\r\nContent-Type: application/json\r\nStripe-Signature: t=1,v1=abc\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n`), 5000);

    expect(exchange.status).toBe(413);
    expect(exchange.firstByteMs).toBeLessThan(1000);
  });

  it('when a body over 100 KB arrives chunked, with no length to check, then it is still refused with 413', async () => {
    const body = JSON.stringify({ buyer: { name: bigName } });
    const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

    const exchange = await rawExchange(
      port,
      (socket) => socket.write(`POST /api/v1/events/${slug}/bookings HTTP/1.1\r\nHost: events.test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk(body.slice(0, 60_000))}${chunk(body.slice(60_000))}0\r\n\r\n`),
      1500,
    );

    expect(exchange.status).toBe(413);
    expect(exchange.text).toContain('"code":"body_too_large"');
  });

  it('when a body of ordinary size is sent, then it is read as before', async () => {
    const res = await request(server).post(`/api/v1/events/${slug}/bookings`).send({ buyer: person('ordinary'), items: [{ attendee: person('ordinary') }] });

    expect(res.status).toBe(201);
  });
});
