import type { Server } from 'node:http';
import request from 'supertest';
import { assembleTestApp, TEST_NOW, startTestApp, testConfig, type TestApp } from '../support/app';
import { attribute, textOf } from '../support/html';
import { createStaff, csrfFrom, enrolTwoFactor, PASSWORD, recoveryCodesFrom, secretFrom, signIn, signInWithCode, totpCode, type SignedIn } from './helpers';

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
afterEach(async () => {
  t.clock.set(TEST_NOW);
  await t.db('settings').delete();
});

/** Posts the password step with a fresh browser; returns the agent, the response and the code page's CSRF token. */
async function passwordStep(email: string, password = PASSWORD) {
  const agent = request.agent(server);
  const form = await agent.get('/admin/sign-in');
  const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email, password, next: '/admin/members' });
  return { agent, res };
}

async function codeStep(agent: ReturnType<typeof request.agent>, code: string) {
  const page = await agent.get('/admin/sign-in/code').expect(200);
  return agent.post('/admin/sign-in/code?next=%2Fadmin%2Fmembers').type('form').send({ _csrf: csrfFrom(page.text), code });
}

/** The SVG behind the set-up page's QR code image (a data: URI, escaped in the page like any attribute). */
function qrSvgOf(html: string): string {
  const tag = /<figure class="qr-code"><img [^>]*>/.exec(html)?.[0];
  const src = tag ? attribute(tag, 'src') : undefined;
  if (!src?.startsWith('data:image/svg+xml;base64,')) throw new Error(`no QR code image on the page: ${tag}`);
  return Buffer.from(src.slice('data:image/svg+xml;base64,'.length), 'base64').toString('utf8');
}

async function auditActions(userId: number): Promise<string[]> {
  return (await t.db('audit_log').where({ target_type: 'user', target_id: String(userId) }).orderBy('id').select('action')).map((r) => r.action);
}

describe('setting up two-factor sign-in', () => {
  it('when someone sets it up, then the page shows a QR code and the key, a wrong code leaves it off, and the right one turns it on with ten recovery codes', async () => {
    const user = await createStaff(t, 'organiser');
    const me = await signIn(server, user.email);
    const off = await me.agent.get('/admin/account/two-factor').expect(200);
    expect(textOf(off.text)).toContain('Two-factor sign-in is off');
    await me.agent.post('/admin/account/two-factor/start').type('form').send({ _csrf: me.csrf }).expect(303);
    const page = await me.agent.get('/admin/account/two-factor').expect(200);
    expect(qrSvgOf(page.text)).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*viewBox="0 0 \d+ \d+"/);
    const secret = secretFrom(page.text);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // The secret is stored encrypted: a copy of the database does not show it.
    expect(JSON.stringify(await t.db('users').where({ id: user.id }).first())).not.toContain(secret);

    const notTheCode = (await totpCode(secret, t.clock.now())) === '000000' ? '111111' : '000000';
    const wrong = await me.agent.post('/admin/account/two-factor/confirm').type('form').send({ _csrf: me.csrf, code: notTheCode });
    expect(wrong.status).toBe(422);
    expect(textOf(wrong.text)).toContain('That code is not right.');
    const letters = await me.agent.post('/admin/account/two-factor/confirm').type('form').send({ _csrf: me.csrf, code: 'abcdef' });
    expect(letters.status).toBe(422);
    expect(textOf(letters.text)).toContain('Enter the 6-digit code from your app');
    expect(await t.db('users').where({ id: user.id }).first()).toMatchObject({ totp_enabled_at: null });

    const done = await me.agent.post('/admin/account/two-factor/confirm').type('form').send({ _csrf: me.csrf, code: await totpCode(secret, t.clock.now()) });
    expect(done.status).toBe(200);
    expect(textOf(done.text)).toContain('Two-factor sign-in is on.');
    expect(textOf(done.text)).toContain('they are not shown again');
    const codes = recoveryCodesFrom(done.text);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const stored = JSON.stringify(await t.db('recovery_codes').where({ user_id: user.id }).select('*'));
    for (const code of codes) expect(stored).not.toContain(code.replace(/-/g, ''));
    expect(await auditActions(user.id)).toContain('totp_enrolled');
    expect(textOf((await me.agent.get('/admin/account')).text)).toContain('On. You have 10 unused recovery codes.');
  });
});

describe('signing in with two-factor', () => {
  it('when the password is right, then a code is asked for, and until it is given the half-signed-in browser can reach nothing', async () => {
    const user = await createStaff(t, 'admin');
    const { secret } = await enrolTwoFactor(t, await signIn(server, user.email));
    t.clock.advance(60_000);
    const { agent, res } = await passwordStep(user.email);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/sign-in/code?next=%2Fadmin%2Fmembers');

    const codePage = await agent.get('/admin/sign-in/code').expect(200);
    const halfCsrf = csrfFrom(codePage.text);
    for (const path of ['/admin', '/admin/members', '/admin/users', '/admin/account', '/admin/audit']) {
      const page = await agent.get(path);
      expect({ path, status: page.status, to: String(page.headers.location).split('?')[0] }).toEqual({ path, status: 303, to: '/admin/sign-in' });
    }
    const follow = await agent.get('/admin/sign-in');
    expect(follow.status).toBe(303);
    expect(follow.headers.location).toBe('/admin/sign-in/code');
    for (const path of ['/admin/events', '/admin/users', '/admin/account/end-sessions', '/admin/users/two-factor-rule']) {
      const post = await agent.post(path).type('form').send({ _csrf: halfCsrf, title: 'Sneaky', name: 'X', email: 'x@hsug.test', role: 'admin', required: 'on' });
      expect({ path, status: post.status, to: String(post.headers.location).split('?')[0] }).toEqual({ path, status: 303, to: '/admin/sign-in' });
    }
    expect(await t.db('events').where({ title: 'Sneaky' }).first()).toBeUndefined();
    expect(await t.db('users').where({ email_normalised: 'x@hsug.test' }).first()).toBeUndefined();
    expect(await t.db('settings').first()).toBeUndefined();

    const done = await codeStep(agent, await totpCode(secret, t.clock.now()));
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/admin/members');
    expect((await agent.get('/admin/users')).status).toBe(200);
    const signInRow = await t.db('audit_log').where({ action: 'sign_in', target_id: String(user.id) }).orderBy('id', 'desc').first();
    expect(JSON.parse(signInRow.details)).toMatchObject({ method: 'totp' });
  });

  it('when a code has been used, then the same code is refused within its window, and the next one is accepted', async () => {
    const user = await createStaff(t, 'treasurer');
    const { secret } = await enrolTwoFactor(t, await signIn(server, user.email));
    t.clock.advance(30_000);
    const code = await totpCode(secret, t.clock.now());
    await signInWithCode(server, user.email, code);

    t.clock.advance(10_000); // same 30-second step, or the one after: the code is still "valid" by the clock
    const { agent } = await passwordStep(user.email);
    const replay = await codeStep(agent, code);
    expect(replay.status).toBe(401);
    expect(textOf(replay.text)).toContain('That code is not right, or it has been used already.');

    t.clock.advance(30_000);
    const next = await codeStep(agent, await totpCode(secret, t.clock.now()));
    expect(next.status).toBe(303);
  });

  it('when a code from the enrolment is given at once to sign in, then it is refused too (it was used to confirm the app)', async () => {
    const user = await createStaff(t, 'organiser');
    const me = await signIn(server, user.email);
    await me.agent.post('/admin/account/two-factor/start').type('form').send({ _csrf: me.csrf }).expect(303);
    const secret = secretFrom((await me.agent.get('/admin/account/two-factor')).text);
    const code = await totpCode(secret, t.clock.now());
    await me.agent.post('/admin/account/two-factor/confirm').type('form').send({ _csrf: me.csrf, code }).expect(200);
    const { agent } = await passwordStep(user.email);
    expect((await codeStep(agent, code)).status).toBe(401);
  });

  it('when a recovery code is used, then it signs in once and never again', async () => {
    const user = await createStaff(t, 'organiser');
    const { recoveryCodes } = await enrolTwoFactor(t, await signIn(server, user.email));
    const code = recoveryCodes[3];

    const first = await passwordStep(user.email);
    const ok = await codeStep(first.agent, code.toLowerCase().replace(/-/g, ' '));
    expect(ok.status).toBe(303);
    const signInRow = await t.db('audit_log').where({ action: 'sign_in', target_id: String(user.id) }).orderBy('id', 'desc').first();
    expect(JSON.parse(signInRow.details)).toMatchObject({ method: 'recovery_code' });
    expect(await auditActions(user.id)).toContain('recovery_code_used');

    const second = await passwordStep(user.email);
    const again = await codeStep(second.agent, code);
    expect(again.status).toBe(401);
    expect(textOf((await first.agent.get('/admin/account')).text)).toContain('You have 9 unused recovery codes.');
    // Another person's code does not work for this account.
    const other = await createStaff(t, 'organiser');
    const otherCodes = (await enrolTwoFactor(t, await signIn(server, other.email))).recoveryCodes;
    expect((await codeStep(second.agent, otherCodes[0])).status).toBe(401);
  });

  it('when five wrong codes are given, then the half-way session ends and the person starts again from the password', async () => {
    const user = await createStaff(t, 'organiser');
    const { secret } = await enrolTwoFactor(t, await signIn(server, user.email));
    const { agent } = await passwordStep(user.email);
    const now = t.clock.now().getTime();
    const accepted = await Promise.all([-30_000, 0, 30_000].map((d) => totpCode(secret, new Date(now + d))));
    const wrong = ['000001', '000002', '000003', '000004', '000005', '000006', '000007', '000008'].filter((c) => !accepted.includes(c));
    for (const code of wrong.slice(0, 4)) expect((await codeStep(agent, code)).status).toBe(401);
    const fifth = await codeStep(agent, wrong[4]);
    expect(fifth.status).toBe(429);
    expect(textOf(fifth.text)).toContain('Too many wrong codes. Sign in again with your password.');
    expect((await agent.get('/admin/sign-in/code')).status).toBe(303);
    expect(textOf(fifth.text)).toContain('Staff sign-in');
  });

  it('when someone who has the password keeps signing in to guess codes, then the sign-in limit stops them after five rounds', async () => {
    // Each right password that still owes a code stays counted (5 per account and address in 15 minutes), so the
    // five guesses a half-way session allows cannot be renewed without limit.
    const user = await createStaff(t, 'organiser');
    await enrolTwoFactor(t, await signIn(server, user.email));
    const rounds = [];
    for (let i = 0; i < 6; i++) rounds.push((await passwordStep(user.email)).res);

    expect(rounds.slice(0, 5).map((r) => r.status)).toEqual([303, 303, 303, 303, 303]);
    expect(rounds.slice(0, 5).every((r) => String(r.headers.location).startsWith('/admin/sign-in/code'))).toBe(true);
    expect(rounds[5].status).toBe(429);
    expect(textOf(rounds[5].text)).toContain('Too many failed sign-in attempts');
  });

  it('when an administrator removes someone\'s two-factor, then their sessions end and they sign in with the password alone', async () => {
    const admin = await signIn(server, (await createStaff(t, 'admin')).email);
    const user = await createStaff(t, 'organiser');
    const me = await signIn(server, user.email);
    await enrolTwoFactor(t, me);
    const res = await admin.agent.post(`/admin/users/${user.id}/remove-two-factor`).type('form').send({ _csrf: admin.csrf });
    expect(res.status).toBe(303);
    expect((await me.agent.get('/admin')).status).toBe(303);
    const { res: signedIn } = await passwordStep(user.email);
    expect(signedIn.headers.location).toBe('/admin/members');
    expect(await auditActions(user.id)).toContain('totp_removed');
    expect(await t.db('recovery_codes').where({ user_id: user.id }).first()).toBeUndefined();
  });

  it('when someone switches their own two-factor off or renews their recovery codes, then their password is asked for', async () => {
    const user = await createStaff(t, 'organiser');
    const me = await signIn(server, user.email);
    const { recoveryCodes } = await enrolTwoFactor(t, me);
    const wrong = await me.agent.post('/admin/account/two-factor/recovery-codes').type('form').send({ _csrf: me.csrf, currentPassword: 'not my password' });
    expect(wrong.status).toBe(422);
    expect(textOf(wrong.text)).toContain('That is not your current password.');
    const renewed = await me.agent.post('/admin/account/two-factor/recovery-codes').type('form').send({ _csrf: me.csrf, currentPassword: PASSWORD });
    expect(renewed.status).toBe(200);
    const fresh = recoveryCodesFrom(renewed.text);
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(recoveryCodes[0]);

    const off = await me.agent.post('/admin/account/two-factor/disable').type('form').send({ _csrf: me.csrf, currentPassword: PASSWORD });
    expect(off.status).toBe(303);
    expect(textOf((await me.agent.get(off.headers.location)).text)).toContain('Two-factor sign-in is off.');
    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(['totp_enrolled', 'recovery_codes_regenerated', 'totp_removed']));
  });
});

describe('after SESSION_SECRET is rotated', () => {
  it('when the stored secret can no longer be decrypted, then app codes are refused with the fault logged, and a recovery code still signs in', async () => {
    const user = await createStaff(t, 'organiser');
    const { secret, recoveryCodes } = await enrolTwoFactor(t, await signIn(server, user.email));
    const rotated = assembleTestApp({ testDb: t.testDb, smtp: t.smtp, clock: t.clock, config: testConfig(t.testDb.database, { SESSION_SECRET: 'a-rotated-secret-that-is-also-32-characters-long' }) });
    const other = rotated.app.listen(0);
    try {
      t.clock.advance(30_000);
      const agent = request.agent(other);
      const form = await agent.get('/admin/sign-in');
      await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email: user.email, password: PASSWORD }).expect(303);
      const page = await agent.get('/admin/sign-in/code').expect(200);
      const refused = await agent.post('/admin/sign-in/code').type('form').send({ _csrf: csrfFrom(page.text), code: await totpCode(secret, t.clock.now()) });
      expect(refused.status).toBe(401);
      expect(rotated.logged.filter((l) => l.level === 'error')).toEqual([{ level: 'error', msg: expect.stringContaining('two-factor secret cannot be decrypted'), extra: { userId: user.id } }]);
      // The wrong code is also a security event: a failed sign-in naming the account, never the code.
      expect(rotated.logged).toContainEqual({ level: 'warn', msg: 'staff sign-in failed', extra: expect.objectContaining({ security: 'sign_in_failed', code: 'two_factor_failed', account: user.email, url: '/admin/sign-in/code' }) });
      const recovered = await agent.post('/admin/sign-in/code').type('form').send({ _csrf: csrfFrom(page.text), code: recoveryCodes[0] });
      expect(recovered.status).toBe(303);
    } finally {
      other.close();
    }
  });
});

describe('requiring two-factor for administrators and treasurers', () => {
  async function requireRule(admin: SignedIn, on: boolean) {
    return admin.agent.post('/admin/users/two-factor-rule').type('form').send({ _csrf: admin.csrf, ...(on ? { required: 'on' } : {}) });
  }

  it('when an administrator without two-factor tries to require it, then 409 and the rule stays off', async () => {
    const admin = await signIn(server, (await createStaff(t, 'admin')).email);
    const res = await requireRule(admin, true);
    expect(res.status).toBe(409);
    expect(textOf(res.text)).toContain('Set up two-factor sign-in on your own account first');
    expect(await t.db('settings').first()).toBeUndefined();
  });

  it('when it is required, then a treasurer without it is signed out, must set it up after the password, and can do nothing else until then; organisers are not affected', async () => {
    const adminUser = await createStaff(t, 'admin');
    const admin = await signIn(server, adminUser.email);
    await enrolTwoFactor(t, admin);
    const treasurer = await createStaff(t, 'treasurer');
    const treasurerSession = await signIn(server, treasurer.email);
    const organiser = await createStaff(t, 'organiser');
    const organiserSession = await signIn(server, organiser.email);

    // Only these three people are signed in, so the count of sessions ended is theirs alone.
    await t.db('sessions').whereNotIn('user_id', [adminUser.id, treasurer.id, organiser.id]).delete();
    const res = await requireRule(admin, true);
    expect(res.status).toBe(303);
    expect(textOf((await admin.agent.get(res.headers.location)).text)).toContain('Two-factor sign-in is now required for administrators and treasurers.');
    expect((await treasurerSession.agent.get('/admin')).status).toBe(303);
    expect((await organiserSession.agent.get('/admin')).status).toBe(200);
    expect((await admin.agent.get('/admin')).status).toBe(200);

    const { agent, res: step } = await passwordStep(treasurer.email);
    expect(step.headers.location).toBe('/admin/sign-in/two-factor?next=%2Fadmin%2Fmembers');
    const setup = await agent.get('/admin/sign-in/two-factor').expect(200);
    expect(textOf(setup.text)).toContain('Your role needs two-factor sign-in. Set it up now to continue');
    expect(qrSvgOf(setup.text)).toMatch(/^<svg /);
    const halfCsrf = csrfFrom(setup.text);
    for (const path of ['/admin', '/admin/finance', '/admin/account/two-factor']) {
      expect((await agent.get(path)).status).toBe(303);
    }
    expect((await agent.post('/admin/account/two-factor/start').type('form').send({ _csrf: halfCsrf })).status).toBe(303);
    const secret = secretFrom((await agent.get('/admin/sign-in/two-factor')).text);
    const wrong = await agent.post('/admin/sign-in/two-factor').type('form').send({ _csrf: halfCsrf, code: '12345' });
    expect(wrong.status).toBe(422);
    const done = await agent.post('/admin/sign-in/two-factor?next=%2Fadmin%2Ffinance').type('form').send({ _csrf: halfCsrf, code: await totpCode(secret, t.clock.now()) });
    expect(done.status).toBe(200);
    expect(recoveryCodesFrom(done.text)).toHaveLength(10);
    expect(done.text).toContain('href="/admin/finance"');
    expect((await agent.get('/admin/finance')).status).toBe(200);

    // Organisers sign in as before, and the treasurer cannot now switch two-factor off.
    expect((await passwordStep(organiser.email)).res.headers.location).toBe('/admin/members');
    const me = { agent, csrf: csrfFrom((await agent.get('/admin')).text) };
    const off = await me.agent.post('/admin/account/two-factor/disable').type('form').send({ _csrf: me.csrf, currentPassword: PASSWORD });
    expect(off.status).toBe(409);
    expect(textOf(off.text)).toContain('Two-factor sign-in is required for your role');
    const rule = await t.db('audit_log').where({ action: 'totp_requirement_changed' }).first();
    expect(JSON.parse(rule.details)).toMatchObject({ required: true, sessionsEnded: 1 });
    const audit = await admin.agent.get('/admin/audit').expect(200);
    expect(audit.text).toMatch(/Test admin required two-factor sign-in for admin and treasurer\./);
  });

  it('when it is required and an organiser is made treasurer, then their sessions end and they set it up at their next sign-in', async () => {
    const admin = await signIn(server, (await createStaff(t, 'admin')).email);
    await enrolTwoFactor(t, admin);
    expect((await requireRule(admin, true)).status).toBe(303);
    const user = await createStaff(t, 'organiser');
    const session = await signIn(server, user.email);
    expect((await admin.agent.post(`/admin/users/${user.id}/role`).type('form').send({ _csrf: admin.csrf, role: 'treasurer' })).status).toBe(303);
    expect((await session.agent.get('/admin')).status).toBe(303);
    expect((await passwordStep(user.email)).res.headers.location).toBe('/admin/sign-in/two-factor?next=%2Fadmin%2Fmembers');
  });
});
