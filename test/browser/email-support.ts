import request from 'supertest';
import { csrfFrom, PASSWORD } from '../admin/helpers';
import type { PaymentsTestApp } from '../support/payments';

export { createStaff } from '../admin/helpers';

/** Signs a staff member in against the payments test app's listening server. */
export async function signInSessionFor(t: PaymentsTestApp, email: string) {
  const agent = request.agent(t.baseUrl);
  const form = await agent.get('/admin/sign-in').expect(200);
  await agent.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email, password: PASSWORD, next: '/admin' }).expect(303);
  const home = await agent.get('/admin').expect(200);
  return { agent, csrf: csrfFrom(home.text) };
}
