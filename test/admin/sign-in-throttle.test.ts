import type { Server } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { createStaff, csrfFrom, PASSWORD } from './helpers';

/**
 * Sign-in throttling (issue 14): every attempt is counted before the password is checked, per account and address,
 * per account, per address and overall. Requests come from loopback, whose X-Forwarded-For the app trusts, so each
 * test speaks as its own client addresses. The defaults apply (5 per account and address in 15 minutes, 20 per
 * account an hour, 20 per address in 15 minutes), except the overall limit, which has its own app below.
 */

let t: TestApp;
let server: Server;
let lastAddress = 0;
const newAddress = () => `203.0.113.${++lastAddress}`;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
});
afterAll(async () => {
  server.close();
  await t.close();
});

/** A browser with the sign-in form open (its anonymous session and CSRF token), speaking from `address`. */
async function signInForm(target: Server | TestApp['app'], address: string) {
  const agent = request.agent(target);
  const csrf = csrfFrom((await agent.get('/admin/sign-in').set('X-Forwarded-For', address).expect(200)).text);
  return (email: string, password: string) => agent.post('/admin/sign-in').set('X-Forwarded-For', address).type('form').send({ _csrf: csrf, email, password });
}

describe('sign-in throttling', () => {
  it('when 15 wrong passwords for one account are sent at once, then at most 5 are checked (401) and the rest are refused with 429 before any check', async () => {
    const user = await createStaff(t, 'admin');
    const address = newAddress();
    const attempt = await signInForm(server, address);

    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) => attempt(user.email, `wrong-password-${i}`)));

    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(10);
    const refused = answers.find((a) => a.status === 429)!;
    expect(textOf(refused.text)).toContain('Too many failed sign-in attempts for this email address. Please wait 15 minutes and try again, or ask an administrator to reset your password.');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(refused.text).toContain(`value="${user.email}"`);
    const locked = t.logged.filter((line) => (line.extra as { security?: string } | undefined)?.security === 'sign_in_locked' && (line.extra as { ip?: string }).ip === address);
    expect(locked).toHaveLength(10);
    expect(locked[0]).toEqual({ level: 'warn', msg: 'staff sign-in refused: too many attempts', extra: expect.objectContaining({ code: 'too_many_attempts', status: 429, account: user.email, reason: 'limit sign-in-account-address' }) });
  });

  it('when a person gets the password wrong a few times and then right, then the count starts again', async () => {
    const user = await createStaff(t, 'organiser');
    const address = newAddress();
    const attempt = await signInForm(server, address);
    for (let i = 0; i < 4; i++) expect((await attempt(user.email, `not-it-${i}`)).status).toBe(401);
    expect((await attempt(user.email, PASSWORD)).status).toBe(303);

    // A new browser on the same address has the whole allowance again, and no more.
    const later = await signInForm(server, address);
    for (let i = 0; i < 5; i++) expect((await later(user.email, `typo-${i}`)).status).toBe(401);
    expect((await later(user.email, PASSWORD)).status).toBe(429);
    expect((await (await signInForm(server, newAddress()))(user.email, PASSWORD)).status).toBe(303);
  });

  it('when one address tries many accounts, then the 21st attempt is refused whatever the account, and other addresses are not', async () => {
    const address = newAddress();
    const attempt = await signInForm(server, address);
    for (let i = 0; i < 20; i++) expect((await attempt(`someone-${i}@hsug.test`, 'a guessed password')).status).toBe(401);
    const user = await createStaff(t, 'treasurer');

    const refused = await attempt(user.email, PASSWORD);

    expect(refused.status).toBe(429);
    expect(textOf(refused.text)).toContain('Too many sign-in attempts from your internet connection. Please wait 15 minutes and try again.');
    expect((await (await signInForm(server, newAddress()))(user.email, PASSWORD)).status).toBe(303);
  });

  it('when one account is tried from many addresses, then it is refused after 20 failures in the hour, even from a new address', async () => {
    const user = await createStaff(t, 'admin');
    for (let i = 0; i < 5; i++) {
      const attempt = await signInForm(server, newAddress());
      for (let j = 0; j < 4; j++) expect((await attempt(user.email, `spread-${i}-${j}`)).status).toBe(401);
    }

    const refused = await (await signInForm(server, newAddress()))(user.email, PASSWORD);

    expect(refused.status).toBe(429);
    expect(textOf(refused.text)).toContain('Too many failed sign-in attempts for this email address. Please wait 60 minutes');
  });
});

describe('the overall sign-in limit', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({ env: { RATE_LIMIT_SIGN_IN_GLOBAL: '6/1m' } });
  });
  afterAll(async () => {
    await small.close();
  });

  it('when many addresses try many accounts, then attempts beyond the overall limit are refused before any check, and refused attempts use up no other limit', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 8; i++) answers.push((await (await signInForm(small.app, `198.18.0.${i + 1}`))(`nobody-${i}@hsug.test`, 'some password or other')).status);

    expect(answers).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    const refused = await (await signInForm(small.app, '198.18.1.1'))('nobody-else@hsug.test', 'some password or other');
    expect(refused.status).toBe(429);
    expect(textOf(refused.text)).toContain('Too many sign-in attempts are being made just now, so sign-in is paused for a moment. Please wait');
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    // The refused attempts gave back what they took from the per-account and per-address counts.
    const counts = await small.db('rate_limits').where('key', 'like', 'sign-in-address:%').pluck('points');
    expect(counts.map(Number).sort()).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1]);
  });
});
