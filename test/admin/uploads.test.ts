import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { MEMBER_UPLOAD } from '../../src/admin/members/routes';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';
import { rawExchange } from '../support/raw-http';
import { createStaff, csrfFrom, formCookie, sessionCookie } from './helpers';

// Issue 14, "Slow and large requests": uploads were parsed (up to 5 MiB) on any /admin path before the session was
// checked. Now only the member import parses a multipart body, after its guard, with multer's limits; too large is
// 413 with the form shown again, and a size declared too large is refused before a byte of the body is read.

let t: TestApp;
let server: Server;
let port: number;
let organiser: Staff;
let treasurer: Staff;

interface Staff {
  cookie: string;
  csrf: string;
}

const BOUNDARY = '----hsug-test-boundary';
const HUGE = 50 * 1024 * 1024;

/** Signs in through the form and keeps the session cookie, for requests written by hand. */
async function signInCookie(email: string): Promise<Staff> {
  const form = await request(server).get('/admin/sign-in');
  // The sign-in form's token lives in a signed cookie (auth/form-token.ts), not in a session.
  const signedIn = await request(server).post('/admin/sign-in').set('Cookie', formCookie(form)).type('form').send({ _csrf: csrfFrom(form.text), email, password: 'correct horse battery staple', next: '/admin' });
  const cookie = sessionCookie(signedIn)!.split(';')[0];
  const home = await request(server).get('/admin').set('Cookie', cookie);
  return { cookie, csrf: csrfFrom(home.text) };
}

function part(name: string, value: string, filename?: string): string {
  const disposition = `Content-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}`;
  return `--${BOUNDARY}\r\n${disposition}\r\n${filename ? 'Content-Type: text/csv\r\n' : ''}\r\n${value}\r\n`;
}

function multipart(parts: string[]): string {
  return `${parts.join('')}--${BOUNDARY}--\r\n`;
}

/** A multipart POST whose headers declare `length` bytes, of which only `body` (perhaps nothing) is ever sent. */
function declare(path: string, length: number, cookie?: string, body = '') {
  return rawExchange(
    port,
    (socket) => socket.write(`POST ${path} HTTP/1.1\r\nHost: events.test\r\n${cookie ? `Cookie: ${cookie}\r\n` : ''}Content-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${length}\r\n\r\n${body}`),
    5000,
  );
}

function post(staff: Staff, path: string, body: string | Buffer) {
  return request(server).post(path).set('Cookie', staff.cookie).set('Content-Type', `multipart/form-data; boundary=${BOUNDARY}`).send(body);
}

const VALID_CSV = 'email,name,membership number,expiry date\r\nada@example.org,Ada Lovelace,RSS-001,2026-12-31\r\n';

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
  organiser = await signInCookie((await createStaff(t, 'organiser')).email);
  treasurer = await signInCookie((await createStaff(t, 'treasurer')).email);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

async function memberCount(): Promise<number> {
  return Number((await t.db('members').count({ n: '*' }).first())?.n ?? 0);
}

describe('who may upload, decided before the body is read', () => {
  it('when someone not signed in posts an upload declaring 50 MB and sends none of it, then they are sent to sign in at once and the connection is closed', async () => {
    const exchange = await declare('/admin/members/import', HUGE);

    expect(exchange.status).toBe(303);
    expect(exchange.text).toMatch(/\r\nLocation: \/admin\/sign-in\?next=/i);
    expect(exchange.firstByteMs).toBeLessThan(1000);
    expect(exchange.isClosed).toBe(true);
  });

  it('when someone not signed in posts a huge multipart body to any other staff address, then the answer is the same, at once', async () => {
    const exchange = await declare('/admin/events/anything/publish', HUGE);

    expect(exchange.status).toBe(303);
    expect(exchange.firstByteMs).toBeLessThan(1000);
  });

  it('when a treasurer (no member permission) posts an upload declaring 50 MB, then 403 comes at once, before the body', async () => {
    const exchange = await declare('/admin/members/import', HUGE, treasurer.cookie);

    expect(exchange.status).toBe(403);
    expect(exchange.firstByteMs).toBeLessThan(1000);
    expect(exchange.isClosed).toBe(true);
  });
});

describe('uploads too large', () => {
  it('when an organiser\'s upload declares 50 MB, then the member page comes back at once with 413 and the limit, and nothing is read or imported', async () => {
    const before = await memberCount();

    const exchange = await declare('/admin/members/import', HUGE, organiser.cookie);

    expect(exchange.status).toBe(413);
    expect(exchange.firstByteMs).toBeLessThan(1000);
    expect(exchange.text).toContain('The file is too large: this form takes files up to 5 MB. Nothing was imported or changed.');
    expect(exchange.text).toContain('Import the member list');
    expect(exchange.isClosed).toBe(true);
    expect(await memberCount()).toBe(before);
  });

  it('when an organiser uploads a file one byte over 5 MB, then the member page says it is too large (413) and nothing is imported', async () => {
    const before = await memberCount();
    const file = VALID_CSV + 'x'.repeat(MEMBER_UPLOAD.maxFileBytes + 1 - VALID_CSV.length);

    const res = await post(organiser, '/admin/members/import', multipart([part('_csrf', organiser.csrf), part('file', file, 'members.csv')]));

    expect(res.status).toBe(413);
    expect(res.text).toContain('The file is too large: this form takes files up to 5 MB.');
    expect(res.text).toContain('<form method="post" action="/admin/members/import"');
    expect(await memberCount()).toBe(before);
  });

  it('when an upload carries more fields than the form has, then it is refused with 413 and nothing is imported', async () => {
    const before = await memberCount();
    const extra = Array.from({ length: 5 }, (_, i) => part(`extra${i}`, 'x'));

    const res = await post(organiser, '/admin/members/import', multipart([part('_csrf', organiser.csrf), ...extra, part('file', VALID_CSV, 'members.csv')]));

    expect(res.status).toBe(413);
    expect(res.text).toContain('The form has more, or longer, fields than it should');
    expect(await memberCount()).toBe(before);
  });

  it('when an upload does not say its size (chunked), then it is refused with 411 before it is read', async () => {
    const body = multipart([part('_csrf', organiser.csrf), part('file', VALID_CSV, 'members.csv')]);
    const exchange = await rawExchange(
      port,
      (socket) => socket.write(`POST /admin/members/import HTTP/1.1\r\nHost: events.test\r\nCookie: ${organiser.cookie}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`),
      1500,
    );

    expect(exchange.status).toBe(411);
    expect(exchange.text).toContain('must say its size');
  });
});

describe('uploads that are not what the form sends', () => {
  it('when the file comes in a field the form does not have, then 400 with a message, and nothing is imported', async () => {
    const res = await post(organiser, '/admin/members/import', multipart([part('_csrf', organiser.csrf), part('other', VALID_CSV, 'members.csv')]));

    expect(res.status).toBe(400);
    expect(res.text).toContain('The upload has a file where the form has none (field &quot;other&quot;).');
  });

  it('when the multipart body is cut short, then 400 says the upload could not be read', async () => {
    const res = await post(organiser, '/admin/members/import', `--${BOUNDARY}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${organiser.csrf}\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="m.csv"\r\n\r\nemail,na`);

    expect(res.status).toBe(400);
    expect(res.text).toContain('The upload could not be read.');
  });

  it('when a multipart form with a valid CSRF token is posted to a form that takes no upload, then it is never parsed, so it is refused (403) and nothing changes', async () => {
    const event = await buildEvent(t.db, { status: 'draft' });

    const res = await post(organiser, `/admin/events/${event.slug}/publish`, multipart([part('_csrf', organiser.csrf)]));

    expect(res.status).toBe(403);
    expect(res.text).toContain('This form has expired or did not come from this site');
    expect((await t.db('events').where({ id: event.id }).first()).status).toBe('draft');
  });

  it('when an organiser uploads a valid file with the form\'s CSRF token, then it is read and shown for confirmation', async () => {
    const res = await post(organiser, '/admin/members/import', multipart([part('_csrf', organiser.csrf), part('file', VALID_CSV, 'members.csv')]));

    expect(res.status).toBe(200);
    expect(res.text).toContain('Import 1 member and replace the list');
  });
});
