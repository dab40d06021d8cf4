import request from 'supertest';
import { createStaff, csrfFrom, PASSWORD } from '../admin/helpers';
import { startTestApp, type TestApp } from '../support/app';

let t: TestApp;
let server: ReturnType<TestApp['app']['listen']>;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
});
afterAll(async () => {
  server.close();
  await t.close();
});

/** Signs in through the form as a browser does after opening /admin/sign-in (the form's hidden `next` is its default). */
async function signInFrom(path: string, email: string) {
  const agent = request.agent(server);
  const form = await agent.get(path).expect(200);
  const next = /name="next" value="([^"]*)"/.exec(form.text)![1];
  return agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email, password: PASSWORD, next });
}

describe('where staff land after signing in', () => {
  it('when the treasurer signs in with no page asked for, then they land on Finance', async () => {
    const res = await signInFrom('/admin/sign-in', (await createStaff(t, 'treasurer')).email);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/finance');
  });

  it('when an organiser or an administrator signs in, then they land on the events list as before', async () => {
    for (const role of ['organiser', 'admin'] as const) {
      const res = await signInFrom('/admin/sign-in', (await createStaff(t, role)).email);
      expect(res.headers.location).toBe('/admin');
    }
  });

  it('when the treasurer was sent to sign in from another page, then they go back to that page', async () => {
    const res = await signInFrom(`/admin/sign-in?next=${encodeURIComponent('/admin/events')}`, (await createStaff(t, 'treasurer')).email);
    expect(res.headers.location).toBe('/admin/events');
  });
});
