import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';
import { buildEvent, buildHold, freeBookingBody } from '../support/factories';
import { cancelAsHolder, msUntil, placesEverywhere, PROMISED_MS, registerFree, whenListed } from '../support/places';
import { startInstance, type Instance } from './instances';

/**
 * Two real processes (`src/server.ts`) on one database, each serving the catalogue from its own memory: a change made
 * through one, or by nobody at all (a hold lapsing), shows on both within the promised time.
 */

jest.setTimeout(120_000);

const DAY = 86_400_000;

let testDb: TestDatabase;
let mailDir: string;
let instances: Instance[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-catalogue-mail-'));
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: testDb.url,
    SESSION_SECRET: 'multi-instance-test-secret-of-at-least-32-characters',
    MAIL_FROM: 'HSUG Events <events@hsug.test>',
    MAIL_DIR: mailDir,
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

/** How long after `since` each instance first showed `expected` places on the list, the event page and the home page. */
const msUntilBoth = (slug: string, expected: number, since: number) =>
  Promise.all(instances.map((instance) => msUntil(() => placesEverywhere(instance.url, slug), expected, since)));

describe(`places left with two instances on one ${onPostgres ? 'PostgreSQL database' : 'SQLite file'}`, () => {
  it('when a place is booked through one instance and given back through the other, then both show each change within the promised time', async () => {
    const [first, second] = instances;
    const event = await buildEvent(testDb.db, { capacity: 10, startsAt: new Date(Date.now() + 30 * DAY).toISOString() });
    await Promise.all(instances.map((i) => whenListed(i.url, event.slug)));
    expect(await Promise.all(instances.map((i) => placesEverywhere(i.url, event.slug)))).toEqual([10, 10]);

    const booking = await registerFree(first.url, event.slug, freeBookingBody('two-1'));
    for (const ms of await msUntilBoth(event.slug, 9, Date.now())) expect(ms).toBeLessThanOrEqual(PROMISED_MS);

    await cancelAsHolder(second.url, booking);
    for (const ms of await msUntilBoth(event.slug, 10, Date.now())) expect(ms).toBeLessThanOrEqual(PROMISED_MS);
  });

  it('when a hold lapses, then both instances show its places as free again within the promised time of its end', async () => {
    const event = await buildEvent(testDb.db, { capacity: 10, startsAt: new Date(Date.now() + 31 * DAY).toISOString() });
    await Promise.all(instances.map((i) => whenListed(i.url, event.slug)));

    const holdEnds = new Date(Date.now() + 5_000);
    await buildHold(testDb.db, event, { seats: 3, holdExpiresAt: holdEnds });
    for (const ms of await msUntilBoth(event.slug, 7, Date.now())) expect(ms).toBeLessThanOrEqual(PROMISED_MS);
    expect(Date.now()).toBeLessThan(holdEnds.getTime());

    for (const ms of await msUntilBoth(event.slug, 10, holdEnds.getTime())) expect(ms).toBeLessThanOrEqual(PROMISED_MS);
  });
});
