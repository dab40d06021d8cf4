import type { Server } from 'node:http';
import request from 'supertest';
import type { StaffRouteSpec } from '../../src/admin/route-table';
import { can, ROLES, type Role } from '../../src/admin/auth/roles';
import { buildEvent, freeBookingBody } from '../support/factories';
import { startTestApp, type TestApp } from '../support/app';
import { createStaff, createToken, signIn, type SignedIn } from './helpers';

let t: TestApp;
let server: Server;
const sessions = {} as Record<Role, SignedIn>;
const tokens = {} as Record<Role, string>;
let params: Record<string, string>;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  for (const role of ROLES) {
    const user = await createStaff(t, role);
    sessions[role] = await signIn(server, user.email);
    tokens[role] = await createToken(t, user.id);
  }
  const event = await buildEvent(t.db, { capacity: 1 });
  await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('matrix-1')).expect(201);
  const waiting = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('matrix-2')).expect(201);
  const attendee = await t.db('attendees').where({ event_id: event.id }).orderBy('id').first();
  // The account the staff-account routes act on: not one of the signed-in people, whose sessions those routes may end.
  const target = await createStaff(t, 'organiser');
  params = { slug: event.slug, id: String(event.ticketTypeIds[0]), reference: waiting.body.booking.reference, attendeeId: String(attendee.id), format: 'csv', userId: String(target.id), code: 'NO-SUCH-CODE', number: 'HSUG-2025-0001', year: '2025' };
});
afterAll(async () => {
  server.close();
  await t.close();
});

function routes(): StaffRouteSpec[] {
  return t.app.locals.staffRoutes as StaffRouteSpec[];
}

function pathFor(route: StaffRouteSpec): string {
  return route.path.replace(/:(\w+)/g, (_m, name: string) => {
    if (!(name in params)) throw new Error(`no test value for :${name} in ${route.path}`);
    return params[name];
  });
}

function call(agent: ReturnType<typeof request.agent> | ReturnType<typeof request>, route: StaffRouteSpec, csrf?: string, token?: string) {
  const path = pathFor(route);
  const req = route.method === 'get' ? agent.get(path) : agent.post(path).type('form').send(csrf ? { _csrf: csrf } : {});
  return token ? req.set('Authorization', `Bearer ${token}`) : req;
}

const isSignInRedirect = (res: request.Response) => res.status === 303 && String(res.headers.location).startsWith('/admin/sign-in');

describe('the staff role matrix', () => {
  it('when the app starts, then it has guarded HTML and API staff routes to check', () => {
    const html = routes().filter((r) => r.surface === 'html');
    const api = routes().filter((r) => r.surface === 'api');
    expect(html.length).toBeGreaterThanOrEqual(20);
    expect(api.map((r) => r.path)).toEqual(expect.arrayContaining(['/api/v1/admin/events/:slug/attendees.:format', '/api/v1/admin/events/:slug/attendees', '/api/v1/admin/bookings/:reference/cancel']));
    expect(html.map((r) => `${r.method} ${r.path} ${r.permission}`)).toEqual(
      expect.arrayContaining([
        'get /admin/bookings/:reference/cancel bookings:cancel',
        'post /admin/bookings/:reference/cancel bookings:cancel',
        'get /admin/users users:manage',
        'post /admin/users users:manage',
        'post /admin/users/:userId/disable users:manage',
        'post /admin/users/two-factor-rule users:manage',
        'get /admin/account staff',
        'post /admin/account/password staff',
        'post /admin/account/two-factor/start staff',
      ]),
    );
  });

  it('when an anonymous visitor opens any staff page or posts any staff form, then they are sent to sign in', async () => {
    for (const route of routes().filter((r) => r.surface === 'html')) {
      const res = await call(request(server), route);
      expect({ route: `${route.method} ${route.path}`, redirect: isSignInRedirect(res) }).toEqual({ route: `${route.method} ${route.path}`, redirect: true });
    }
  });

  it('when an anonymous client calls any staff API route, then 401', async () => {
    for (const route of routes().filter((r) => r.surface === 'api')) {
      const res = await call(request(server), route);
      expect({ route: route.path, status: res.status }).toEqual({ route: route.path, status: 401 });
      expect(res.body.error.code).toBe('unauthorized');
    }
  });

  it('when a revoked or made-up token is used, then 401', async () => {
    const res = await request(server).get('/api/v1/admin/events').set('Authorization', 'Bearer hsug_not-a-real-token-at-all-000000');
    expect(res.status).toBe(401);
  });

  it.each(ROLES)('when a %s uses every staff route, then exactly the routes of their role are allowed and the rest answer 403', async (role) => {
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const route of routes()) {
      const res = route.surface === 'html' ? await call(sessions[role].agent, route, sessions[role].csrf) : await call(request(server), route, undefined, tokens[role]);
      const allowed = can(role, route.permission);
      const label = `${route.method} ${route.path}`;
      expected.push(`${label} -> ${allowed ? 'allowed' : 'forbidden'}`);
      if (res.status === 403) outcomes.push(`${label} -> forbidden`);
      else if (res.status === 401 || isSignInRedirect(res) || res.status >= 500) outcomes.push(`${label} -> broken ${res.status}`);
      else outcomes.push(`${label} -> allowed`);
    }
    expect(outcomes).toEqual(expected);
  });

  it('when the treasurer opens an attendee list, then it is read-only (no offer or check-in buttons)', async () => {
    const res = await sessions.treasurer.agent.get(`/admin/events/${params.slug}/attendees`).expect(200);
    expect(res.text).toContain('Attendee matrix-1');
    expect(res.text).not.toContain('Offer place');
    const organiser = await sessions.organiser.agent.get(`/admin/events/${params.slug}/attendees`).expect(200);
    expect(organiser.text).toContain('Offer place');
  });
});
