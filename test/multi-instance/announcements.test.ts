import request from 'supertest';
import { hashPassword } from '../../src/admin/auth/passwords';
import { insertUser } from '../../src/admin/auth/users';
import { toDbTime } from '../../src/lib/time';
import { csrfFrom, PASSWORD } from '../admin/helpers';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';
import { buildEvent } from '../support/factories';
import { startTestSmtp, type TestSmtp } from '../support/smtp';
import { type Instance, instanceEnv, startInstance } from './instances';

/**
 * Issue 20: "announcements go through the outbox, once per subscriber per event, even with several instances". Two real
 * processes on one database (PostgreSQL with TEST_DATABASE=postgres, otherwise one SQLite file): an organiser on each
 * presses "Publish and announce" at the same moment; both instances' outbox senders run.
 */

jest.setTimeout(120_000);

const DAY = 86_400_000;
const SUBSCRIBERS = 25;

let testDb: TestDatabase;
let smtp: TestSmtp;
let instances: Instance[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  smtp = await startTestSmtp();
  await buildEvent(testDb.db, { slug: 'placeholder', startsAt: new Date(Date.now() + 60 * DAY).toISOString() });
  const env = instanceEnv(testDb.url, { SMTP_URL: smtp.url, ANNOUNCEMENTS_PER_MINUTE: '1000' });
  instances = await Promise.all([startInstance(env), startInstance(env)]);
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop('SIGTERM')));
  await smtp?.stop();
  await testDb?.destroy();
});

async function signInTo(instance: Instance, email: string) {
  const agent = request.agent(instance.url);
  const form = await agent.get('/admin/sign-in').expect(200);
  await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email, password: PASSWORD, next: '/admin' }).expect(303);
  return agent;
}

describe(`announcing on two instances on one ${onPostgres ? 'PostgreSQL database' : 'SQLite file'}`, () => {
  it('when organisers on both instances press "Publish and announce" at once, then one announcement is made and each subscriber gets exactly one email', async () => {
    const now = toDbTime(new Date());
    const people = Array.from({ length: SUBSCRIBERS }, (_, i) => `s${i}@x.example`);
    for (const [i, email] of people.entries()) {
      await testDb.db('subscribers').insert({ email, status: 'confirmed', all_events: true, kinds: '', regions: '', token_salt: `salt${i}`, token_hash: `${i}`.padStart(64, 'a'), consent_at: now, consent_source: 'test', confirmed_at: now, created_at: now, updated_at: now });
    }
    const event = await buildEvent(testDb.db, { status: 'draft', title: 'Twice pressed', startsAt: new Date(Date.now() + 30 * DAY).toISOString() });
    await insertUser(testDb.db, { email: 'organiser@hsug.test', name: 'Organiser', role: 'organiser', passwordHash: await hashPassword(PASSWORD) }, new Date());
    const agents = await Promise.all(instances.map((i) => signInTo(i, 'organiser@hsug.test')));
    const steps = await Promise.all(agents.map((a) => a.get(`/admin/events/${event.slug}/publish`).expect(200)));

    const answers = await Promise.all(
      agents.map((a, i) => a.post(`/admin/events/${event.slug}/publish-and-announce`).type('form').send({ _csrf: csrfFrom(steps[i].text), requestKey: /name="requestKey" value="([^"]+)"/.exec(steps[i].text)![1] })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([303, 409]);

    const deadline = Date.now() + 30_000;
    while (smtp.messages.length < SUBSCRIBERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    // Both senders keep running a little longer: a duplicate would arrive now.
    await new Promise((r) => setTimeout(r, 3000));
    const received = smtp.messages.filter((m) => m.subject === 'New HSUG event: Twice pressed').map((m) => (m.to as { text: string }).text).sort();
    expect(received).toEqual([...people].sort());
    expect(Number((await testDb.db('announcements').where({ event_id: event.id }).count({ n: '*' }).first())!.n)).toBe(1);
  });
});
