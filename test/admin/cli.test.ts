import type { Server } from 'node:http';
import request from 'supertest';
import { runCli } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/types';
import { hashToken } from '../../src/lib/tokens';
import { startTestApp, type TestApp } from '../support/app';
import { signIn } from './helpers';

let t: TestApp;
let server: Server;
let env: Record<string, string>;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  env = { DATABASE_URL: t.testDb.url, NODE_ENV: 'test' };
});
afterAll(async () => {
  server.close();
  await t.close();
});

function captureIo(answer = ''): CliIo & { lines: string[]; errors: string[]; prompts: Array<{ q: string; hidden?: boolean }> } {
  const lines: string[] = [];
  const errors: string[] = [];
  const prompts: Array<{ q: string; hidden?: boolean }> = [];
  return { lines, errors, prompts, out: (l) => lines.push(l), err: (l) => errors.push(l), prompt: async (q, o) => (prompts.push({ q, hidden: o?.hidden }), answer) };
}

describe('staff accounts and API tokens on the command line', () => {
  it('when users:create is given valid flags and HSUG_PASSWORD, then the user can sign in, and the password is stored as argon2id with explicit parameters', async () => {
    const io = captureIo();
    const code = await runCli(['users:create', '--email', 'Ada@HSUG.test', '--name', 'Ada Organiser', '--role', 'organiser'], { ...env, HSUG_PASSWORD: 'a long enough password' }, io);
    expect(code).toBe(0);
    expect(io.lines.join('\n')).toContain('Created organiser Ada Organiser');
    const row = await t.db('users').where({ email_normalised: 'ada@hsug.test' }).first();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const { agent } = await signIn(server, 'ada@hsug.test', 'a long enough password');
    expect((await agent.get('/admin')).status).toBe(200);
  });

  it('when no HSUG_PASSWORD is set, then the password is asked for with a hidden prompt; a short one is refused', async () => {
    const io = captureIo('short');
    const code = await runCli(['users:create', '--email', 'bo@hsug.test', '--name', 'Bo', '--role', 'treasurer'], env, io);
    expect(code).toBe(2);
    expect(io.prompts).toEqual([{ q: 'Password for bo@hsug.test: ', hidden: true }]);
    expect(io.errors.join('\n')).toContain('at least 12 characters');
    expect(await t.db('users').where({ email_normalised: 'bo@hsug.test' }).first()).toBeUndefined();
  });

  it('when flags are missing or wrong, then each is named and nothing is created', async () => {
    const io = captureIo();
    const code = await runCli(['users:create', '--email', 'nope', '--role', 'king'], { ...env, HSUG_PASSWORD: 'a long enough password' }, io);
    expect(code).toBe(2);
    const text = io.errors.join('\n');
    expect(text).toContain('--email: must be an email address');
    expect(text).toContain('--name: is required');
    expect(text).toContain('--role: is required: one of admin, organiser, treasurer');
  });

  it('when users:create or tokens:create is given a name with a terminal escape or a bidi override, then the flag is named and nothing is created', async () => {
    const users = await t.db('users').count({ n: '*' });
    const io = captureIo();
    expect(await runCli(['users:create', '--email', 'esc@hsug.test', '--name', 'Ann\u001b]0;pwned\u0007', '--role', 'organiser'], { ...env, HSUG_PASSWORD: 'a long enough password' }, io)).toBe(2);
    expect(io.errors.join('\n')).toContain('--name: Contains an invisible control character (U+001B); remove it');
    expect(await t.db('users').count({ n: '*' })).toEqual(users);

    const tokens = await t.db('api_tokens').count({ n: '*' });
    const tokenIo = captureIo();
    expect(await runCli(['tokens:create', '--email', 'esc@hsug.test', '--name', 'laptop \u202Egnp'], env, tokenIo)).toBe(2);
    expect(tokenIo.errors.join('\n')).toContain('--name: Contains an invisible text-direction control (U+202E)');
    expect(await t.db('api_tokens').count({ n: '*' })).toEqual(tokens);
  });

  it('when a token is created, then it is printed once, only its hash is stored, it works as a bearer token, and after tokens:revoke it does not', async () => {
    await runCli(['users:create', '--email', 'tess@hsug.test', '--name', 'Tess', '--role', 'treasurer'], { ...env, HSUG_PASSWORD: 'a long enough password' }, captureIo());
    const io = captureIo();
    expect(await runCli(['tokens:create', '--email', 'tess@hsug.test', '--name', 'accounts laptop'], env, io)).toBe(0);
    const token = io.lines[io.lines.length - 1];
    expect(token).toMatch(/^hsug_[A-Za-z0-9_-]{40,}$/);
    const stored = await t.db('api_tokens').first();
    expect(stored.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(await t.db('api_tokens').select('*'))).not.toContain(token);

    const ok = await request(server).get('/api/v1/admin/events').set('Authorization', `Bearer ${token}`);
    expect(ok.status).toBe(200);

    const list = captureIo();
    await runCli(['tokens:list'], env, list);
    expect(list.lines.join('\n')).toMatch(/accounts laptop\s+tess@hsug.test .*last used/);
    expect(list.lines.join('\n')).not.toContain(token);

    expect(await runCli(['tokens:revoke', '--id', String(stored.id)], env, captureIo())).toBe(0);
    expect((await request(server).get('/api/v1/admin/events').set('Authorization', `Bearer ${token}`)).status).toBe(401);
    const again = captureIo();
    expect(await runCli(['tokens:revoke', '--id', String(stored.id)], env, again)).toBe(1);
  });

  it('when a token is asked for an unknown email, then exit 1 with a message', async () => {
    const io = captureIo();
    expect(await runCli(['tokens:create', '--email', 'ghost@hsug.test', '--name', 'x'], env, io)).toBe(1);
    expect(io.errors.join('\n')).toContain('No staff account for ghost@hsug.test');
  });
});
