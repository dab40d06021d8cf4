import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../bench/lib/processes';
import { toDbTime } from '../../src/lib/time';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';
import { buildEvent, person } from '../support/factories';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { type Instance, instanceEnv, startInstance, waitFor } from './instances';

/**
 * Issue 12: "each message goes to each attendee exactly once, with several instances running and after a crash". Real
 * processes (`src/server.ts`) on one database (PostgreSQL with TEST_DATABASE=postgres, otherwise one SQLite file); every
 * instance runs the follow-ups job as it starts. Six meetings ended three hours ago, so their thank-you and "sorry we
 * missed you" are due: one instance is SIGKILLed as soon as its first rule's run is committed, while it works through
 * the others, then two more start together. Counted at the SMTP server: each attendee gets their one follow-up once.
 */
jest.setTimeout(120_000);

const HOUR = 3_600_000;
const EVENTS = 6;
const PER_EVENT = 20;
const CAME = 12;
const TOTAL = EVENTS * PER_EVENT;
const FOLLOW_UP = /^(Thank you for coming|Sorry we missed you): Ended meeting \d$/;
let testDb: TestDatabase;
let smtp: TestSmtp;
const instances: Instance[] = [];
let victim: ChildProcess | undefined;

/** A confirmed single-place booking made ten days ago, checked in at the door or not. */
async function attendee(eventId: number, ticketTypeId: number, n: string, came: boolean): Promise<string> {
  const p = person(n);
  const stamp = toDbTime(new Date(Date.now() - 10 * 24 * HOUR));
  const [row] = await testDb.db('bookings')
    .insert({ reference: `FUK-${n}`.toUpperCase(), event_id: eventId, status: 'confirmed', buyer_name: p.name, buyer_email: p.email, buyer_email_normalised: p.email, total: 0, currency: 'GBP', payment_method: 'none', manage_token_hash: `hash-${n}`, confirmed_at: stamp, created_at: stamp, updated_at: stamp })
    .returning('id');
  const bookingId = Number(typeof row === 'object' ? row.id : row);
  await testDb.db('attendees').insert({ booking_id: bookingId, event_id: eventId, ticket_type_id: ticketTypeId, status: 'active', name: p.name, email: p.email, email_normalised: p.email, unit_price: 0, currency: 'GBP', ical_uid: `fuk-${n}@hsug.test`, created_at: stamp, checked_in_at: came ? toDbTime(new Date(Date.now() - 4 * HOUR)) : null });
  return p.email;
}

const runsClaimed = async () => Number((await testDb.db('event_follow_up_runs').count({ n: '*' }).first())?.n);
const followUps = () => smtp.messages.filter((m) => FOLLOW_UP.test(m.subject ?? '')).map((m) => `${(Array.isArray(m.to) ? m.to[0] : m.to)?.value[0].address} ${m.subject!.split(':')[0]}`);

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

describe(`the follow-ups job killed part-way, on one ${onPostgres ? 'PostgreSQL database' : 'SQLite file'}`, () => {
  it('when one instance is killed after its first follow-up run and two more start together, then each attendee gets their thank-you or "sorry we missed you" exactly once', async () => {
    const expected: string[] = [];
    for (let e = 0; e < EVENTS; e++) {
      const event = await buildEvent(testDb.db, { title: `Ended meeting ${e}`, capacity: PER_EVENT, startsAt: new Date(Date.now() - 5 * HOUR).toISOString(), endsAt: new Date(Date.now() - 3 * HOUR).toISOString() });
      for (let n = 0; n < PER_EVENT; n++) {
        const came = n < CAME;
        expected.push(`${await attendee(event.id, event.ticketTypeIds[0], `fu-${e}-${n}`, came)} ${came ? 'Thank you for coming' : 'Sorry we missed you'}`);
      }
    }

    // The victim is killed as soon as it has claimed (and queued) its first rule, while it works on the others.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: path.join(__dirname, '../..'), env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env(), PORT: String(await freePort()) }, stdio: 'ignore' });
    victim = child;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const atKill = await waitFor('the victim’s first follow-up run', runsClaimed, (n) => n > 0, 30_000, 1);
    child.kill('SIGKILL');
    await exited;
    expect(atKill).toBeGreaterThan(0);
    const claimedAtKill = await runsClaimed();
    const sentAtKill = followUps().length;
    instances.push(...(await Promise.all([startInstance(env()), startInstance(env())])));

    await waitFor(`${TOTAL} follow-ups`, async () => followUps().length, (n) => n >= TOTAL);
    // Both keep running a little longer: a duplicate would arrive now.
    await new Promise((r) => setTimeout(r, 3000));

    expect(claimedAtKill).toBeLessThan(EVENTS * 2);
    expect(sentAtKill).toBeLessThan(TOTAL);
    expect(followUps().sort()).toEqual([...expected].sort());
    const runs = await testDb.db('event_follow_up_runs').select('rule', 'recipients');
    expect(runs.length).toBe(EVENTS * 2);
    expect(runs.reduce((sum, r) => sum + Number(r.recipients), 0)).toBe(TOTAL);
  });
});
