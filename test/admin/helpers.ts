import type { Server } from 'node:http';
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
