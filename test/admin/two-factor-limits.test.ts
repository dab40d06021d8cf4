import type { Server } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { createStaff, csrfFrom, enrolTwoFactor, PASSWORD, signIn, totpCode } from './helpers';

// Its own file, so its own database: the sign-in limits it fills up are not shared with other tests.
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
  it('when someone with the password guesses codes by signing in again and again, then the sign-in limit stops them after five rounds', async () => {
    const user = await createStaff(t, 'organiser');
    const { secret } = await enrolTwoFactor(t, await signIn(server, user.email));
    const now = t.clock.now().getTime();
    const accepted = await Promise.all([-30_000, 0, 30_000].map((d) => totpCode(secret, new Date(now + d))));
    const wrong = ['100001', '100002', '100003', '100004', '100005', '100006'].find((c) => !accepted.includes(c))!;
    for (let round = 0; round < 5; round++) {
      const { agent, res } = await passwordStep(user.email);
      expect({ round, location: res.headers.location }).toEqual({ round, location: '/admin/sign-in/code' });
      expect((await codeStep(agent, wrong)).status).toBe(401);
    }
    const sixth = await passwordStep(user.email);
    expect(sixth.res.status).toBe(429);
    expect(sixth.res.headers['retry-after']).toMatch(/^\d+$/);
    expect(textOf(sixth.res.text)).toContain('Too many failed sign-in attempts for this email address.');
  });

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
