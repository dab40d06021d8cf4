import type { Server } from 'node:http';
import request from 'supertest';
import { issueLink } from '../../src/admin/auth/password-links';
import { authJobs, purgeStaleAuthRecords } from '../../src/admin/auth/purge';
import { createSession } from '../../src/admin/auth/sessions';
import { ConfigError, loadConfig } from '../../src/config';
import { toDbTime } from '../../src/lib/time';
import { TEST_NOW, startTestApp, type TestApp } from '../support/app';
import { createStaff, csrfFrom, formCookie, PASSWORD, signIn } from './helpers';

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
afterEach(() => t.clock.set(TEST_NOW));

const HOUR = 3600_000;

async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['sessions', 'audit_log', 'sign_in_failures', 'staff_links', 'users', 'outbox_emails']) {
    counts[table] = Number((await t.db(table).count({ n: '*' }).first())?.n ?? 0);
  }
  return counts;
}

describe('the sign-in form', () => {
  it('when the sign-in page is loaded 100 times, then no row is written anywhere', async () => {
    const before = await rowCounts();
    for (let i = 0; i < 100; i++) {
      const res = await request(server).get('/admin/sign-in');
      expect(res.status).toBe(200);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it('when a browser keeps its form cookie, then the page shows the same token; a token with a changed signature, from another cookie or over two hours old is refused', async () => {
    const user = await createStaff(t, 'organiser');
    const agent = request.agent(server);
    const first = await agent.get('/admin/sign-in');
    const second = await agent.get('/admin/sign-in');
    expect(csrfFrom(second.text)).toBe(csrfFrom(first.text));
    const cookie = formCookie(first);
    const body = { _csrf: csrfFrom(first.text), email: user.email, password: PASSWORD };

    const tampered = cookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await request(server).post('/admin/sign-in').set('Cookie', tampered).type('form').send(body)).status).toBe(403);
    const other = formCookie(await request(server).get('/admin/sign-in'));
    expect((await request(server).post('/admin/sign-in').set('Cookie', other).type('form').send(body)).status).toBe(403);
    // A forged cookie whose parts look right but whose signature was made without the server's secret.
    const [name, value] = cookie.split('=');
    const [token, issued] = value.split('.');
    expect((await request(server).post('/admin/sign-in').set('Cookie', `${name}=${token}.${issued}.${'x'.repeat(43)}`).type('form').send(body)).status).toBe(403);

    t.clock.advance(2 * HOUR + 1000);
    const stale = await request(server).post('/admin/sign-in').set('Cookie', cookie).type('form').send(body);
    expect(stale.status).toBe(403);
    expect(stale.text).toContain('This form has expired or did not come from this site');
    t.clock.set(TEST_NOW);
    expect((await request(server).post('/admin/sign-in').set('Cookie', cookie).type('form').send(body)).status).toBe(303);
  });
});

describe('session lifetime', () => {
  it('when a session is used every hour, then it still ends 12 hours after sign-in (the maximum age)', async () => {
    const user = await createStaff(t, 'organiser');
    const { agent } = await signIn(server, user.email);
    for (let hour = 1; hour < 12; hour++) {
      t.clock.set(new Date(Date.parse(TEST_NOW) + hour * HOUR));
      expect({ hour, status: (await agent.get('/admin')).status }).toEqual({ hour, status: 200 });
    }
    t.clock.set(new Date(Date.parse(TEST_NOW) + 12 * HOUR - 1000));
    expect((await agent.get('/admin')).status).toBe(200);
    t.clock.set(new Date(Date.parse(TEST_NOW) + 12 * HOUR + 1000));
    const ended = await agent.get('/admin/members');
    expect(ended.status).toBe(303);
    expect(ended.headers.location).toBe('/admin/sign-in?next=%2Fadmin%2Fmembers');
  });

  it('when a session is not used for 8 hours, then it ends (the idle timeout)', async () => {
    const user = await createStaff(t, 'organiser');
    const used = await signIn(server, user.email);
    const unused = await signIn(server, user.email);
    t.clock.advance(8 * HOUR - 60_000);
    expect((await used.agent.get('/admin')).status).toBe(200);
    t.clock.advance(60_000 + 1000);
    expect((await unused.agent.get('/admin')).status).toBe(303);
    expect((await used.agent.get('/admin')).status).toBe(200); // used a minute ago
  });

  it('when SESSION_MAX_HOURS and SESSION_IDLE_MINUTES are set, then sessions follow them; bad values stop the boot naming the variable', async () => {
    const short = await startTestApp({ env: { SESSION_MAX_HOURS: '2', SESSION_IDLE_MINUTES: '30' } });
    const shortServer = short.app.listen(0);
    try {
      const user = await createStaff(short, 'organiser');
      const { agent } = await signIn(shortServer, user.email);
      short.clock.advance(25 * 60_000);
      expect((await agent.get('/admin')).status).toBe(200);
      short.clock.advance(25 * 60_000);
      expect((await agent.get('/admin')).status).toBe(200);
      short.clock.advance(31 * 60_000);
      expect((await agent.get('/admin')).status).toBe(303); // idle 31 minutes
      const { agent: second } = await signIn(shortServer, user.email);
      for (let i = 0; i < 4; i++) {
        short.clock.advance(29 * 60_000);
        expect((await second.get('/admin')).status).toBe(200);
      }
      short.clock.advance(5 * 60_000); // 2 h 1 min after sign-in
      expect((await second.get('/admin')).status).toBe(303);
    } finally {
      shortServer.close();
      await short.close();
    }
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ NODE_ENV: 'test', ...env });
        return [];
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
    };
    expect(problems({ SESSION_MAX_HOURS: '0' })).toEqual(['SESSION_MAX_HOURS: must be at least 1']);
    expect(problems({ SESSION_IDLE_MINUTES: 'soon' })).toEqual(['SESSION_IDLE_MINUTES: must be a whole number of minutes']);
    expect(loadConfig({ NODE_ENV: 'test' }).sessions).toEqual({ idleMs: 8 * HOUR, maxAgeMs: 12 * HOUR });
  });
});

describe('the purge job', () => {
  it('when it runs, then expired sessions, dead set-password links and old failed sign-ins are deleted, and live ones kept', async () => {
    const now = new Date(TEST_NOW);
    const limits = t.config.sessions;
    const user = await createStaff(t, 'organiser');
    await t.db('sessions').delete();
    await t.db('sign_in_failures').delete();
    await t.db('staff_links').delete();

    await createSession(t.db, user.id, new Date(now.getTime() - 9 * HOUR), limits); // idle past 8 h
    await createSession(t.db, user.id, new Date(now.getTime() - 13 * HOUR), limits); // past the maximum age
    const live = await createSession(t.db, user.id, new Date(now.getTime() - HOUR), limits);
    await t.db('sessions').insert({ id_hash: 'f'.repeat(64), user_id: null, csrf_token: 'x', created_at: toDbTime(now), last_seen_at: toDbTime(now), expires_at: toDbTime(new Date(now.getTime() + HOUR)) }); // an anonymous row of earlier versions

    const expired = await issueLink(t.db, t.config, user.id, 'reset', new Date(now.getTime() - 3 * 86400_000));
    const used = await issueLink(t.db, t.config, user.id, 'invite', new Date(now.getTime() - 2 * 86400_000));
    await t.db('staff_links').where({ id: used.id }).update({ used_at: toDbTime(new Date(now.getTime() - 2 * 86400_000 + 60_000)) });
    const current = await issueLink(t.db, t.config, user.id, 'reset', now);

    await t.db('sign_in_failures').insert([
      { email_normalised: 'old@hsug.test', ip: '10.0.0.1', at: toDbTime(new Date(now.getTime() - 25 * HOUR)) },
      { email_normalised: 'recent@hsug.test', ip: '10.0.0.1', at: toDbTime(new Date(now.getTime() - 60_000)) },
    ]);

    const counts = await purgeStaleAuthRecords(t.db, now, limits);
    expect(counts).toEqual({ sessions: 3, links: 2, signInFailures: 1 });
    expect((await t.db('sessions').select('id')).length).toBe(1);
    expect((await t.db('staff_links').select('id')).map((r) => Number(r.id))).toEqual([current.id]);
    expect((await t.db('sign_in_failures').select('email_normalised')).map((r) => r.email_normalised)).toEqual(['recent@hsug.test']);
    expect(live.id).toBeTruthy();
    expect(expired.id).not.toBe(current.id);

    // Nothing left to do: a second run (or another instance's) deletes nothing.
    expect(await purgeStaleAuthRecords(t.db, now, limits)).toEqual({ sessions: 0, links: 0, signInFailures: 0 });
  });

  it('when the server registers its jobs, then the purge runs every 15 minutes by the service clock and deletes a session past its maximum age', async () => {
    const jobs = authJobs(t.ctx);
    expect(jobs.map((j) => [j.name, j.intervalMs])).toEqual([['staff-purge', 15 * 60_000]]);
    const user = await createStaff(t, 'organiser');
    await createSession(t.db, user.id, new Date(Date.parse(TEST_NOW) - 13 * HOUR), t.config.sessions);
    const before = Number((await t.db('sessions').where({ user_id: user.id }).count({ n: '*' }).first())?.n);
    expect(before).toBe(1);
    await jobs[0].run(new AbortController().signal);
    expect(await t.db('sessions').where({ user_id: user.id }).first()).toBeUndefined();
  });
});
