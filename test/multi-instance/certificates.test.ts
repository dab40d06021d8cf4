import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../bench/lib/processes';
import { toDbTime } from '../../src/lib/time';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';
import { buildEvent, person } from '../support/factories';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { type Instance, instanceEnv, startInstance, waitFor } from './instances';

/**
 * The certificate job (issue 13) in real processes (`src/server.ts`) on one database: PostgreSQL with
 * TEST_DATABASE=postgres, otherwise one SQLite file. Every instance runs the job as it starts. Six ended seminars
 * with 25 attendees each: one instance is SIGKILLed while it works through them, then two more start together; every
 * attendee gets exactly one certificate and one email.
 */
jest.setTimeout(120_000);

const HOUR = 3_600_000;
const EVENTS = 6;
const PER_EVENT = 25;
const TOTAL = EVENTS * PER_EVENT;
const issued = async () => Number((await testDb.db('certificates').count({ n: '*' }).first())?.n);
let testDb: TestDatabase;
let smtp: TestSmtp;
const instances: Instance[] = [];
let victim: ChildProcess | undefined;

/** A confirmed single-place booking, checked in at the door, inserted as the booking flow and check-in leave it. */
async function attendee(eventId: number, ticketTypeId: number, n: string): Promise<string> {
  const p = person(n);
  const stamp = toDbTime(new Date(Date.now() - 10 * 24 * HOUR));
  const [row] = await testDb.db('bookings')
    .insert({ reference: `CERT-${n}`.toUpperCase(), event_id: eventId, status: 'confirmed', buyer_name: p.name, buyer_email: p.email, buyer_email_normalised: p.email, total: 0, currency: 'GBP', payment_method: 'none', manage_token_hash: `hash-${n}`, created_at: stamp, updated_at: stamp })
    .returning('id');
  const bookingId = Number(typeof row === 'object' ? row.id : row);
  await testDb.db('attendees').insert({ booking_id: bookingId, event_id: eventId, ticket_type_id: ticketTypeId, status: 'active', name: p.name, email: p.email, email_normalised: p.email, unit_price: 0, currency: 'GBP', ical_uid: `cert-${n}@hsug.test`, created_at: stamp, checked_in_at: toDbTime(new Date(Date.now() - 3 * HOUR)) });
  return p.email;
}

const env = () => instanceEnv(testDb.url, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, OUTBOX_LEASE_SECONDS: '5' });

beforeAll(async () => {
  testDb = await createTestDatabase();
  smtp = await startTestSmtp();
});

afterAll(async () => {
  if (victim && victim.exitCode === null && victim.signalCode === null) victim.kill('SIGKILL');
  await Promise.all(instances.map((i) => i.stop('SIGTERM')));
  await smtp?.stop();
  await testDb?.destroy();
});

describe(`the certificate job in several processes on one ${onPostgres ? 'PostgreSQL database' : 'SQLite file'}`, () => {
  it('when one instance is killed while issuing and two more start together, then every attendee gets exactly one certificate and one email', async () => {
    const emails: string[] = [];
    for (let e = 0; e < EVENTS; e++) {
      const event = await buildEvent(testDb.db, { kind: 'seminar', title: `Seminar ${e}`, startsAt: new Date(Date.now() - 4 * HOUR).toISOString(), endsAt: new Date(Date.now() - 2 * HOUR).toISOString() });
      await testDb.db('certificate_settings').insert({ event_id: event.id, issues_certificates: true, cpd_minutes: 90, topics: '', updated_at: toDbTime(new Date()) });
      for (let n = 0; n < PER_EVENT; n++) emails.push(await attendee(event.id, event.ticketTypeIds[0], `cert-${e}-${n}`));
    }

    // The victim is killed as soon as its first event's certificates are committed, while it works on the next ones.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: path.join(__dirname, '../..'), env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env(), PORT: String(await freePort()) }, stdio: 'ignore' });
    victim = child;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const atKill = await waitFor('the victim’s first certificates', issued, (n) => n > 0, 30_000, 1);
    child.kill('SIGKILL');
    await exited;
    expect(atKill).toBeGreaterThan(0);
    expect(await issued()).toBeLessThan(TOTAL);
    instances.push(...(await Promise.all([startInstance(env()), startInstance(env())])));

    await waitFor(`${TOTAL} certificate emails`, async () => smtp.messages.filter((m) => m.subject?.startsWith('Your certificate')).length, (n) => n >= TOTAL);
    await new Promise((r) => setTimeout(r, 1000));
    const received = smtp.messages.filter((m) => m.subject?.startsWith('Your certificate')).map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0].address);
    expect(received.sort()).toEqual([...emails].sort());
    expect(Number((await testDb.db('certificates').count({ n: '*' }).first())?.n)).toBe(TOTAL);
    expect(Number((await testDb.db('outbox_emails').where({ kind: 'certificate' }).count({ n: '*' }).first())?.n)).toBe(TOTAL);
  });
});
