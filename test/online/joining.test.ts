import ICAL from 'ical.js';
import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';
import { calendarPart, inviteOf } from '../support/ical';

/**
 * Online and hybrid meetings: the meeting's address stays private (only a confirmed online attendee reaches it,
 * through their personal joining link), the joining link's answers, and the online attendee's invitation.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const MEETING = 'https://teams.example.com/l/meetup-join/19%3ameeting_SECRETSECRET%40thread.v2/0';

function mailsTo(address: string): ParsedMail[] {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(address));
}

async function book(slug: string, n: string, mode?: 'in_person' | 'online') {
  const p = { ...person(n), ...(mode ? { mode } : {}) };
  return request(t.app).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] });
}

/** The personal joining link in an email, as its reader sees it. */
function joinPathIn(mail: ParsedMail): string {
  const found = /http:\/\/events\.test(\/join\/[A-Za-z0-9_-]+)/.exec(mail.text ?? '');
  if (!found) throw new Error(`no joining link in: ${mail.text}`);
  return found[1];
}

describe('the meeting address is private', () => {
  it('when an online and a hybrid event are published, then the meeting address is in no public page, API answer or calendar file', async () => {
    // Arrange
    t.clock.set('2026-03-02T12:00:00Z');
    const online = await buildEvent(t.db, { slug: 'webinar-private', mode: 'online', venue: '', address: '', region: 'online', meetingUrl: MEETING, startsAt: '2026-03-17T18:00:00Z' });
    const hybrid = await buildEvent(t.db, { slug: 'hybrid-private', mode: 'hybrid', capacity: 20, onlineCapacity: 50, meetingUrl: MEETING, startsAt: '2026-03-17T18:00:00Z' });
    // The passcode, dial-in and an opening time of 17:13 (5:13pm GMT) are as private as the address.
    await t.db('event_meetings').whereIn('event_id', [online.id, hybrid.id]).update({ passcode: 'PASSCODE9876', dial_in: 'DIALIN5555', opens_at: '2026-03-17T17:13:00.000Z' });
    const booked = await book(hybrid.slug, 'private-1', 'online');
    expect(booked.status).toBe(201);

    // Act
    const paths = [
      '/', '/?mode=online', '/events/past', '/calendar', '/calendar.ics',
      `/events/${online.slug}`, `/events/${hybrid.slug}`, `/events/${online.slug}/event.ics`, `/events/${hybrid.slug}/event.ics`,
      '/api/v1/events', `/api/v1/events/${online.slug}`, `/api/v1/events/${hybrid.slug}`,
    ];
    const bodies = await Promise.all(paths.map(async (path) => ({ path, res: await request(t.app).get(path) })));

    // Assert
    for (const { path, res } of bodies) {
      expect({ path, status: res.status }).toEqual({ path, status: 200 });
      const leaked = ['SECRETSECRET', 'PASSCODE9876', 'DIALIN5555', '5:13pm', '17:13', '171300'].filter((secret) => res.text.includes(secret));
      expect({ path, leaked }).toEqual({ path, leaked: [] });
    }
    expect(JSON.stringify(booked.body)).not.toContain('SECRETSECRET');
  });

  it('when a visitor filters for online events, then online and hybrid events are listed and in-person ones are not, upcoming and past', async () => {
    t.clock.set('2026-03-02T12:00:00Z');
    await buildEvent(t.db, { title: 'Filter: a webinar', mode: 'online', venue: '', meetingUrl: MEETING, startsAt: '2026-05-05T12:00:00Z' });
    await buildEvent(t.db, { title: 'Filter: a hybrid meeting', mode: 'hybrid', capacity: 5, onlineCapacity: 5, meetingUrl: MEETING, startsAt: '2026-05-06T17:00:00Z' });
    await buildEvent(t.db, { title: 'Filter: in the room', startsAt: '2026-05-07T17:00:00Z' });
    await buildEvent(t.db, { title: 'Filter: a past webinar', mode: 'online', venue: '', meetingUrl: MEETING, startsAt: '2026-02-05T12:00:00Z' });
    await buildEvent(t.db, { title: 'Filter: a past room meeting', startsAt: '2026-02-06T17:00:00Z' });
    const home = await request(t.app).get('/?mode=online');
    const past = await request(t.app).get('/events/past?mode=online');
    const titles = (html: string) => [...html.matchAll(/>(Filter: [^<]+)</g)].map((m) => m[1]);
    expect(titles(home.text)).toEqual(['Filter: a webinar', 'Filter: a hybrid meeting']);
    expect(titles(past.text)).toEqual(['Filter: a past webinar']);
    expect(home.text).toContain('<option value="online" selected>');
  });

  it('when the API lists a hybrid event, then it carries its mode and the places left for each mode', async () => {
    const hybrid = await buildEvent(t.db, { slug: 'hybrid-api', mode: 'hybrid', capacity: 3, onlineCapacity: 5, meetingUrl: MEETING });
    await book(hybrid.slug, 'api-1', 'in_person');
    await book(hybrid.slug, 'api-2', 'online');
    const res = await request(t.app).get(`/api/v1/events/${hybrid.slug}`);
    expect(res.body.event).toMatchObject({ mode: 'hybrid', capacity: 8, remaining: 6, places: { inPerson: { capacity: 3, remaining: 2 }, online: { capacity: 5, remaining: 4 } } });
    const inPerson = await request(t.app).get('/api/v1/events');
    expect(inPerson.body.events.find((e: { slug: string }) => e.slug === hybrid.slug)).toHaveProperty('mode', 'hybrid');
  });

  it('when a hybrid booking names no mode, or an in-person event is booked online, then 422 names the field and nothing is booked', async () => {
    const hybrid = await buildEvent(t.db, { mode: 'hybrid', capacity: 3, onlineCapacity: 5, meetingUrl: MEETING });
    const room = await buildEvent(t.db, {});
    const noMode = await book(hybrid.slug, 'nomode-1');
    const wrongMode = await book(room.slug, 'wrongmode-1', 'online');
    expect(noMode.status).toBe(422);
    expect(noMode.body.error.details).toEqual([{ path: 'items.0.attendee.mode', message: expect.stringContaining('in person or online') }]);
    expect(wrongMode.status).toBe(422);
    expect(wrongMode.body.error.details[0].path).toBe('items.0.attendee.mode');
    expect(await t.db('attendees').whereIn('email', ['attendeenomode-1@example.org', 'attendeewrongmode-1@example.org'])).toHaveLength(0);
  });
});

describe('the personal joining link', () => {
  it('when an online attendee opens their link before it opens, then a page says when (in the event zone); from then until the end it redirects to the current meeting address, and records that they joined', async () => {
    // Arrange: a hybrid meeting at 18:00 London (BST) on 14 April 2026; the link opens 30 minutes before.
    t.clock.set('2026-04-01T09:00:00Z');
    const event = await buildEvent(t.db, { slug: 'hybrid-join', title: 'Hybrid evening meeting', mode: 'hybrid', capacity: 10, onlineCapacity: 10, startsAt: '2026-04-14T17:00:00Z', endsAt: '2026-04-14T19:00:00Z', meetingUrl: MEETING });
    expect((await book(event.slug, 'join-1', 'online')).status).toBe(201);
    await t.sendMail();
    const [mail] = mailsTo('attendeejoin-1@example.org');
    const path = joinPathIn(mail);
    expect(mail.text).not.toContain('SECRETSECRET');

    // Act / Assert: before the opening time
    const early = await request(t.app).get(path);
    expect(early.status).toBe(200);
    expect(early.text).toContain('Tuesday 14 April 2026, 5:30pm BST');
    expect(early.text).not.toContain('SECRETSECRET');
    expect(early.headers['cache-control']).toContain('no-store');

    // From the opening time: 302 to the meeting, and joined_at recorded once.
    t.clock.set('2026-04-14T16:30:00Z');
    const open = await request(t.app).get(path);
    expect(open.status).toBe(302);
    expect(open.headers.location).toBe(MEETING);
    expect(open.headers['referrer-policy']).toBe('no-referrer');
    const seat = await t.db('attendees').where({ email: 'attendeejoin-1@example.org' }).first();
    expect(new Date(seat.joined_at).toISOString()).toBe('2026-04-14T16:30:00.000Z');

    // The organiser changes the address: the same link follows, without any email; joined_at keeps the first time.
    await t.db('event_meetings').where({ event_id: event.id }).update({ url: 'https://zoom.example.com/j/987654321' });
    t.clock.set('2026-04-14T17:10:00Z');
    const moved = await request(t.app).get(path);
    expect(moved.status).toBe(302);
    expect(moved.headers.location).toBe('https://zoom.example.com/j/987654321');
    const again = await t.db('attendees').where({ id: seat.id }).first();
    expect(new Date(again.joined_at).toISOString()).toBe('2026-04-14T16:30:00.000Z');

    // After the end: a page, not the meeting.
    t.clock.set('2026-04-14T19:00:00Z');
    const ended = await request(t.app).get(path);
    expect(ended.status).toBe(200);
    expect(ended.text).toContain('This meeting has ended');
  });

  it('when the link belongs to an in-person, waitlisted or cancelled place, then 403; an unknown token 404; both show the same page and nobody reaches the meeting', async () => {
    // Arrange
    t.clock.set('2026-04-01T09:00:00Z');
    const event = await buildEvent(t.db, { mode: 'hybrid', capacity: 5, onlineCapacity: 1, startsAt: '2026-04-14T17:00:00Z', endsAt: '2026-04-14T19:00:00Z', meetingUrl: MEETING });
    await book(event.slug, 'refuse-room', 'in_person');
    const first = await book(event.slug, 'refuse-online', 'online');
    await book(event.slug, 'refuse-waiting', 'online');
    await t.sendMail();
    const tokenOf = async (email: string) => {
      const seat = await t.db('attendees').where({ email }).first();
      const { joinToken } = await import('../../src/lib/links');
      return joinToken(t.config, seat.ical_uid, email);
    };
    const room = await tokenOf('attendeerefuse-room@example.org');
    const cancelled = await tokenOf('attendeerefuse-online@example.org');
    const waiting = await tokenOf('attendeerefuse-waiting@example.org');
    expect((await t.db('bookings').where({ buyer_email: 'attendeerefuse-waiting@example.org' }).first()).status).toBe('waitlisted');
    const cancel = await request(t.app).post(`/api/v1/bookings/${first.body.booking.reference}/cancel`).set('Authorization', `Bearer ${new URL(first.body.booking.manageUrl).searchParams.get('token')}`);
    expect(cancel.status).toBe(200);
    t.clock.set('2026-04-14T17:00:00Z');

    // Act
    const answers = await Promise.all([room, cancelled].map((token) => request(t.app).get(`/join/${token}`)));
    const unknown = await request(t.app).get('/join/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde');
    const promoted = await request(t.app).get(`/join/${waiting}`);

    // Assert
    expect(answers.map((a) => a.status)).toEqual([403, 403]);
    expect(unknown.status).toBe(404);
    const heading = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];
    expect(new Set([...answers, unknown].map((a) => heading(a.text)))).toEqual(new Set(['This joining link does not work']));
    for (const a of [...answers, unknown]) expect(a.text).not.toContain('SECRETSECRET');
    expect(promoted.status).toBe(302);
  });

  it('when a booking is still on the waitlist, then its link is refused with the same page', async () => {
    t.clock.set('2026-04-01T09:00:00Z');
    const event = await buildEvent(t.db, { mode: 'online', venue: '', capacity: 1, startsAt: '2026-04-14T17:00:00Z', endsAt: '2026-04-14T19:00:00Z', meetingUrl: MEETING });
    await book(event.slug, 'wl-1');
    await book(event.slug, 'wl-2');
    const seat = await t.db('attendees').where({ email: 'attendeewl-2@example.org' }).first();
    const { joinToken } = await import('../../src/lib/links');
    t.clock.set('2026-04-14T17:00:00Z');
    const res = await request(t.app).get(`/join/${joinToken(t.config, seat.ical_uid, seat.email)}`);
    expect(res.status).toBe(403);
    expect(res.text).toContain('This joining link does not work');
  });
});

describe('the online attendee’s invitation', () => {
  it('when an online attendee books a hybrid event, then ical.js reads their personal link as LOCATION and URL and in the description, and a display alarm an hour before; an in-person attendee gets the venue', async () => {
    // Arrange
    t.clock.set('2026-04-01T09:00:00Z');
    const event = await buildEvent(t.db, { mode: 'hybrid', capacity: 10, onlineCapacity: 10, startsAt: '2026-04-21T17:00:00Z', endsAt: '2026-04-21T19:00:00Z', meetingUrl: MEETING });

    // Act
    await book(event.slug, 'ics-online', 'online');
    await book(event.slug, 'ics-room', 'in_person');
    await t.sendMail();

    // Assert
    const onlineMail = mailsTo('attendeeics-online@example.org')[0];
    const link = `http://events.test${joinPathIn(onlineMail)}`;
    const invite = inviteOf(onlineMail);
    expect(invite.location).toBe(link);
    expect(invite.url).toBe(link);
    expect(invite.description).toContain(link);
    expect(invite.raw).not.toContain('SECRETSECRET');
    const vevent = new ICAL.Component(ICAL.parse(calendarPart(onlineMail))).getFirstSubcomponent('vevent')!;
    const alarm = vevent.getFirstSubcomponent('valarm')!;
    expect(alarm.getFirstPropertyValue('action')).toBe('DISPLAY');
    expect(String(alarm.getFirstPropertyValue('trigger'))).toBe('-PT1H');
    const roomInvite = inviteOf(mailsTo('attendeeics-room@example.org')[0]);
    expect(roomInvite.location).toBe('Royal Statistical Society, 12 Errol Street, London EC1Y 8LX');
    expect(roomInvite.raw).not.toContain('/join/');
  });
});
