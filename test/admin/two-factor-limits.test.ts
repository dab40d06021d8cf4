import type { Server } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { createStaff, csrfFrom, enrolTwoFactor, PASSWORD, signIn, totpCode } from './helpers';

// Its own file, so its own database: the sign-in limits it uses are not shared with other tests. That guessing codes
// by signing in again and again meets the limit is tested in two-factor.test.ts.
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

async function passwordStep(email: string) {
  const agent = request.agent(server);
  const form = await agent.get('/admin/sign-in');
  const res = await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email, password: PASSWORD });
  return { agent, res };
}

async function codeStep(agent: ReturnType<typeof request.agent>, code: string) {
  const page = await agent.get('/admin/sign-in/code').expect(200);
  return agent.post('/admin/sign-in/code').type('form').send({ _csrf: csrfFrom(page.text), code });
}

describe('two-factor sign-in and the sign-in limits', () => {
  it('when someone signs in with their code many times, then finishing the code step gives the attempt back each time', async () => {
    const user = await createStaff(t, 'treasurer');
    const { secret } = await enrolTwoFactor(t, await signIn(server, user.email));
    for (let round = 0; round < 7; round++) {
      t.clock.advance(30_000); // a new code each time: a used one is refused
      const { agent, res } = await passwordStep(user.email);
      expect({ round, status: res.status }).toEqual({ round, status: 303 });
      const done = await codeStep(agent, await totpCode(secret, t.clock.now()));
      expect({ round, status: done.status }).toEqual({ round, status: 303 });
    }
  });
});
