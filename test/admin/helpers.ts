import type { Server } from 'node:http';
import { generate } from 'otplib';
import request from 'supertest';
import { createApiToken } from '../../src/admin/auth/api-tokens';
import { hashPassword } from '../../src/admin/auth/passwords';
import type { Role } from '../../src/admin/auth/roles';
import { insertUser } from '../../src/admin/auth/users';
import { startTestApp, type TestApp } from '../support/app';

export const PASSWORD = 'correct horse battery staple';

let counter = 0;

export async function createStaff(t: TestApp, role: Role, email = `${role}-${++counter}@hsug.test`): Promise<{ id: number; email: string; password: string }> {
  const id = await insertUser(t.db, { email, name: `Test ${role}`, role, passwordHash: await hashPassword(PASSWORD) }, new Date());
  return { id, email, password: PASSWORD };
}

export async function createToken(t: TestApp, userId: number): Promise<string> {
  return (await createApiToken(t.db, userId, 'test', new Date())).token;
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token on the page');
  return match[1];
}

export function sessionCookie(res: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith('hsug_staff='));
}

/** The signed form cookie a pre-sign-in page set (`name=value`), for requests made without an agent. */
export function formCookie(res: request.Response): string {
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => /^(__Host-)?hsug_form=/.test(c));
  if (!cookie) throw new Error('no form cookie on the page');
  return cookie.split(';')[0];
}

export interface SignedIn {
  agent: ReturnType<typeof request.agent>;
  csrf: string;
}

/** Signs in through the form, as a browser would, and returns an agent holding the session cookie. */
export async function signIn(server: Server, email: string, password = PASSWORD): Promise<SignedIn> {
  const agent = request.agent(server);
  const form = await agent.get('/admin/sign-in').expect(200);
  const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email, password, next: '/admin' });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${res.text.slice(0, 300)}`);
  const home = await agent.get('/admin').expect(200);
  return { agent, csrf: csrfFrom(home.text) };
}

/** The edit form as an organiser's browser would post it, from the stored event, with some fields changed. */
export function editFormBody(values: Record<string, unknown>, csrf: string, changes: Record<string, string> = {}): Record<string, string> {
  const body: Record<string, string> = { _csrf: csrf };
  for (const [key, value] of Object.entries(values)) {
    if (value === true) body[key] = 'on';
    else if (value !== false && value !== null && value !== undefined) body[key] = String(value);
  }
  return { ...body, ...changes };
}

export interface OrganiserApp {
  t: TestApp;
  server: Server;
  organiser: SignedIn;
  close(): Promise<void>;
}

/** A test app listening on loopback with an organiser signed in: the usual start of a staff-area test file. */
export async function startWithOrganiser(): Promise<OrganiserApp> {
  const t = await startTestApp();
  const server = t.app.listen(0);
  const organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
  return {
    t,
    server,
    organiser,
    async close() {
      server.close();
      await t.close();
    },
  };
}

/** The current code of an authenticator app holding `secret`, by the test clock (RFC 6238, 30-second steps). */
export async function totpCode(secret: string, at: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

/** The set-up key shown on the two-factor page, without its spaces. */
export function secretFrom(html: string): string {
  const match = /<code class="secret-key" id="secret-key">([A-Z2-7 ]+)<\/code>/.exec(html);
  if (!match) throw new Error('no set-up key on the page');
  return match[1].replace(/ /g, '');
}

/** The recovery codes shown once after two-factor is set up. */
export function recoveryCodesFrom(html: string): string[] {
  return [...html.matchAll(/<li><code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<\/code><\/li>/g)].map((m) => m[1]);
}

/** The set-password link in an invitation or reset email (its text part), as a path on the test server. */
export function linkPathIn(text: string | undefined): string {
  const match = /http:\/\/events\.test(\/admin\/set-password\/[A-Za-z0-9_-]+)/.exec(text ?? '');
  if (!match) throw new Error(`no set-password link in: ${text}`);
  return match[1];
}

/**
 * Sets up two-factor for a signed-in person through their account pages, as they would with an app; returns the
 * secret their app holds and the recovery codes they were shown.
 */
export async function enrolTwoFactor(t: TestApp, who: SignedIn): Promise<{ secret: string; recoveryCodes: string[] }> {
  await who.agent.post('/admin/account/two-factor/start').type('form').send({ _csrf: who.csrf }).expect(303);
  const page = await who.agent.get('/admin/account/two-factor').expect(200);
  const secret = secretFrom(page.text);
  const done = await who.agent.post('/admin/account/two-factor/confirm').type('form').send({ _csrf: who.csrf, code: await totpCode(secret, t.clock.now()) }).expect(200);
  return { secret, recoveryCodes: recoveryCodesFrom(done.text) };
}

/** Signs in with the password and then the code step, as a browser would; returns the agent and the page's CSRF token. */
export async function signInWithCode(server: Server, email: string, code: string, password = PASSWORD): Promise<SignedIn> {
  const agent = request.agent(server);
  const form = await agent.get('/admin/sign-in').expect(200);
  const first = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email, password });
  if (first.status !== 303 || !String(first.headers.location).startsWith('/admin/sign-in/code')) throw new Error(`expected the code step: ${first.status} ${first.headers.location}`);
  const step = await agent.get('/admin/sign-in/code').expect(200);
  const second = await agent.post('/admin/sign-in/code').type('form').send({ _csrf: csrfFrom(step.text), code });
  if (second.status !== 303) throw new Error(`code step failed: ${second.status} ${second.text.slice(0, 300)}`);
  const home = await agent.get('/admin').expect(200);
  return { agent, csrf: csrfFrom(home.text) };
}
