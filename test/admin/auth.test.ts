import type { Server } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { laterByWallClock } from '../support/wall-clock';
import { createStaff, csrfFrom, formCookie, PASSWORD, sessionCookie, signIn } from './helpers';

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

const cookieValue = (setCookie: string | undefined) => setCookie?.split(';')[0].split('=')[1];

describe('staff sign-in', () => {
  it('when an organiser signs in, then a new session id is issued (a planted one is not promoted), only its hash is stored, and the cookie is HttpOnly, SameSite=Lax, Path=/', async () => {
    const user = await createStaff(t, 'organiser');
    // A session id someone else knows (planted before sign-in, or an earlier sign-in of this browser).
    const firstPage = await request(server).get('/admin/sign-in').expect(200);
    const first = await request(server).post('/admin/sign-in').set('Cookie', formCookie(firstPage)).type('form').send({ _csrf: csrfFrom(firstPage.text), email: user.email, password: PASSWORD });
    const planted = cookieValue(sessionCookie(first));
    expect(planted).toBeTruthy();

    const page = await request(server).get('/admin/sign-in').expect(200);
    const res = await request(server).post('/admin/sign-in').set('Cookie', `${formCookie(page)}; hsug_staff=${planted}`).type('form').send({ _csrf: csrfFrom(page.text), email: user.email, password: PASSWORD, next: '/admin/members' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/members');
    const setCookie = sessionCookie(res)!;
    const after = cookieValue(setCookie);
    expect(after).toBeTruthy();
    expect(after).not.toBe(planted);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/); // PUBLIC_URL is http in tests

    const rows = await t.db('sessions').select('id_hash');
    expect(JSON.stringify(rows)).not.toContain(after);
    // The session the browser came with is gone: whoever planted it gains nothing from this sign-in.
    const old = await request(server).get('/admin').set('Cookie', `hsug_staff=${planted}`);
    expect(old.status).toBe(303);
    expect(old.headers.location).toMatch(/^\/admin\/sign-in/);
    const home = await request(server).get('/admin').set('Cookie', `hsug_staff=${after}`).expect(200);
    expect(home.text).toContain('Test organiser');
  });

  it('when the site is served over https, then the form cookie is __Host- prefixed and Secure, and the session cookie is Secure', async () => {
    const secure = await startTestApp({ env: { PUBLIC_URL: 'https://events.hsug.test' } });
    try {
      const user = await createStaff(secure, 'organiser');
      const page = await request(secure.app).get('/admin/sign-in').expect(200);
      const form = ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-hsug_form='));
      expect(form).toMatch(/; Secure/);
      expect(form).toMatch(/Path=\//);
      expect(form).not.toMatch(/Domain=/i);
      const res = await request(secure.app).post('/admin/sign-in').set('Cookie', form!.split(';')[0]).type('form').send({ _csrf: csrfFrom(page.text), email: user.email, password: PASSWORD });
      expect(res.status).toBe(303);
      expect(sessionCookie(res)).toMatch(/Secure/);
    } finally {
      await secure.close();
    }
  });

  it('when the password is wrong, then the form comes back with a message and the email kept, and no session is made', async () => {
    const user = await createStaff(t, 'organiser');
    const agent = request.agent(server);
    const form = await agent.get('/admin/sign-in');
    const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email: user.email, password: 'wrong password!' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('do not match a staff account');
    expect(res.text).toContain(`value="${user.email}"`);
    expect((await agent.get('/admin')).status).toBe(303);
  });

  it('when the stored password hash is damaged, then sign-in fails with a 500 quoting a reference, and the fault is logged under that reference rather than taken for a wrong password', async () => {
    const user = await createStaff(t, 'organiser');
    await t.db('users').where({ id: user.id }).update({ password_hash: 'not-an-argon2-hash' });
    const agent = request.agent(server);
    const form = await agent.get('/admin/sign-in');
    const countsBefore = await t.db('rate_limits').where('points', '>', 0).select('key', 'points').orderBy('key');
    t.logged.length = 0;

    const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email: user.email, password: PASSWORD });

    expect(res.status).toBe(500);
    const reference = /quote reference ([0-9a-f]{8})/.exec(res.text)?.[1];
    expect(reference).toBeDefined();
    expect(res.text).not.toContain('do not match a staff account');
    expect(t.logged).toEqual([{ level: 'error', msg: 'unhandled error', extra: expect.objectContaining({ requestId: reference, path: '/admin/sign-in' }) }]);
    // The attempt's counts are given back: a fault of ours is not a failed attempt.
    expect(await t.db('rate_limits').where('points', '>', 0).select('key', 'points').orderBy('key')).toEqual(countsBefore);
  });

  it('when the form is empty or the email malformed, then 422 with errors beside the fields', async () => {
    const agent = request.agent(server);
    const form = await agent.get('/admin/sign-in');
    const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email: 'not-an-email', password: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter an email address like name@example.org');
    expect(res.text).toContain('Enter your password');
  });

  it('when the same email fails 5 times from one address, then the 6th attempt is refused with 429 even with the right password, and other addresses are not blocked', async () => {
    const user = await createStaff(t, 'admin');
    const agent = request.agent(server);
    const form = await agent.get('/admin/sign-in');
    const csrf = csrfFrom(form.text);
    for (let i = 0; i < 5; i++) {
      const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrf, email: user.email, password: `wrong-${i}-password` });
      expect(res.status).toBe(401);
    }
    const blocked = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrf, email: user.email, password: PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many failed sign-in attempts for this email address. Please wait 15 minutes and try again');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    const other = await createStaff(t, 'organiser');
    const notBlocked = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrf, email: other.email, password: 'wrong-password-x' });
    expect(notBlocked.status).toBe(401);

    // Fifteen minutes later (by the wall clock the limits count in) the window has passed.
    const ok = await laterByWallClock(15 * 60_000 + 1000, () => agent.post('/admin/sign-in').type('form').send({ _csrf: csrf, email: user.email, password: PASSWORD }));
    expect(ok.status).toBe(303);
  });

  it('when a staff form is posted without the CSRF token or with a wrong one, then 403 with a clear page and nothing changes', async () => {
    const user = await createStaff(t, 'organiser');
    const { agent, csrf } = await signIn(server, user.email);
    const missing = await agent.post('/admin/events').type('form').send({ title: 'Sneaky', kind: 'seminar' });
    expect(missing.status).toBe(403);
    expect(missing.text).toContain('This form has expired or did not come from this site');
    const wrong = await agent.post('/admin/events').type('form').send({ _csrf: `${csrf.slice(0, -2)}xx`, title: 'Sneaky' });
    expect(wrong.status).toBe(403);
    expect(await t.db('events').where({ title: 'Sneaky' }).first()).toBeUndefined();
    // The header form (used by the check-in script) is accepted.
    const viaHeader = await agent.post('/admin/events').set('X-CSRF-Token', csrf).type('form').send({ title: '' });
    expect(viaHeader.status).toBe(422);
  });

  it('when the sign-in form is posted without its CSRF token, then 403 (login CSRF)', async () => {
    const user = await createStaff(t, 'organiser');
    const res = await request(server).post('/admin/sign-in').type('form').send({ email: user.email, password: PASSWORD });
    expect(res.status).toBe(403);
  });

  it('when a signed-in organiser signs out, then the session is deleted and the old cookie no longer works', async () => {
    const user = await createStaff(t, 'organiser');
    const { agent, csrf } = await signIn(server, user.email);
    const out = await agent.post('/admin/sign-out').type('form').send({ _csrf: csrf });
    expect(out.status).toBe(303);
    const after = await agent.get('/admin');
    expect(after.status).toBe(303);
    const actions = (await t.db('audit_log').where({ user_id: user.id }).select('action')).map((r) => r.action);
    expect(actions).toEqual(['sign_in', 'sign_out']);
  });

  it('when the next parameter points to another site, then sign-in still lands in the staff area', async () => {
    const user = await createStaff(t, 'organiser');
    const agent = request.agent(server);
    const form = await agent.get('/admin/sign-in?next=https://evil.example/');
    const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email: user.email, password: PASSWORD, next: '//evil.example/' });
    expect(res.headers.location).toBe('/admin');
  });
});
