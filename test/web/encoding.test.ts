import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';

let t: TestApp;
let server: Server;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
});
afterAll(async () => {
  server.close();
  await t.close();
});

/**
 * Posts bytes exactly as given (superagent would serialise a Buffer under a JSON or form content type) and reads the
 * answer as a person or script would: status, content type, text and, for JSON, the parsed body.
 */
function rawPost(path: string, contentType: string, bytes: Buffer): Promise<{ status: number; type: string; text: string; body: { error?: { code: string; message: string } } }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'Content-Type': contentType, 'Content-Length': bytes.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const type = String(res.headers['content-type'] ?? '').split(';')[0];
        resolve({ status: res.statusCode ?? 0, type, text, body: type === 'application/json' ? JSON.parse(text) : {} });
      });
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

const countBookings = async (eventId: number) => Number((await t.db('bookings').where({ event_id: eventId }).count({ n: '*' }))[0].n);

/** A JSON booking body with `nameBytes` spliced in as the buyer's and attendee's name, byte for byte. */
function jsonWithName(nameBytes: Buffer): Buffer {
  const [before, middle, after] = ['{"buyer":{"name":"', '","email":"raw@example.org"},"items":[{"attendee":{"name":"', '","email":"raw@example.org"}}]}'];
  return Buffer.concat([Buffer.from(before), nameBytes, Buffer.from(middle), nameBytes, Buffer.from(after)]);
}

describe('invalid UTF-8 in a request body', () => {
  it.each([
    ['a 0xFF byte', Buffer.from([0x41, 0xff, 0x42])],
    ['a lone continuation byte', Buffer.from([0x41, 0x80])],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf])],
    ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
  ])('when a JSON booking has %s in a name, then 400 invalid_encoding and nothing is stored', async (_label, bytes) => {
    // Arrange
    const event = await buildEvent(t.db);

    // Act
    const res = await rawPost(`/api/v1/events/${event.slug}/bookings`, 'application/json; charset=utf-8', jsonWithName(bytes));

    // Assert
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('invalid_encoding');
    expect(res.body.error?.message).toMatch(/not valid UTF-8/);
    expect(await countBookings(event.id)).toBe(0);
  });

  it('when a JSON booking is valid UTF-8 with accents, then it is booked with the name as sent', async () => {
    const event = await buildEvent(t.db);
    const res = await rawPost(`/api/v1/events/${event.slug}/bookings`, 'application/json', jsonWithName(Buffer.from('Zoë Ångström', 'utf8')));
    expect(res.status).toBe(201);
    expect((await t.db('attendees').where({ email: 'raw@example.org' }).first()).name).toBe('Zoë Ångström');
  });

  it.each([
    ['a %-escape of invalid UTF-8', 'name=Ann%FF&email=form1%40example.org'],
    ['a truncated %-escaped sequence', 'name=Ann%C3&email=form2%40example.org'],
    ['a broken %-escape', 'name=100%&email=form3%40example.org'],
  ])('when the registration form has %s, then 400 invalid_encoding on a page and nothing is stored', async (_label, body) => {
    const event = await buildEvent(t.db);

    const res = await rawPost(`/events/${event.slug}/register`, 'application/x-www-form-urlencoded', Buffer.from(body));

    expect(res.status).toBe(400);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('not valid UTF-8');
    expect(await countBookings(event.id)).toBe(0);
  });

  it('when the registration form has a raw 0xFF byte, then 400 invalid_encoding', async () => {
    const event = await buildEvent(t.db);
    const body = Buffer.concat([Buffer.from('name=Ann'), Buffer.from([0xff]), Buffer.from('&email=form4%40example.org')]);
    const res = await rawPost(`/events/${event.slug}/register`, 'application/x-www-form-urlencoded', body);
    expect(res.status).toBe(400);
    expect(await countBookings(event.id)).toBe(0);
  });

  it('when the registration form escapes an accented name properly, then it is registered with the accent', async () => {
    const event = await buildEvent(t.db);
    const res = await rawPost(`/events/${event.slug}/register`, 'application/x-www-form-urlencoded', Buffer.from('name=Zo%C3%AB+Lee&email=zoe%40example.org'));
    expect(res.status).toBe(303);
    expect((await t.db('attendees').where({ email: 'zoe@example.org' }).first()).name).toBe('Zoë Lee');
  });
});

describe('invalid percent-encoding in a query string', () => {
  it.each([
    ['/api/v1/events?kind=%FF', 'json'],
    ['/api/v1/events?from=%E2%82', 'json'],
    ['/?kind=%zz', 'html'],
    ['/events/past?region=100%', 'html'],
  ])('when %s is asked for, then 400 invalid_encoding, not 500', async (url, kind) => {
    const res = await request(server).get(url);
    expect(res.status).toBe(400);
    if (kind === 'json') expect(res.body.error.code).toBe('invalid_encoding');
    else expect(res.text).toContain('not valid UTF-8');
  });

  it('when a query string escapes UTF-8 properly, then it is read as usual', async () => {
    const res = await request(server).get('/api/v1/events?kind=seminar&x=Zo%C3%AB');
    expect(res.status).toBe(200);
  });

  it('when a path segment has invalid percent-encoding, then the answer is a 4xx, not 500', async () => {
    for (const url of ['/events/%FF', '/api/v1/events/%E2%82', '/bookings/%zz']) {
      const res = await request(server).get(url);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});
