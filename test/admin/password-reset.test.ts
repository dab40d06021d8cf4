import type { Server } from 'node:http';
import request from 'supertest';
import { TEST_NOW, startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { createStaff, csrfFrom, linkPathIn, PASSWORD, sessionCookie, signIn } from './helpers';

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

const NEW_PASSWORD = 'the new and better passphrase';

async function forgot(email: string) {
  const agent = request.agent(server);
  const form = await agent.get('/admin/password/forgot').expect(200);
  return agent.post('/admin/password/forgot').type('form').send({ _csrf: csrfFrom(form.text), email });
}

async function mailsTo(address: string) {
  await t.sendMail();
  return t.smtp.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.value.some((v) => v.address === address));
}

async function setPassword(path: string, password: string) {
  const agent = request.agent(server);
  const page = await agent.get(path);
  if (page.status !== 200) return page;
  return agent.post(path).type('form').send({ _csrf: csrfFrom(page.text), password, confirm: password });
}

async function signInStatus(email: string, password: string): Promise<number> {
  const agent = request.agent(server);
  const form = await agent.get('/admin/sign-in');
  return (await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email, password })).status;
}

describe('forgotten passwords', () => {
  it('when the form is sent for an account and for an unknown address, then both get the same answer and only the account gets an email', async () => {
    const user = await createStaff(t, 'organiser');
    const known = await forgot(user.email);
    const unknown = await forgot('nobody-here@hsug.test');
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const answer = (res: request.Response, email: string) => textOf(res.text).replace(email, 'ADDRESS');
    expect(answer(known, user.email)).toBe(answer(unknown, 'nobody-here@hsug.test'));
    expect(textOf(known.text)).toContain('belongs to a staff account, we have emailed it a link to choose a new password. The link works once, for 60 minutes.');

    const mails = await mailsTo(user.email);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Reset your password for the Health Statistics User Group events staff area');
    expect(mails[0].text).toContain('If you did not ask for this, ignore this email');
    expect(await mailsTo('nobody-here@hsug.test')).toHaveLength(0);
    expect(await t.db('audit_log').where({ action: 'password_reset_requested', target_id: String(user.id) }).first()).toMatchObject({ actor: user.email });
  });

  it('when the reset link is used, then the new password works, the old one does not, every session of the person ends, and the link works only once', async () => {
    const user = await createStaff(t, 'treasurer');
    const elsewhere = await signIn(server, user.email);
    await forgot(user.email);
    const path = linkPathIn((await mailsTo(user.email)).pop()!.text);

    const form = await request(server).get(path).expect(200);
    expect(textOf(form.text)).toContain('choose a new password. Once it is set, every browser signed in as you is signed out.');
    expect((await setPassword(path, NEW_PASSWORD)).status).toBe(303);

    expect((await elsewhere.agent.get('/admin')).status).toBe(303);
    expect(await signInStatus(user.email, PASSWORD)).toBe(401);
    expect(await signInStatus(user.email, NEW_PASSWORD)).toBe(303);
    expect((await setPassword(path, 'and once more a passphrase')).status).toBe(404);
    expect(await signInStatus(user.email, NEW_PASSWORD)).toBe(303);
    const completed = await t.db('audit_log').where({ action: 'password_reset_completed', target_id: String(user.id) }).first();
    expect(JSON.parse(completed.details)).toMatchObject({ sessionsEnded: 1 });
  });

  it('when a reset link is more than an hour old, then it no longer works and the password is unchanged', async () => {
    const user = await createStaff(t, 'organiser');
    await forgot(user.email);
    const path = linkPathIn((await mailsTo(user.email)).pop()!.text);
    t.clock.advance(3600_000 + 1000);
    const res = await setPassword(path, NEW_PASSWORD);
    expect(res.status).toBe(404);
    expect(textOf(res.text)).toContain('This link has expired, has been used already, or was replaced by a newer one.');
    expect(await signInStatus(user.email, PASSWORD)).toBe(303);
  });

  it('when someone asks again and again, then at most 3 reset emails an hour go out, with the same answer every time', async () => {
    const user = await createStaff(t, 'organiser');
    for (let i = 0; i < 5; i++) expect((await forgot(user.email)).status).toBe(200);
    expect(await mailsTo(user.email)).toHaveLength(3);
    t.clock.advance(3600_000 + 1000);
    await forgot(user.email);
    expect(await mailsTo(user.email)).toHaveLength(4);
  });

  it('when the account is disabled, then the form sends nothing', async () => {
    const user = await createStaff(t, 'organiser');
    await t.db('users').where({ id: user.id }).update({ is_active: false });
    expect((await forgot(user.email)).status).toBe(200);
    expect(await mailsTo(user.email)).toHaveLength(0);
  });

  it('when the form is posted without its form token or with a malformed address, then 403 or 422 with the address kept', async () => {
    const forged = await request(server).post('/admin/password/forgot').type('form').send({ email: 'x@hsug.test' });
    expect(forged.status).toBe(403);
    const bad = await forgot('not an address');
    expect(bad.status).toBe(422);
    expect(textOf(bad.text)).toContain('Enter an email address like name@example.org');
    expect(bad.text).toContain('value="not an address"');
  });

  it('when an administrator sends a reset link, then the person gets one and the audit log says who sent it', async () => {
    const admin = await signIn(server, (await createStaff(t, 'admin')).email);
    const user = await createStaff(t, 'organiser');
    const res = await admin.agent.post(`/admin/users/${user.id}/password-link`).type('form').send({ _csrf: admin.csrf }).expect(303);
    expect(textOf((await admin.agent.get(res.headers.location)).text)).toContain('A password reset link has been sent. It works for 1 hour');
    const path = linkPathIn((await mailsTo(user.email)).pop()!.text);
    expect((await setPassword(path, NEW_PASSWORD)).status).toBe(303);
    const requested = await t.db('audit_log').where({ action: 'password_reset_requested', target_id: String(user.id) }).first();
    expect(requested.actor).toMatch(/^admin-/);
  });
});

describe('changing one\'s own password', () => {
  it('when the current password is right and the new one good, then other browsers are signed out and this one stays signed in', async () => {
    const user = await createStaff(t, 'organiser');
    const other = await signIn(server, user.email);
    const me = await signIn(server, user.email);
    const page = await me.agent.get('/admin/account/password').expect(200);
    const res = await me.agent.post('/admin/account/password').type('form').send({ _csrf: csrfFrom(page.text), currentPassword: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(res.status).toBe(303);
    expect(sessionCookie(res)).toBeDefined();
    const account = await me.agent.get(res.headers.location).expect(200);
    expect(textOf(account.text)).toContain('Your password has been changed. Any other browser signed in as you has been signed out.');
    expect((await other.agent.get('/admin')).status).toBe(303);
    expect(await signInStatus(user.email, NEW_PASSWORD)).toBe(303);
    expect(await t.db('audit_log').where({ action: 'password_changed', target_id: String(user.id) }).first()).toBeDefined();
  });

  it('when the current password is wrong, then both problems are shown beside their fields and nothing changes; after 5 wrong tries the session ends', async () => {
    const user = await createStaff(t, 'organiser');
    const me = await signIn(server, user.email);
    const res = await me.agent.post('/admin/account/password').type('form').send({ _csrf: me.csrf, currentPassword: 'not it at all', password: 'short', confirm: 'short' });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain('That is not your current password.');
    expect(textOf(res.text)).toContain('Use at least 12 characters.');
    for (let i = 0; i < 3; i++) expect((await me.agent.post('/admin/account/password').type('form').send({ _csrf: me.csrf, currentPassword: `wrong ${i}`, password: NEW_PASSWORD, confirm: NEW_PASSWORD })).status).toBe(422);
    const fifth = await me.agent.post('/admin/account/password').type('form').send({ _csrf: me.csrf, currentPassword: 'wrong again', password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(fifth.status).toBe(401);
    expect(textOf(fifth.text)).toContain('you have been signed out');
    expect((await me.agent.get('/admin')).status).toBe(303);
    expect(await signInStatus(user.email, PASSWORD)).toBe(303);
  });
});
