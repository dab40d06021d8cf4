import type { Server } from 'node:http';
import request from 'supertest';
import type { Logger } from '../../src/lib/logger';
import { joinUrl } from '../../src/lib/links';
import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';

/**
 * The meeting's address, passcode and dial-in reach only a confirmed online attendee: not a treasurer (read-only staff),
 * not an error page, not the logs.
 */
let t: TestApp;
let server: Server;
let treasurer: SignedIn;
const logged: string[] = [];
const capture = (level: string) => (msg: string, extra?: unknown) => logged.push(`${level} ${msg} ${JSON.stringify(extra ?? {})}`);
const logger: Logger = { info: capture('info'), warn: capture('warn'), error: capture('error') } as Logger;

beforeAll(async () => {
  t = await startTestApp({ logger });
  server = t.app.listen(0);
});
afterAll(async () => {
  server.close();
  await t.close();
});

const SECRETS = ['SECRETSECRET', 'PASSCODE9876', 'DIALIN5555'];
const leaksIn = (text: string) => SECRETS.filter((s) => text.includes(s));

describe('the meeting address stays private', () => {
  it('when a treasurer reads every staff page of an online event and visitors hit error pages, then no page, download or log line carries the meeting address, passcode or dial-in', async () => {
    t.clock.set('2026-03-02T12:00:00Z');
    const event = await buildEvent(t.db, { slug: 'leaky-hybrid', mode: 'hybrid', capacity: 20, onlineCapacity: 50, meetingUrl: 'https://zoom.example.com/j/SECRETSECRET', startsAt: '2026-03-17T18:00:00Z', endsAt: '2026-03-17T20:00:00Z' });
    await t.db('event_meetings').where({ event_id: event.id }).update({ passcode: 'PASSCODE9876', dial_in: 'DIALIN5555' });
    const p = { ...person('leak-1'), mode: 'online' };
    const booked = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] }).expect(201);
    const seat = await t.db('attendees').where({ email: p.email }).first();
    // The attendee opens their link while it is open: the one place the address is given, as a redirect.
    t.clock.set('2026-03-17T17:45:00Z');
    const joined = await request(server).get(new URL(joinUrl(t.config, { icalUid: seat.ical_uid, email: seat.email })).pathname);
    expect(joined.status).toBe(302);
    // Signed in now (sessions expire with the moved clock).
    treasurer = await signIn(server, (await createStaff(t, 'treasurer')).email);

    const staffPaths = ['/admin', `/admin/events/${event.slug}`, `/admin/events/${event.slug}/preview`, `/admin/events/${event.slug}/attendees`, `/admin/events/${event.slug}/attendees.csv`, `/admin/events/${event.slug}/attendees.json`, `/admin/events/${event.slug}/sign-in-sheet`, `/admin/events/${event.slug}/edit`, `/admin/events/${event.slug}/copy`, `/admin/events/${event.slug}/follow-ups`, `/admin/events/${event.slug}/materials`, '/admin/audit'];
    const publicPaths = [`/events/${event.slug}/nothing-here`, '/join/not-a-token', `/join/${'x'.repeat(43)}`, `/bookings/${booked.body.booking.reference}`, `/api/v1/events/${event.slug}/bookings`];
    const found: Array<{ path: string; status: number; leaked: string[] }> = [];
    for (const path of staffPaths) {
      const res = await treasurer.agent.get(path);
      found.push({ path, status: res.status, leaked: leaksIn(res.text ?? String(res.body)) });
    }
    for (const path of publicPaths) {
      const res = await request(server).get(path);
      found.push({ path, status: res.status, leaked: leaksIn(res.text) });
    }

    expect(found.filter((f) => f.leaked.length > 0 || f.status >= 500)).toEqual([]);
    // The probe reached the pages: a treasurer reads the lists, and is refused the event form (which shows the address to organisers).
    expect(found.filter((f) => f.status === 200).map((f) => f.path)).toEqual(expect.arrayContaining([`/admin/events/${event.slug}`, `/admin/events/${event.slug}/attendees`, `/admin/events/${event.slug}/attendees.csv`]));
    expect(found.find((f) => f.path.endsWith('/edit'))!.status).toBe(403);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.filter((line) => leaksIn(line).length > 0)).toEqual([]);
  });
});
