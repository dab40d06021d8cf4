import { toDbTime } from '../../src/lib/time';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';
import { buildEvent, person } from '../support/factories';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { type Instance, instanceEnv, startInstance } from './instances';

/**
 * Issue 12: "each message goes to each attendee exactly once, with several instances running". Two real processes on
 * one database (PostgreSQL with TEST_DATABASE=postgres, otherwise one SQLite file) start with a week-before reminder
 * due; both run the follow-ups job at once (every job runs when an instance starts) and both outbox senders send.
 * Counted at the SMTP server.
 */

jest.setTimeout(120_000);

const HOUR = 3_600_000;
const PEOPLE = 20;

let testDb: TestDatabase;
let smtp: TestSmtp;
let instances: Instance[] = [];
let references = 0;

afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop('SIGTERM')));
  await smtp?.stop();
  await testDb?.destroy();
});

/** A booking of one place, written as the booking path leaves it, created `ago` ms before now. */
async function place(eventId: number, ticketTypeId: number, n: string, status: 'confirmed' | 'waitlisted' | 'cancelled', ago: number): Promise<string> {
  const p = person(n);
  const stamp = toDbTime(new Date(Date.now() - ago));
  const [row] = await testDb.db('bookings')
    .insert({ reference: `HSUG-T${String(++references).padStart(3, '0')}-MULT`, event_id: eventId, status, buyer_name: p.name, buyer_email: p.email, buyer_email_normalised: p.email, total: 0, currency: 'GBP', payment_method: 'none', manage_token_hash: `hash-${n}`, confirmed_at: status === 'confirmed' ? stamp : null, created_at: stamp, updated_at: stamp })
    .returning('id');
  const bookingId = Number(typeof row === 'object' ? row.id : row);
  await testDb.db('attendees').insert({ booking_id: bookingId, event_id: eventId, ticket_type_id: ticketTypeId, status: status === 'cancelled' ? 'cancelled' : 'active', name: p.name, email: p.email, email_normalised: p.email, unit_price: 0, currency: 'GBP', ical_uid: `${n}@hsug.test`, created_at: stamp });
  return p.email;
}

describe(`reminders on two instances on one ${onPostgres ? 'PostgreSQL database' : 'SQLite file'}`, () => {
  it('when a week-before reminder is due as two instances start, then each confirmed attendee gets it exactly once, and nobody cancelled or waiting does', async () => {
    // Arrange: the meeting starts a week less five minutes from now, so its first reminder fell due five minutes ago.
    testDb = await createTestDatabase();
    smtp = await startTestSmtp();
    const startsAt = new Date(Date.now() + 7 * 24 * HOUR - 5 * 60_000);
    const event = await buildEvent(testDb.db, { title: 'Reminded twice over', startsAt: startsAt.toISOString(), capacity: PEOPLE });
    const confirmed: string[] = [];
    for (let i = 0; i < PEOPLE; i++) confirmed.push(await place(event.id, event.ticketTypeIds[0], `mi-${i}`, 'confirmed', 2 * 24 * HOUR));
    await place(event.id, event.ticketTypeIds[0], 'mi-waiting', 'waitlisted', 2 * 24 * HOUR);
    await place(event.id, event.ticketTypeIds[0], 'mi-cancelled', 'cancelled', 2 * 24 * HOUR);
    const env = instanceEnv(testDb.url, { SMTP_URL: smtp.url });

    // Act
    instances = await Promise.all([startInstance(env), startInstance(env)]);
    const deadline = Date.now() + 40_000;
    const reminders = () => smtp.messages.filter((m) => m.subject?.startsWith('Coming up: Reminded twice over'));
    while (reminders().length < PEOPLE && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // Both keep running a little longer: a duplicate would arrive now.
    await new Promise((r) => setTimeout(r, 3000));

    // Assert
    expect(reminders().map((m) => (m.to as { value: Array<{ address: string }> }).value[0].address).sort()).toEqual([...confirmed].sort());
    const runs = await testDb.db('event_follow_up_runs').where({ event_id: event.id });
    expect(runs.map((r) => [r.rule, Number(r.recipients)])).toEqual([['reminder_early', PEOPLE]]);
  });
});
