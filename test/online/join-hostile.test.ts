import request from 'supertest';
import { joinUrl, manageToken } from '../../src/lib/links';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';

/** The personal joining link against odd requests: HEAD, junk, a passed-on place, a place moved to the room, a cancelled event. */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const MEETING = 'https://teams.example.com/l/meetup-join/SECRETSECRET';

async function bookOnline(slug: string, n: string) {
  const p = { ...person(n), mode: 'online' as const };
  const res = await request(t.app).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] });
  expect(res.status).toBe(201);
  const seat = await t.db('attendees').where({ email: p.email }).first();
  return { reference: res.body.booking.reference as string, seat, path: new URL(joinUrl(t.config, { icalUid: seat.ical_uid, email: seat.email })).pathname };
}

async function hybrid() {
  t.clock.set('2026-04-01T09:00:00Z');
  return buildEvent(t.db, { mode: 'hybrid', capacity: 5, onlineCapacity: 5, startsAt: '2026-04-14T17:00:00Z', endsAt: '2026-04-14T19:00:00Z', meetingUrl: MEETING });
}

describe('the joining link, pushed', () => {
  it('when a mail scanner sends HEAD to the link while it is open, then nothing records that the attendee joined (only a visit does)', async () => {
    const event = await hybrid();
    const { seat, path } = await bookOnline(event.slug, 'head-1');
    t.clock.set('2026-04-14T16:45:00Z');

    const head = await request(t.app).head(path);

    expect(head.status).toBe(302);
    expect((await t.db('attendees').where({ id: seat.id }).first()).joined_at).toBeNull();
    expect((await request(t.app).get(path)).status).toBe(302);
    expect((await t.db('attendees').where({ id: seat.id }).first()).joined_at).not.toBeNull();
  });

  it('when the token has trailing junk, is cut short or is far too long, then the refusal page (404) and no meeting address', async () => {
    const event = await hybrid();
    const { path } = await bookOnline(event.slug, 'junk-1');
    t.clock.set('2026-04-14T16:45:00Z');
    for (const bad of [`${path}x`, `${path}.`, `${path}%00`, `${path}/extra`, path.slice(0, -5), `/join/${'A'.repeat(5000)}`]) {
      const res = await request(t.app).get(bad);
      expect([bad, res.status]).toEqual([bad, 404]);
      expect(res.text).not.toContain('SECRETSECRET');
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('when a place is passed on to someone else, then the old link is refused and the new holder\'s works', async () => {
    const event = await hybrid();
    const { reference, seat, path } = await bookOnline(event.slug, 'passer');
    const passed = await request(t.app).post(`/bookings/${reference}/seats/${seat.id}`).type('form').send({ token: manageToken(t.config, reference), name: 'New Holder', email: 'new.holder@example.org' });
    expect(passed.status).toBe(303);
    t.clock.set('2026-04-14T16:45:00Z');

    const old = await request(t.app).get(path);
    const fresh = await request(t.app).get(new URL(joinUrl(t.config, { icalUid: seat.ical_uid, email: 'new.holder@example.org' })).pathname);

    expect(old.status).toBe(404);
    expect(old.text).not.toContain('SECRETSECRET');
    expect(fresh.status).toBe(302);
  });

  it('when an online place switches to the room, then its link is refused (403); when the event is cancelled, every link is refused', async () => {
    const event = await hybrid();
    const moving = await bookOnline(event.slug, 'to-room');
    const other = await bookOnline(event.slug, 'stays-online');
    const switched = await request(t.app).post(`/bookings/${moving.reference}/seats/${moving.seat.id}/mode`).type('form').send({ token: manageToken(t.config, moving.reference), mode: 'in_person' });
    expect(switched.status).toBe(303);
    t.clock.set('2026-04-14T16:45:00Z');
    expect((await request(t.app).get(moving.path)).status).toBe(403);
    await t.db('events').where({ id: event.id }).update({ status: 'cancelled' });
    const cancelled = await request(t.app).get(other.path);
    expect(cancelled.status).toBe(403);
    expect(cancelled.text).not.toContain('SECRETSECRET');
  });
});
