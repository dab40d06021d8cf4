import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../src/admin/auth/passwords';
import { insertUser } from '../../src/admin/auth/users';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';
import { buildEvent, freeBookingBody } from '../support/factories';
import { startInstance, type Instance } from './instances';

/**
 * Two real processes (`src/server.ts`) on one database, no sticky sessions: the abuse limits are counted in the
 * database, so a client that spreads its requests over both instances gets the limit once, not once per instance.
 * The instances trust X-Forwarded-For from loopback (TRUST_PROXY's default), so the test speaks as one client.
 */

jest.setTimeout(120_000);

const DAY = 86_400_000;
const CLIENT = '198.51.100.77';

let testDb: TestDatabase;
let mailDir: string;
let instances: Instance[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-limits-mail-'));
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: testDb.url,
    SESSION_SECRET: 'multi-instance-test-secret-of-at-least-32-characters',
    MAIL_FROM: 'HSUG Events <events@hsug.test>',
    MAIL_DIR: mailDir,
    RATE_LIMIT_BOOKINGS_PER_ADDRESS: '6/10m',
  };
  // An event first, so that neither instance loads the demo events into an empty database.
  await buildEvent(testDb.db, { slug: 'placeholder', startsAt: new Date(Date.now() + 60 * DAY).toISOString() });
  instances = await Promise.all([startInstance(env), startInstance(env)]);
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop('SIGTERM')));
  await testDb?.destroy();
  if (mailDir) fs.rmSync(mailDir, { recursive: true, force: true });
});

describe(`abuse limits with two instances on one ${onPostgres ? 'PostgreSQL database' : 'SQLite file'}`, () => {
  it('when one client books through both instances in turn, then the booking limit is counted once for both: 6 bookings, then 429 from either', async () => {
    const event = await buildEvent(testDb.db, { capacity: 40, startsAt: new Date(Date.now() + 30 * DAY).toISOString() });
    const answers: Array<{ instance: number; status: number; retryAfter: string | null }> = [];

    for (let i = 0; i < 14; i++) {
      const res = await fetch(`${instances[i % 2].url}/api/v1/events/${event.slug}/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': CLIENT },
        body: JSON.stringify(freeBookingBody(`shared-${i}`)),
      });
      answers.push({ instance: i % 2, status: res.status, retryAfter: res.headers.get('retry-after') });
    }

    expect(answers.map((a) => a.status)).toEqual([...Array(6).fill(201), ...Array(8).fill(429)]);
    for (const instance of [0, 1]) expect(answers.filter((a) => a.instance === instance && a.status === 429).length).toBe(4);
    expect(answers.filter((a) => a.status === 429).every((a) => Number(a.retryAfter) > 500)).toBe(true);
    const booked = await testDb.db('bookings').where({ event_id: event.id }).count({ n: '*' }).first();
    expect(Number(booked?.n)).toBe(6);
  });

  it('when 15 wrong passwords for one account are sent at once to both instances, then only 5 are checked in all', async () => {
    const email = 'shared-throttle@hsug.test';
    await insertUser(testDb.db, { email, name: 'Shared Throttle', role: 'admin', passwordHash: await hashPassword('the right passphrase here') }, new Date());
    const form = await fetch(`${instances[0].url}/admin/sign-in`, { headers: { 'x-forwarded-for': CLIENT } });
    const cookie = form.headers.get('set-cookie')!.split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];

    const statuses = await Promise.all(
      Array.from({ length: 15 }, async (_, i) => {
        const res = await fetch(`${instances[i % 2].url}/admin/sign-in`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-forwarded-for': CLIENT },
          body: new URLSearchParams({ _csrf: csrf, email, password: `wrong-password-${i}` }).toString(),
        });
        await res.text();
        return res.status;
      }),
    );

    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
  });
});
