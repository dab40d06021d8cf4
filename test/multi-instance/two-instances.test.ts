import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';
import { buildEvent, freeBookingBody } from '../support/factories';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { startInstance, startMailGate, type Instance, type MailGate } from './instances';

/**
 * Two real processes (`src/server.ts`) on one database: PostgreSQL with TEST_DATABASE=postgres, otherwise one SQLite
 * file. No sticky sessions: registrations go to either. Each instance reaches the one SMTP server through its own
 * relay, so the test can cut one instance off from mail and then SIGKILL it while it holds claimed emails.
 *
 * "Exactly once" is what the outbox can promise: an email is sent by one instance only, and an instance that dies
 * holding claimed emails has them sent by another once its lease lapses. The one window no outbox closes, between
 * the SMTP server's acknowledgement and the row being marked sent, is kept out of this test by killing the victim
 * only after it has been cut off from mail for a while.
 */

jest.setTimeout(120_000);

const CAPACITY = 40;
const DAY = 86_400_000;

let testDb: TestDatabase;
let smtp: TestSmtp;
let gates: MailGate[] = [];
let instances: Instance[] = [];

interface Answer {
  /** 0 when no answer came (the instance was killed mid-request). */
  status: number;
  bookingStatus?: string;
  error?: string;
}

let clients = 0;

/** A registration from a client address of its own (the instances trust X-Forwarded-For from loopback), so the booking limits, on as in production, never refuse the rush. */
async function register(instance: Instance, slug: string, n: string): Promise<Answer> {
  clients += 1;
  const client = `10.0.${Math.floor(clients / 250)}.${(clients % 250) + 1}`;
  try {
    const res = await fetch(`${instance.url}/api/v1/events/${slug}/bookings`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client }, body: JSON.stringify(freeBookingBody(n)) });
    const body = (await res.json()) as { booking?: { status: string } };
    return { status: res.status, bookingStatus: body.booking?.status };
  } catch (error) {
    return { status: 0, error: String(error) };
  }
}

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const outboxRows = () => testDb.db('outbox_emails').select('id', 'status', 'attempts', 'message_id', 'to_address').orderBy('id');

beforeAll(async () => {
  testDb = await createTestDatabase();
  smtp = await startTestSmtp();
  gates = await Promise.all([startMailGate(smtp.port), startMailGate(smtp.port)]);
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: testDb.url,
    SESSION_SECRET: 'multi-instance-test-secret-of-at-least-32-characters',
    MAIL_FROM: 'HSUG Events <events@hsug.test>',
    OUTBOX_LEASE_SECONDS: '5',
  };
  // An event first, so that neither instance loads the demo events into an empty database.
  await buildEvent(testDb.db, { slug: 'placeholder', startsAt: new Date(Date.now() + 60 * DAY).toISOString() });
  instances = await Promise.all(gates.map((gate) => startInstance({ ...env, SMTP_URL: gate.url })));
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop('SIGTERM')));
  await Promise.all(gates.map((g) => g.close()));
  await smtp?.stop();
  await testDb?.destroy();
});

describe(`two instances on one ${onPostgres ? 'PostgreSQL database' : 'SQLite file'}`, () => {
  it('when registrations for the last places hit both and one is killed mid-run, then no place is oversold and every email is sent exactly once', async () => {
    const [survivor, victim] = instances;
    const [, victimGate] = gates;
    const event = await buildEvent(testDb.db, { capacity: CAPACITY, startsAt: new Date(Date.now() + 30 * DAY).toISOString() });

    // Both instances take registrations and both send mail.
    const first = await Promise.all(Array.from({ length: 30 }, (_, i) => register(instances[i % 2], event.slug, `first-${i}`)));
    expect(first.map((a) => a.bookingStatus)).toEqual(Array(30).fill('confirmed'));
    await smtp.waitFor(30, 15_000);
    expect(gates.every((g) => g.messagesCarried() > 0)).toBe(true);

    // The victim loses its mail server, takes bookings, and claims their emails, which it cannot send.
    victimGate.cut();
    for (let i = 0; i < 3; i++) expect((await register(victim, event.slug, `cut-${i}`)).bookingStatus).toBe('confirmed');
    await waitFor('the victim to claim its emails', () => testDb.db('outbox_emails').where('status', 'sending').count({ n: '*' }).first(), (r) => Number(r?.n) >= 1, 5_000);
    await new Promise((r) => setTimeout(r, 300));

    // The rush for the last places, on both; the victim is killed while its share is in flight.
    const rush = Array.from({ length: 40 }, (_, i) => register(instances[i % 2], event.slug, `rush-${i}`).then((a) => ({ ...a, onVictim: i % 2 === 1 })));
    await Promise.race([Promise.all(rush.filter((_, i) => i % 2 === 1).slice(0, 3)), new Promise((r) => setTimeout(r, 2_000))]);
    await victim.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 700));
    const heldByVictim = (await testDb.db('outbox_emails').where('status', 'sending').pluck('id')).map(Number);
    const answers = await Promise.all(rush);

    // The survivor answered everything; the victim answered or dropped the connection, never a 5xx.
    expect(answers.filter((a) => !a.onVictim).map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(answers.filter((a) => a.onVictim && a.status !== 201 && a.status !== 0)).toEqual([]);
    expect(answers.filter((a) => !a.onVictim && a.bookingStatus === 'confirmed').length).toBeLessThanOrEqual(CAPACITY - 33);

    // Exactly the capacity is confirmed, counted seat by seat; everyone else who got through is waitlisted.
    const bookings = await testDb.db('bookings').where({ event_id: event.id }).select('id', 'status');
    const seats = await testDb.db('attendees').join('bookings', 'bookings.id', 'attendees.booking_id').where({ 'attendees.event_id': event.id, 'attendees.status': 'active', 'bookings.status': 'confirmed' }).count({ n: '*' }).first();
    expect(Number(seats?.n)).toBe(CAPACITY);
    expect(bookings.filter((b) => b.status === 'confirmed')).toHaveLength(CAPACITY);
    expect(bookings.filter((b) => b.status !== 'confirmed' && b.status !== 'waitlisted')).toEqual([]);

    // The survivor takes over the victim's claimed emails once their lease lapses, and sends everything.
    expect(heldByVictim.length).toBeGreaterThan(0);
    const rows = await waitFor('every email to be sent', outboxRows, (r) => r.every((row) => row.status === 'sent') && smtp.messages.length >= r.length);
    await new Promise((r) => setTimeout(r, 500));
    expect(rows).toHaveLength(bookings.length);
    const reclaimed = rows.filter((r) => heldByVictim.includes(Number(r.id)));
    expect(reclaimed.map((r) => r.status)).toEqual(heldByVictim.map(() => 'sent'));
    expect(reclaimed.some((r) => Number(r.attempts) >= 2)).toBe(true);

    // Every queued email arrived exactly once, at the right address.
    const received = smtp.messages.map((m) => ({ id: m.messageId, to: m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined }));
    expect(received).toHaveLength(rows.length);
    expect(new Set(received.map((m) => m.id)).size).toBe(received.length);
    expect(received.map((m) => `${m.id} ${m.to}`).sort()).toEqual(rows.map((r) => `${r.message_id} ${r.to_address}`).sort());
    expect((await fetch(`${survivor.url}/healthz`)).status).toBe(200);
  });
});
