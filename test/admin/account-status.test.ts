import type { Server } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { createStaff, createToken, csrfFrom, PASSWORD, signIn, type SignedIn } from './helpers';

let t: TestApp;
let server: Server;
let admin: SignedIn;
let adminId: number;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  const user = await createStaff(t, 'admin');
  adminId = user.id;
  admin = await signIn(server, user.email);
});
afterAll(async () => {
  server.close();
  await t.close();
});

async function act(userId: number, action: string, body: Record<string, string> = {}) {
  return admin.agent.post(`/admin/users/${userId}/${action}`).type('form').send({ _csrf: admin.csrf, ...body });
}

async function signInAttempt(email: string, password = PASSWORD) {
  const agent = request.agent(server);
  const form = await agent.get('/admin/sign-in');
  return agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email, password });
}

async function auditActions(userId: number): Promise<string[]> {
  return (await t.db('audit_log').where({ target_type: 'user', target_id: String(userId) }).orderBy('id').select('action')).map((r) => r.action);
}

describe('disabling and enabling staff accounts', () => {
  it('when an account is disabled, then its open sessions end, it cannot sign in, and its API token is refused; enabled again, both work', async () => {
    const user = await createStaff(t, 'organiser');
    const session = await signIn(server, user.email);
    const token = await createToken(t, user.id);
    expect((await request(server).get('/api/v1/admin/events').set('Authorization', `Bearer ${token}`)).status).toBe(200);

    const res = await act(user.id, 'disable');
    expect(res.status).toBe(303);
    expect(textOf((await admin.agent.get(res.headers.location)).text)).toContain('The account is disabled: it cannot sign in or use its API tokens, and its sessions have ended.');

    expect((await session.agent.get('/admin')).status).toBe(303);
    const refused = await signInAttempt(user.email);
    expect(refused.status).toBe(401);
    expect(textOf(refused.text)).toContain('That email address and password do not match a staff account.');
    const api = await request(server).get('/api/v1/admin/events').set('Authorization', `Bearer ${token}`);
    expect(api.status).toBe(401);
    expect(api.body.error.code).toBe('unauthorized');
    const list = await admin.agent.get('/admin/users').expect(200);
    expect(textOf(list.text)).toMatch(/Test organiser .* Organiser Disabled/);

    expect((await act(user.id, 'enable')).status).toBe(303);
    expect((await signInAttempt(user.email)).status).toBe(303);
    expect((await request(server).get('/api/v1/admin/events').set('Authorization', `Bearer ${token}`)).status).toBe(200);
    expect(await auditActions(user.id)).toEqual(expect.arrayContaining(['user_disabled', 'user_enabled']));
    const disabled = await t.db('audit_log').where({ action: 'user_disabled', target_id: String(user.id) }).first();
    expect(JSON.parse(disabled.details)).toMatchObject({ email: user.email, sessionsEnded: 1 });
  });

  it('when an administrator tries to disable their own account or change their own role, then 409 and nothing changes', async () => {
    const disable = await act(adminId, 'disable');
    expect(disable.status).toBe(409);
    expect(textOf(disable.text)).toContain('You cannot disable your own account or change your own role.');
    const role = await act(adminId, 'role', { role: 'organiser' });
    expect(role.status).toBe(409);
    expect(await t.db('users').where({ id: adminId }).first()).toMatchObject({ role: 'admin' });
    expect((await admin.agent.get('/admin/users')).status).toBe(200);
  });

  it('when someone is signed out everywhere, then every browser of theirs must sign in again and the count is audited', async () => {
    const user = await createStaff(t, 'treasurer');
    const a = await signIn(server, user.email);
    const b = await signIn(server, user.email);
    const res = await act(user.id, 'end-sessions');
    expect(res.status).toBe(303);
    expect(textOf((await admin.agent.get(res.headers.location)).text)).toContain('They have been signed out everywhere.');
    expect((await a.agent.get('/admin')).status).toBe(303);
    expect((await b.agent.get('/admin')).status).toBe(303);
    const row = await t.db('audit_log').where({ action: 'sessions_ended', target_id: String(user.id) }).first();
    expect(JSON.parse(row.details)).toMatchObject({ sessionsEnded: 2 });
  });

  it('when someone\'s role is changed, then their pages change with it and the audit log has from and to', async () => {
    const user = await createStaff(t, 'organiser');
    const session = await signIn(server, user.email);
    expect((await session.agent.get('/admin/finance')).status).toBe(403);
    expect((await act(user.id, 'role', { role: 'treasurer' })).status).toBe(303);
    expect((await session.agent.get('/admin/finance')).status).toBe(200);
    const row = await t.db('audit_log').where({ action: 'role_changed', target_id: String(user.id) }).first();
    expect(JSON.parse(row.details)).toMatchObject({ from: 'organiser', to: 'treasurer' });
    const bad = await act(user.id, 'role', { role: 'king' });
    expect(bad.status).toBe(422);
    expect(textOf(bad.text)).toContain('Choose a role');
  });

  it('when a person page is asked for an account that does not exist, then 404', async () => {
    expect((await admin.agent.get('/admin/users/999999')).status).toBe(404);
    expect((await admin.agent.get('/admin/users/abc')).status).toBe(404);
    expect((await act(999999, 'disable')).status).toBe(404);
  });
});
