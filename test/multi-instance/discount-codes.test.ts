import { buildCode } from '../support/codes';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';
import { buildEvent, person } from '../support/factories';
import { paidEvent } from '../support/payments';
import { type Instance, instanceEnv, startInstance } from './instances';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Issue 18's use limit with two real processes (`src/server.ts`) on one database: bookings with a 10-use code, sent to
 * either instance at once, give exactly 10 discounted places; a code for every event is shared by two events' locks.
 */

jest.setTimeout(120_000);

const DAY = 86_400_000;

let testDb: TestDatabase;
let mailDir: string;
let instances: Instance[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-codes-mail-'));
  const env = instanceEnv(testDb.url, { MAIL_DIR: mailDir });
  await buildEvent(testDb.db, { slug: 'placeholder', startsAt: new Date(Date.now() + 60 * DAY).toISOString() });
  instances = await Promise.all([startInstance(env), startInstance(env)]);
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop('SIGTERM')));
  await testDb?.destroy();
  if (mailDir) fs.rmSync(mailDir, { recursive: true, force: true });
});

let clients = 0;

/** A booking with the code from a client address of its own (so the booking and code-guessing limits never refuse the rush). */
async function bookWithCode(instance: Instance, slug: string, ticketTypeId: number, code: string, n: string): Promise<{ status: number; code?: string; total?: number }> {
  clients += 1;
  const p = person(n);
  const res = await fetch(`${instance.url}/api/v1/events/${slug}/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.1.${Math.floor(clients / 250)}.${(clients % 250) + 1}` },
    body: JSON.stringify({ buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId, attendee: p }], discountCode: code }),
  });
  const body = (await res.json()) as { booking?: { total: number }; error?: { code: string } };
  return { status: res.status, code: body.error?.code, total: body.booking?.total };
}

const discountedSeats = async (eventIds: number[]) => Number((await testDb.db('attendees').whereIn('event_id', eventIds).where('discount_amount', '>', 0).where('status', 'active').count({ n: '*' }).first())?.n);

describe(`discount code uses with two instances on one ${onPostgres ? 'PostgreSQL database' : 'SQLite file'}`, () => {
  it('when 50 bookings with a 10-use code hit both instances at once, then exactly 10 are discounted and 40 refused as used up', async () => {
    const event = await buildEvent(testDb.db, { ...paidEvent([{ name: 'Non-member', price: 9500 }]), capacity: 100, startsAt: new Date(Date.now() + 30 * DAY).toISOString() });
    await buildCode(testDb.db, { code: `MI-RUSH-${event.id}`, eventId: event.id, kind: 'free', maxUses: 10 });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => bookWithCode(instances[i % 2], event.slug, event.ticketTypeIds[0], `mi-rush-${event.id}`, `mi-rush-${i}`)));
    expect(answers.filter((a) => a.status === 201).map((a) => a.total)).toEqual(Array(10).fill(0));
    expect(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.code}`)).toEqual(Array(40).fill('409 discount_code_used_up'));
    expect(await discountedSeats([event.id])).toBe(10);
  });

  it('when a 10-use code for every event is used at two events through both instances at once, then exactly 10 places are discounted in all', async () => {
    const events = [await buildEvent(testDb.db, { ...paidEvent([{ name: 'Non-member', price: 9500 }]), capacity: 100, startsAt: new Date(Date.now() + 30 * DAY).toISOString() })];
    events.push(await buildEvent(testDb.db, { ...paidEvent([{ name: 'Non-member', price: 9500 }]), capacity: 100, startsAt: new Date(Date.now() + 30 * DAY).toISOString() }));
    const code = `MI-ALL-${events[0].id}`;
    await buildCode(testDb.db, { code, eventId: null, kind: 'free', maxUses: 10 });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => bookWithCode(instances[i % 2], events[Math.floor(i / 2) % 2].slug, events[Math.floor(i / 2) % 2].ticketTypeIds[0], code, `mi-all-${i}`)));
    expect(answers.filter((a) => a.status === 201)).toHaveLength(10);
    expect(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${a.code}`)).toEqual(Array(30).fill('409 discount_code_used_up'));
    expect(await discountedSeats(events.map((e) => e.id))).toBe(10);
  });
});
