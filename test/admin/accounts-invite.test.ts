import type { Server } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { createStaff, csrfFrom, linkPathIn, PASSWORD, signIn, type SignedIn } from './helpers';

let t: TestApp;
let server: Server;
let admin: SignedIn;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  admin = await signIn(server, (await createStaff(t, 'admin')).email);
});
afterAll(async () => {
  server.close();
  await t.close();
});

const NEW_PASSWORD = 'a brand new staff passphrase';

async function invite(email: string, name = 'Ida Invited', role = 'organiser') {
  return admin.agent.post('/admin/users').type('form').send({ _csrf: admin.csrf, name, email, role });
}

/** Sends the outbox and returns the newest email to that address. */
async function mailTo(address: string) {
  await t.sendMail();
  const found = [...t.smtp.messages].reverse().find((m) => m.to && !Array.isArray(m.to) && m.to.value.some((v) => v.address === address));
  if (!found) throw new Error(`no email to ${address}`);
  return found;
}

/** Opens a set-password link the way a browser does and posts the form on it. */
async function setPassword(path: string, password: string, confirm = password) {
  const agent = request.agent(server);
  const page = await agent.get(path);
  if (page.status !== 200) return page;
  return agent.post(path).type('form').send({ _csrf: csrfFrom(page.text), password, confirm });
}

async function signInStatus(email: string, password: string): Promise<number> {
  const agent = request.agent(server);
  const form = await agent.get('/admin/sign-in');
  return (await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email, password })).status;
}

describe('inviting staff', () => {
  it('when an administrator invites someone, then the email they receive leads to a password form, and with that password they can sign in', async () => {
    const res = await invite('ida@hsug.test');
    expect(res.status).toBe(303);
    const person = await admin.agent.get(res.headers.location).expect(200);
    expect(textOf(person.text)).toContain('Invitation sent. The link in it works for 7 days.');
    expect(textOf(person.text)).toContain('Invited (has not chosen a password yet)');

    const mail = await mailTo('ida@hsug.test');
    expect(mail.subject).toBe('You are invited to the Health Statistics User Group events staff area');
    expect(mail.text).toContain('You have been invited to the Health Statistics User Group events staff area as Organiser.');
    expect(mail.text).toContain('the link works once, until Monday 9 March 2026, 12:00pm');
    expect(mail.html).toContain('because of your staff account');
    const path = linkPathIn(mail.text);

    // Before choosing a password the account cannot sign in, and says so no differently from a wrong password.
    expect(await signInStatus('ida@hsug.test', NEW_PASSWORD)).toBe(401);

    const form = await request(server).get(path).expect(200);
    expect(textOf(form.text)).toContain('Welcome, Ida Invited. Choose a password for your staff account');
    const set = await setPassword(path, NEW_PASSWORD);
    expect(set.status).toBe(303);
    expect(set.headers.location).toBe('/admin/sign-in?password_set=1');

    const { agent } = await signIn(server, 'ida@hsug.test', NEW_PASSWORD);
    expect(textOf((await agent.get('/admin').expect(200)).text)).toContain('Ida Invited (Organiser)');
    const actions = (await t.db('audit_log').where({ target_type: 'user' }).whereIn('action', ['user_invited', 'password_set']).orderBy('id').select('action', 'actor'));
    expect(actions).toEqual([
      { action: 'user_invited', actor: expect.stringMatching(/^admin-\d+@hsug\.test$/) },
      { action: 'password_set', actor: 'ida@hsug.test' },
    ]);
    const audit = await admin.agent.get('/admin/audit').expect(200);
    expect(audit.text).toMatch(/Test admin invited ida@hsug\.test as organiser\./);
    expect(audit.text).toContain('Ida Invited set their password from an invitation.');
  });

  it('when a set-password link has been used, then it answers exactly as an unknown link does', async () => {
    await invite('uma@hsug.test', 'Uma Used');
    const path = linkPathIn((await mailTo('uma@hsug.test')).text);
    expect((await setPassword(path, NEW_PASSWORD)).status).toBe(303);

    const again = await request(server).get(path);
    const unknown = await request(server).get('/admin/set-password/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    const malformed = await request(server).get('/admin/set-password/not*a*token');
    for (const res of [again, unknown, malformed]) {
      expect(res.status).toBe(404);
      expect(textOf(res.text)).toContain('This link has expired, has been used already, or was replaced by a newer one.');
    }
    expect(textOf(again.text)).toBe(textOf(unknown.text));
    // Each is logged as a private-link failure, with the token redacted from the address.
    const linkFailures = t.logged.filter((l) => (l.extra as { security?: string } | undefined)?.security === 'link_token_failed');
    expect(linkFailures.map((l) => (l.extra as { url: string }).url)).toEqual(expect.arrayContaining(['/admin/set-password/[redacted]']));
    expect(JSON.stringify(t.logged)).not.toContain(path.split('/').pop());
    // Posting on it changes nothing either.
    const form = await request(server).get('/admin/password/forgot');
    const post = await request(server).post(path).set('Cookie', String(form.headers['set-cookie']).split(';')[0]).type('form').send({ _csrf: csrfFrom(form.text), password: 'yet another long passphrase', confirm: 'yet another long passphrase' });
    expect(post.status).toBe(404);
    expect(await signInStatus('uma@hsug.test', NEW_PASSWORD)).toBe(303);
  });

  it('when the invitation is sent again, then only the newer link works', async () => {
    const res = await invite('nia@hsug.test', 'Nia Newer');
    const older = linkPathIn((await mailTo('nia@hsug.test')).text);
    const id = res.headers.location.split('/').pop()!.split('?')[0];
    const resent = await admin.agent.post(`/admin/users/${id}/password-link`).type('form').send({ _csrf: admin.csrf }).expect(303);
    expect(textOf((await admin.agent.get(resent.headers.location)).text)).toContain('A new invitation has been sent; the earlier link no longer works.');
    const newer = linkPathIn((await mailTo('nia@hsug.test')).text);
    expect(newer).not.toBe(older);

    expect((await request(server).get(older)).status).toBe(404);
    expect((await setPassword(newer, NEW_PASSWORD)).status).toBe(303);
  });

  it('when an invitation is more than 7 days old, then its link no longer works', async () => {
    await invite('otto@hsug.test', 'Otto Overdue');
    const path = linkPathIn((await mailTo('otto@hsug.test')).text);
    t.clock.advance(7 * 86400_000 - 60_000);
    try {
      expect((await request(server).get(path)).status).toBe(200);
      t.clock.advance(61_000);
      const late = await request(server).get(path);
      expect(late.status).toBe(404);
      expect(textOf(late.text)).toContain('Ask for a new link');
    } finally {
      t.clock.set('2026-03-02T12:00:00.000Z');
    }
  });

  it('when the link and its email are stored, then neither the links table nor the outbox holds the token', async () => {
    await invite('sam@hsug.test', 'Sam Stored');
    const path = linkPathIn((await mailTo('sam@hsug.test')).text);
    const token = path.split('/').pop()!;
    expect(JSON.stringify(await t.db('staff_links').select('*'))).not.toContain(token);
    expect(JSON.stringify(await t.db('outbox_emails').select('*'))).not.toContain(token);
  });

  it('when the new password breaks a rule, then the form says which and nothing is set', async () => {
    await invite('rula@hsug.test', 'Rula Rules');
    const path = linkPathIn((await mailTo('rula@hsug.test')).text);
    const short = await setPassword(path, 'too short');
    expect(short.status).toBe(422);
    expect(textOf(short.text)).toContain('Use at least 12 characters.');
    expect(short.text).not.toContain('too short');
    const email = await setPassword(path, 'RULA@hsug.test');
    expect(textOf(email.text)).toContain('Do not use your email address as your password.');
    const mismatch = await setPassword(path, NEW_PASSWORD, 'something else entirely');
    expect(mismatch.status).toBe(422);
    expect(textOf(mismatch.text)).toContain('The two passwords are not the same.');
    // The link still works after refusals.
    expect((await setPassword(path, NEW_PASSWORD)).status).toBe(303);
  });

  it('when the invitation form is incomplete or the address already has an account, then each field says why and what was typed is kept', async () => {
    const empty = await admin.agent.post('/admin/users').type('form').send({ _csrf: admin.csrf, name: '', email: 'not an email' });
    expect(empty.status).toBe(422);
    const text = textOf(empty.text);
    expect(text).toContain('Enter their name');
    expect(text).toContain('Enter an email address like name@example.org');
    expect(text).toContain('Choose a role');
    expect(empty.text).toContain('value="not an email"');

    const existing = await createStaff(t, 'treasurer');
    const taken = await invite(existing.email.toUpperCase(), 'Someone Else', 'treasurer');
    expect(taken.status).toBe(422);
    expect(textOf(taken.text)).toContain('There is already a staff account for this address.');
    expect(taken.text).toContain('value="Someone Else"');
  });

  it('when a name carries a NUL, a line break or a right-to-left override, then 422 on the name and no account is made', async () => {
    const refusals: Array<[string, string]> = [
      ['Eve\u0000Null', 'Contains an invisible control character (U+0000); remove it'],
      ['Eve\r\nBcc: x@evil.test', 'Must be on one line: remove the line break'],
      ['Eve \u202Egnp.exe', 'Contains an invisible text-direction control (U+202E)'],
    ];
    for (const [name, message] of refusals) {
      const res = await invite('eve@hsug.test', name);
      expect({ name, status: res.status }).toEqual({ name, status: 422 });
      expect(textOf(res.text)).toContain(message);
    }
    expect(await t.db('users').where({ email_normalised: 'eve@hsug.test' }).first()).toBeUndefined();
  });

  it('when the set-password form is posted without its form token, then 403 and the link still works', async () => {
    await invite('cara@hsug.test', 'Cara Csrf');
    const path = linkPathIn((await mailTo('cara@hsug.test')).text);
    const res = await request(server).post(path).type('form').send({ password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(res.status).toBe(403);
    expect((await setPassword(path, PASSWORD)).status).toBe(303);
  });
});
