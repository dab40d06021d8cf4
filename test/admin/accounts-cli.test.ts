import type { Server } from 'node:http';
import request from 'supertest';
import { runCli } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/types';
import { startTestApp, type TestApp } from '../support/app';
import { createStaff, createToken, csrfFrom, enrolTwoFactor, linkPathIn, PASSWORD, signIn } from './helpers';

let t: TestApp;
let server: Server;
let env: Record<string, string>;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  // The command line uses the system clock; the app under test must agree with it about what has expired.
  t.clock.set(new Date());
  env = { DATABASE_URL: t.testDb.url, NODE_ENV: 'test', PUBLIC_URL: 'http://events.test', SESSION_SECRET: 'test-secret-that-is-at-least-32-characters-long' };
});
afterAll(async () => {
  server.close();
  await t.close();
});

function captureIo(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), prompt: async () => '' };
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await runCli(argv, env, io);
  return { code, out: io.lines.join('\n'), err: io.errors.join('\n') };
}

async function mailTo(address: string) {
  t.clock.set(new Date()); // the command queued the email at the system clock's now
  await t.sendMail();
  const found = [...t.smtp.messages].reverse().find((m) => m.to && !Array.isArray(m.to) && m.to.value.some((v) => v.address === address));
  if (!found) throw new Error(`no email to ${address}`);
  return found;
}

async function signInStatus(email: string, password = PASSWORD): Promise<number> {
  const agent = request.agent(server);
  const form = await agent.get('/admin/sign-in');
  return (await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email, password })).status;
}

describe('staff account commands', () => {
  it('when users:invite runs, then the account is made, the invitation email carries a working link, and users:list shows it invited then active', async () => {
    const res = await cli('users:invite', '--email', 'cleo@hsug.test', '--name', 'Cleo Command', '--role', 'treasurer');
    expect(res).toMatchObject({ code: 0 });
    expect(res.out).toContain('Invited treasurer Cleo Command <cleo@hsug.test>');
    expect((await cli('users:list')).out).toMatch(/cleo@hsug\.test\s+Cleo Command\s+treasurer\s+invited\s+two-factor off/);

    const path = linkPathIn((await mailTo('cleo@hsug.test')).text);
    const agent = request.agent(server);
    const page = await agent.get(path).expect(200);
    await agent.post(path).type('form').send({ _csrf: csrfFrom(page.text), password: 'cleo chose this passphrase', confirm: 'cleo chose this passphrase' }).expect(303);
    expect(await signInStatus('cleo@hsug.test', 'cleo chose this passphrase')).toBe(303);
    expect((await cli('users:list')).out).toMatch(/cleo@hsug\.test\s+Cleo Command\s+treasurer\s+active/);
    expect(await t.db('audit_log').where({ action: 'user_invited', actor: 'command line' }).first()).toBeDefined();
  });

  it('when users:invite is given bad flags or a taken address, then it says which and exits non-zero', async () => {
    const bad = await cli('users:invite', '--email', 'nope', '--role', 'king');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--email: Enter an email address like name@example.org');
    expect(bad.err).toContain('--name: Enter their name');
    expect(bad.err).toContain('--role: Choose a role');
    const existing = await createStaff(t, 'organiser');
    const taken = await cli('users:invite', '--email', existing.email, '--name', 'Again', '--role', 'organiser');
    expect(taken.code).toBe(1);
    expect(taken.err).toContain('--email: There is already a staff account for this address.');
  });

  it('when users:disable and users:enable run, then sign-in and API tokens stop and start again', async () => {
    const user = await createStaff(t, 'organiser');
    const token = await createToken(t, user.id);
    const session = await signIn(server, user.email);
    const disabled = await cli('users:disable', '--email', user.email);
    expect(disabled).toMatchObject({ code: 0 });
    expect(disabled.out).toContain(`Disabled ${user.email}.`);
    expect((await session.agent.get('/admin')).status).toBe(303);
    expect(await signInStatus(user.email)).toBe(401);
    expect((await request(server).get('/api/v1/admin/events').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    expect(await cli('users:enable', '--email', user.email)).toMatchObject({ code: 0 });
    expect(await signInStatus(user.email)).toBe(303);
    expect((await request(server).get('/api/v1/admin/events').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('when the only administrator would be disabled, then users:disable refuses and they can still sign in', async () => {
    await t.db('users').where({ role: 'admin' }).update({ role: 'organiser' });
    const only = await createStaff(t, 'admin');
    const res = await cli('users:disable', '--email', only.email);
    expect(res.code).toBe(1);
    expect(res.err).toContain('is the only active administrator. Make someone else an administrator first.');
    expect(await signInStatus(only.email)).toBe(303);
  });

  it('when users:reset-password and users:end-sessions run, then the person gets a reset link and is signed out', async () => {
    const user = await createStaff(t, 'organiser');
    const session = await signIn(server, user.email);
    const ended = await cli('users:end-sessions', '--email', user.email);
    expect(ended.out).toContain(`Ended 1 session of ${user.email}.`);
    expect((await session.agent.get('/admin')).status).toBe(303);
    const reset = await cli('users:reset-password', '--email', user.email);
    expect(reset.out).toContain(`A password reset link is on its way to ${user.email}`);
    const mail = await mailTo(user.email);
    expect(mail.subject).toContain('Reset your password');
    expect(linkPathIn(mail.text)).toMatch(/^\/admin\/set-password\//);
  });

  it('when an unknown address is named, then exit 1 with a message', async () => {
    const res = await cli('users:disable', '--email', 'ghost@hsug.test');
    expect(res.code).toBe(1);
    expect(res.err).toContain('No staff account for ghost@hsug.test');
    expect((await cli('users:end-sessions')).code).toBe(2);
  });

  it('when users:require-totp and users:remove-totp run, then the rule changes (and is audited) and a lost authenticator is removed', async () => {
    const user = await createStaff(t, 'treasurer');
    await enrolTwoFactor(t, await signIn(server, user.email));
    const on = await cli('users:require-totp', 'on');
    expect(on.code).toBe(0);
    expect(on.out).toContain('Two-factor sign-in is now required for administrators and treasurers.');
    expect((await cli('users:require-totp', 'on')).out).toContain('already required');
    expect((await cli('users:list')).out).toContain('Two-factor sign-in is required');

    const removed = await cli('users:remove-totp', '--email', user.email);
    expect(removed.out).toContain(`Removed two-factor sign-in from ${user.email}`);
    expect((await cli('users:remove-totp', '--email', user.email)).out).toContain('had no two-factor sign-in');
    const agent = request.agent(server);
    const form = await agent.get('/admin/sign-in');
    const step = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email: user.email, password: PASSWORD });
    // A treasurer, so after setting up two-factor they go on to the finance pages (issue 16).
    expect(step.headers.location).toBe('/admin/sign-in/two-factor?next=%2Fadmin%2Ffinance');

    expect((await cli('users:require-totp', 'off')).out).toContain('no longer required');
    expect((await cli('users:require-totp', 'maybe')).code).toBe(2);
    const changes = await t.db('audit_log').where({ action: 'totp_requirement_changed', actor: 'command line' }).select('details');
    expect(changes.map((c) => JSON.parse(c.details).required)).toEqual([true, false]);
  });

  it('when users:create is given a password that is the email address, then it is refused with the rule', async () => {
    const res = await runCli(['users:create', '--email', 'same@hsug.test', '--name', 'Same', '--role', 'organiser'], { ...env, HSUG_PASSWORD: 'same@hsug.test' }, captureIo());
    expect(res).toBe(2);
    expect(await t.db('users').where({ email_normalised: 'same@hsug.test' }).first()).toBeUndefined();
  });
});
