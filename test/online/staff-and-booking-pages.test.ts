import type { Server } from 'node:http';
import request from 'supertest';
import { findEventBySlug } from '../../src/events/queries';
import { runFollowUps } from '../../src/online';
import { createStaff, csrfFrom, signIn, type SignedIn, startWithOrganiser, type OrganiserApp } from '../admin/helpers';
import type { TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';
import { inviteOf } from '../support/ical';
import { joinUrl, seatToken } from '../../src/lib/links';

/** The organiser's side of online and hybrid events, and the attendee's booking page. */
let t: TestApp;
let server: Server;
let organiser: SignedIn;
let app: OrganiserApp;

beforeAll(async () => {
  app = await startWithOrganiser();
  ({ t, server, organiser } = app);
});
afterAll(() => app.close());

const MEETING = 'https://teams.example.com/l/meetup-join/SECRETSECRET';

const newEventForm = (extra: Record<string, string> = {}) => ({
  _csrf: organiser.csrf, title: 'Hybrid evening meeting', kind: 'evening_meeting', region: 'london', timezone: 'Europe/London',
  startsAt: '2026-04-14T18:00', endsAt: '2026-04-14T20:00', venue: 'Royal Statistical Society', address: '12 Errol Street, London EC1Y 8LX',
  capacity: '60', refundFee: '0.00', ticket_name: 'Free registration', ticket_price: '0.00', ...extra,
});

async function book(slug: string, n: string, mode?: 'in_person' | 'online', extra: Record<string, string> = {}) {
  const p = { ...person(n), ...(mode ? { mode } : {}), ...extra };
  const res = await request(server).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] });
  expect(res.status).toBe(201);
  return res.body.booking as { reference: string; manageUrl: string };
}

describe('the event form', () => {
  it('when a hybrid event has no online places, a plain-http meeting address and links opening after the start, then 422 names each field at once and nothing is saved', async () => {
    const before = await t.db('events').count({ n: '*' }).first();
    const res = await organiser.agent.post('/admin/events').type('form').send(newEventForm({ mode: 'hybrid', meetingUrl: 'http://zoom.example.com/j/1', joinOpensAt: '2026-04-14T18:30' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter the number of online places, from 1 to 100000');
    expect(res.text).toContain('Enter the meeting address starting with https://');
    expect(res.text).toContain('The joining links must open before the start');
    for (const field of ['onlineCapacity', 'meetingUrl', 'joinOpensAt']) expect(res.text).toContain(`href="#field-${field}"`);
    expect(res.text).toContain('value="http://zoom.example.com/j/1"');
    expect(await t.db('events').count({ n: '*' }).first()).toEqual(before);
  });

  it('when an online event has no meeting address, then publishing it is refused (422, naming the field) and it stays a draft; with the address it publishes', async () => {
    const created = await organiser.agent.post('/admin/events').type('form').send(newEventForm({ title: 'Webinar without a link', mode: 'online', venue: '', address: '' }));
    expect(created.status).toBe(303);
    const slug = new URL(created.headers.location as string, 'http://x').pathname.split('/').pop()!;
    const refused = await organiser.agent.post(`/admin/events/${slug}/publish`).type('form').send({ _csrf: organiser.csrf });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Enter the meeting address (Edit event) before publishing an online or hybrid event');
    expect(refused.text).toContain('id="meeting-problem"');
    expect((await findEventBySlug(t.db, slug))!.status).toBe('draft');

    const event = (await findEventBySlug(t.db, slug))!;
    await t.db('event_meetings').where({ event_id: event.id }).update({ url: MEETING });
    expect((await organiser.agent.post(`/admin/events/${slug}/publish`).type('form').send({ _csrf: organiser.csrf })).status).toBe(303);
    expect((await findEventBySlug(t.db, slug))!.status).toBe('published');
  });

  it('when an online event without a meeting address is published from the "Publish and announce" step, then the event page says so beside "Taking part" (422), nothing is published and nothing announced', async () => {
    const created = await organiser.agent.post('/admin/events').type('form').send(newEventForm({ title: 'Webinar announced without a link', mode: 'online', venue: '', address: '' }));
    const slug = new URL(created.headers.location as string, 'http://x').pathname.split('/').pop()!;
    const step = await organiser.agent.get(`/admin/events/${slug}/publish`);
    const requestKey = /name="requestKey" value="([^"]+)"/.exec(step.text)?.[1] ?? 'abcdefghijklmnopqrstuvwx';

    const refused = await organiser.agent.post(`/admin/events/${slug}/publish-and-announce`).type('form').send({ _csrf: organiser.csrf, requestKey });

    expect(refused.status).toBe(422);
    expect(refused.text).toContain('<h1>Webinar announced without a link</h1>');
    expect(refused.text).toMatch(/<dt>Taking part<\/dt><dd[^>]*>[\s\S]*?Enter the meeting address[\s\S]*?<\/dd>/);
    expect(refused.text).toContain('href="#meeting-problem"');
    expect((await findEventBySlug(t.db, slug))!.status).toBe('draft');
    const event = (await findEventBySlug(t.db, slug))!;
    expect(Number((await t.db('announcements').where({ event_id: event.id }).count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('when the organiser creates a hybrid meeting with its link and later changes the link, then nothing is re-sent and the event keeps its calendar SEQUENCE', async () => {
    const created = await organiser.agent.post('/admin/events').type('form').send(newEventForm({ title: 'Hybrid with a link', mode: 'hybrid', onlineCapacity: '100', meetingUrl: MEETING, meetingPasscode: '4242', meetingDialIn: '020 7946 0000, ID 123 456' }));
    expect(created.status).toBe(303);
    const slug = new URL(created.headers.location as string, 'http://x').pathname.split('/').pop()!;
    await organiser.agent.post(`/admin/events/${slug}/publish`).type('form').send({ _csrf: organiser.csrf }).expect(303);
    await book(slug, 'link-change', 'online');
    const event = (await findEventBySlug(t.db, slug))!;
    expect(event).toMatchObject({ mode: 'hybrid', capacity: 60, onlineCapacity: 100 });
    const outboxBefore = (await t.db('outbox_emails').where({ event_id: event.id }).count({ n: '*' }).first())!.n;

    const edit = await organiser.agent.get(`/admin/events/${slug}/edit`);
    expect(edit.text).toContain(`value="${MEETING}"`);
    const form = Object.fromEntries([...edit.text.matchAll(/<input id="field-[^"]*" name="([^"]+)" type="(?:text|url|email|datetime-local)" value="([^"]*)"/g)].map((m) => [m[1], m[2].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')]));
    const saved = await organiser.agent.post(`/admin/events/${slug}`).type('form').send({ ...form, _csrf: organiser.csrf, kind: 'evening_meeting', region: 'london', mode: 'hybrid', meetingUrl: 'https://zoom.example.com/j/555' });
    expect(saved.status).toBe(303);
    expect((await t.db('event_meetings').where({ event_id: event.id }).first()).url).toBe('https://zoom.example.com/j/555');
    expect((await t.db('outbox_emails').where({ event_id: event.id }).count({ n: '*' }).first())!.n).toBe(outboxBefore);
    expect((await findEventBySlug(t.db, slug))!.sequence).toBe(event.sequence);
  });
});

describe('a hybrid event changed to in person only', () => {
  it('when online attendees are moved to the room, then each gets an updated invitation with the venue (no joining link), their link is refused, and a room too small for everyone is a 422 beside Capacity with nothing changed', async () => {
    const event = await buildEvent(t.db, { title: 'Hybrid turned in person', mode: 'hybrid', capacity: 2, onlineCapacity: 5, startsAt: '2026-04-28T17:00:00Z', endsAt: '2026-04-28T19:00:00Z', meetingUrl: MEETING });
    await book(event.slug, 'h2p-room', 'in_person');
    await book(event.slug, 'h2p-online-1', 'online');
    await book(event.slug, 'h2p-online-2', 'online');
    await t.sendMail();
    const online = await t.db('attendees').where({ email: 'attendeeh2p-online-1@example.org' }).first();
    const edit = await organiser.agent.get(`/admin/events/${event.slug}/edit`);
    const form = Object.fromEntries([...edit.text.matchAll(/<input id="field-[^"]*" name="([^"]+)" type="(?:text|url|email|datetime-local|number)" value="([^"]*)"/g)].map((m) => [m[1], m[2].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')]));
    const send = (changes: Record<string, string>) => organiser.agent.post(`/admin/events/${event.slug}`).type('form').send({ ...form, _csrf: organiser.csrf, kind: 'evening_meeting', region: 'london', ...changes });

    const tooSmall = await send({ mode: 'in_person', capacity: '2' });
    expect(tooSmall.status).toBe(422);
    expect(tooSmall.text).toContain('href="#field-capacity"');
    expect((await findEventBySlug(t.db, event.slug))!.mode).toBe('hybrid');

    const before = t.smtp.messages.length;
    const check = await send({ mode: 'in_person', capacity: '10' });
    expect(check.status).toBe(200);
    const emails = /name="confirmedEmails" value="(\d+)"/.exec(check.text)?.[1];
    expect(emails).toBe('3');
    const saved = await send({ mode: 'in_person', capacity: '10', confirmed: 'yes', confirmedEmails: emails! });
    expect(saved.status).toBe(303);
    await t.sendMail();

    expect((await t.db('attendees').where({ id: online.id }).first()).mode).toBe('in_person');
    const updated = t.smtp.messages.slice(before).find((m) => JSON.stringify(m.to).includes('attendeeh2p-online-1'))!;
    expect(updated).toBeDefined();
    const invite = inviteOf(updated);
    expect(invite.location).toContain('Royal Statistical Society');
    expect(invite.location).not.toContain('/join/');
    expect(updated.text).not.toContain('/join/');
    const was = t.clock.now().toISOString();
    t.clock.set('2026-04-28T16:45:00Z');
    const refused = await request(server).get(new URL(joinUrl(t.config, { icalUid: online.ical_uid, email: online.email })).pathname);
    t.clock.set(was);
    expect(refused.status).toBe(403);
  });
});

describe('a published event and its meeting address', () => {
  it('when the address of a published hybrid event is cleared, or a published in-person event is made online without one, then 422 beside the address with what was typed kept, and nothing changes', async () => {
    for (const [mode, extra] of [['hybrid', { mode: 'hybrid', meetingUrl: MEETING, onlineCapacity: 5 }], ['in_person', {}]] as const) {
      const event = await buildEvent(t.db, { title: `Published ${mode}`, capacity: 10, startsAt: '2026-05-12T17:00:00Z', endsAt: '2026-05-12T19:00:00Z', ...extra });
      const edit = await organiser.agent.get(`/admin/events/${event.slug}/edit`);
      const form = Object.fromEntries([...edit.text.matchAll(/<input id="field-[^"]*" name="([^"]+)" type="(?:text|url|email|datetime-local|number)" value="([^"]*)"/g)].map((m) => [m[1], m[2].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')]));
      const res = await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send({ ...form, _csrf: organiser.csrf, kind: 'evening_meeting', region: 'london', mode: mode === 'hybrid' ? 'hybrid' : 'online', onlineCapacity: '5', meetingUrl: '', meetingPasscode: 'kept-passcode' });

      expect([mode, res.status]).toEqual([mode, 422]);
      expect(res.text).toContain('id="field-meetingUrl-error"');
      expect(res.text).toContain('value="kept-passcode"');
      const after = (await findEventBySlug(t.db, event.slug))!;
      expect(after.mode).toBe(mode);
      expect((await t.db('event_meetings').where({ event_id: event.id }).first())?.url ?? null).toBe(mode === 'hybrid' ? MEETING : null);
    }
  });
});

describe('reminders and follow-ups page', () => {
  it('when an organiser opens it, then each rule says when it goes and previews the email without private keys; switching a rule off is saved; bad hours are a 422 beside the field', async () => {
    const event = await buildEvent(t.db, { title: 'Previewed meeting', startsAt: '2026-04-14T17:00:00Z' });
    await book(event.slug, 'preview-1', 'in_person');
    const page = await organiser.agent.get(`/admin/events/${event.slug}/follow-ups`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Goes on Tuesday 7 April 2026, 6:00pm, to everyone with a confirmed place booked by then.');
    expect(page.text).toContain('Can&#x27;t come? Please release your place for someone on the waitlist');
    expect(page.text).toContain('token&#x3D;…');
    expect(page.text).not.toMatch(/token(=|&#x3D;)[A-Za-z0-9_-]{20,}/);

    const off = await organiser.agent.post(`/admin/events/${event.slug}/follow-ups`).type('form').send({ _csrf: csrfFrom(page.text), reminderLateOn: 'on', reminderLateHours: '48', thankYou: 'on', followUpHours: '3' });
    expect(off.status).toBe(303);
    expect((await findEventBySlug(t.db, event.slug))!.followUps).toEqual({ reminderEarlyHours: null, reminderLateHours: 48, thankYou: true, missedYou: false, followUpHours: 3 });
    const bad = await organiser.agent.post(`/admin/events/${event.slug}/follow-ups`).type('form').send({ _csrf: csrfFrom(page.text), reminderEarlyOn: 'on', reminderEarlyHours: 'a week', followUpHours: '0' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter the hours before the start for the first reminder');
    expect(bad.text).toContain('Enter the hours after the end, from 1 to 2160');
    expect(bad.text).toContain('value="a week"');
  });
});

describe('slides and recordings', () => {
  it('when slides are uploaded for the public and a recording for attendees only, then the past event page lists the slides as a download, the thank-you links both and the missed-you only the slides', async () => {
    // Arrange: a meeting that has ended; one attendee came, one did not.
    t.clock.set('2026-03-01T12:00:00Z');
    const event = await buildEvent(t.db, { title: 'Meeting with slides', startsAt: '2026-03-10T18:00:00Z', endsAt: '2026-03-10T20:00:00Z' });
    await book(event.slug, 'came', 'in_person');
    await book(event.slug, 'missed', 'in_person');
    await t.db('attendees').where({ email: 'attendeecame@example.org' }).update({ checked_in_at: '2026-03-10T18:05:00.000Z' });
    t.clock.set('2026-03-10T20:30:00Z');
    // A fresh sign-in at the test clock's new time (the earlier session is idle past its limit by this clock).
    organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 32)]);

    // Act
    const page = await organiser.agent.get(`/admin/events/${event.slug}/materials`);
    expect(page.status).toBe(200);
    const upload = await organiser.agent.post(`/admin/events/${event.slug}/materials/upload`).field('_csrf', csrfFrom(page.text)).field('title', 'Waiting times slides').field('visibility', 'public').attach('file', pdf, { filename: 'waiting-times.pdf', contentType: 'application/pdf' });
    const link = await organiser.agent.post(`/admin/events/${event.slug}/materials`).type('form').send({ _csrf: csrfFrom(page.text), kind: 'recording', title: 'Meeting recording', url: 'https://video.example.org/watch/abc', visibility: 'attendees' });
    const exe = await organiser.agent.post(`/admin/events/${event.slug}/materials/upload`).field('_csrf', csrfFrom(page.text)).field('title', 'Not slides').field('visibility', 'public').attach('file', Buffer.from('MZ\x90\x00'), { filename: 'slides.pdf.exe', contentType: 'application/pdf' });
    const fake = await organiser.agent.post(`/admin/events/${event.slug}/materials/upload`).field('_csrf', csrfFrom(page.text)).field('title', 'Not a PDF').field('visibility', 'public').attach('file', Buffer.from('<html>hi</html>'), { filename: 'slides.pdf', contentType: 'application/pdf' });
    const big = await organiser.agent.post(`/admin/events/${event.slug}/materials/upload`).field('_csrf', csrfFrom(page.text)).field('title', 'Too big').field('visibility', 'public').attach('file', Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(25 * 1024 * 1024 + 10)]), { filename: 'big.pdf', contentType: 'application/pdf' });

    // Assert
    expect([upload.status, link.status]).toEqual([303, 303]);
    expect([exe.status, fake.status]).toEqual([422, 422]);
    expect(exe.text).toContain('Upload slides as PDF, PowerPoint (.pptx) or OpenDocument (.odp)');
    expect(big.status).toBe(413);
    expect(Number((await t.db('event_materials').where({ event_id: event.id }).count({ n: '*' }).first())!.n)).toBe(2);

    const publicPage = await request(server).get(`/events/${event.slug}`);
    const href = /href="(\/events\/[^"]+\/materials\/\d+)"/.exec(publicPage.text)![1];
    expect(publicPage.text).toContain('Slides: Waiting times slides');
    expect(publicPage.text).not.toContain('video.example.org');
    const download = await request(server).get(href).buffer(true);
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toMatch(/^attachment; filename="waiting-times\.pdf"/);
    expect(download.headers['content-type']).toBe('application/pdf');

    const before = t.smtp.messages.length;
    t.clock.set('2026-03-10T22:00:00Z');
    await runFollowUps(t.ctx);
    await t.sendMail();
    const mails = t.smtp.messages.slice(before);
    const thanks = mails.find((m) => JSON.stringify(m.to).includes('attendeecame') && m.subject?.startsWith('Thank'))!;
    const missed = mails.find((m) => JSON.stringify(m.to).includes('attendeemissed') && m.subject?.startsWith('Sorry'))!;
    expect(thanks.subject).toBe('Thank you for coming: Meeting with slides');
    expect(thanks.text).toContain('Recording: Meeting recording');
    expect(thanks.text).toContain('Slides: Waiting times slides');
    expect(missed.subject).toBe('Sorry we missed you: Meeting with slides');
    expect(missed.text).not.toContain('Meeting recording');
    expect(missed.text).toContain('Slides: Waiting times slides');

    // The attendee's own link to the recording leads there; the same link with another seat's id does not.
    const own = /(http:\/\/events\.test\/materials\/\d+\/\d+\/[A-Za-z0-9_-]+)/.exec(thanks.text!)![1].replace('http://events.test', '');
    expect((await request(server).get(own)).headers.location).toBe('https://video.example.org/watch/abc');
    const missedSeat = await t.db('attendees').where({ email: 'attendeemissed@example.org' }).first();
    const borrowed = own.replace(/\/materials\/(\d+)\/\d+\//, `/materials/$1/${missedSeat.id}/`);
    expect((await request(server).get(borrowed)).status).toBe(404);
  });
});

describe('the booking page of a hybrid event', () => {
  it('when an in-person attendee switches to online, then the place moves in one step, the invitation is updated with SEQUENCE+1 and their joining link; switching back is refused while the room is full', async () => {
    // Arrange: one place in the room.
    const event = await buildEvent(t.db, { mode: 'hybrid', capacity: 1, onlineCapacity: 5, startsAt: '2026-04-21T17:00:00Z', endsAt: '2026-04-21T19:00:00Z', meetingUrl: MEETING, sequence: 2 });
    const b = await book(event.slug, 'switcher', 'in_person');
    await t.sendMail();
    const token = new URL(b.manageUrl).searchParams.get('token')!;
    const manage = await request(server).get(`/bookings/${b.reference}?token=${token}`);
    expect(manage.text).toContain('Take part online instead');
    const seat = await t.db('attendees').where({ email: 'attendeeswitcher@example.org' }).first();

    // Act
    const before = t.smtp.messages.length;
    const switched = await request(server).post(`/bookings/${b.reference}/seats/${seat.id}/mode`).type('form').send({ token, mode: 'online' });
    await t.sendMail();
    await book(event.slug, 'takes-room', 'in_person');
    const back = await request(server).post(`/bookings/${b.reference}/seats/${seat.id}/mode`).type('form').send({ token, mode: 'in_person' });

    // Assert
    expect(switched.status).toBe(303);
    expect((await t.db('attendees').where({ id: seat.id }).first()).mode).toBe('online');
    expect((await findEventBySlug(t.db, event.slug))!.sequence).toBe(3);
    const updated = t.smtp.messages.slice(before).find((m) => JSON.stringify(m.to).includes('attendeeswitcher'))!;
    const invite = inviteOf(updated);
    expect(invite).toMatchObject({ method: 'REQUEST', sequence: 3, uid: seat.ical_uid });
    expect(invite.location).toMatch(/^http:\/\/events\.test\/join\/[A-Za-z0-9_-]{43}$/);
    expect(updated.text).toContain('You now take part online');
    expect(back.status).toBe(409);
    expect(back.text).toContain('There is no in person place free just now');
    expect((await t.db('attendees').where({ id: seat.id }).first()).mode).toBe('online');
    const page = await request(server).get(`/bookings/${b.reference}?token=${token}`);
    expect(page.text).toContain('Your personal joining link');
    // The buyer's own add-to-calendar links carry their joining link as the place, as their invitation does.
    expect(page.text).toContain('location&#x3D;http%3A%2F%2Fevents.test%2Fjoin%2F');
    expect(page.text).not.toContain('SECRETSECRET');
  });
});

describe("a colleague's own seat page at a hybrid event", () => {
  async function bookTwo(slug: string, n: string) {
    const buyer = person(`${n}-buyer`);
    const colleague = person(`${n}-colleague`);
    const res = await request(server).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: buyer.name, email: buyer.email }, items: [{ attendee: { ...buyer, mode: 'online' } }, { attendee: { ...colleague, mode: 'in_person' } }] });
    expect(res.status).toBe(201);
    const seat = await t.db('attendees').where({ email: colleague.email }).first();
    return { reference: res.body.booking.reference as string, buyerToken: new URL(res.body.booking.manageUrl).searchParams.get('token')!, seat, seatToken: seatToken(t.config, seat.ical_uid, seat.email) };
  }

  it('when a colleague opens their own place, then it shows the switch button; switching online brings them back to their page with their own joining link, not the buyer\'s; a full room is refused on their page', async () => {
    const event = await buildEvent(t.db, { mode: 'hybrid', capacity: 1, onlineCapacity: 5, startsAt: '2026-04-28T17:00:00Z', endsAt: '2026-04-28T19:00:00Z', meetingUrl: MEETING });
    const { reference, buyerToken, seat, seatToken: own } = await bookTwo(event.slug, 'seat-switch');
    const seatPath = `/bookings/${reference}/seats/${seat.id}`;

    const before = await request(server).get(`${seatPath}?token=${own}`);
    expect(before.status).toBe(200);
    expect(before.text).toContain('In person');
    expect(before.text).toContain('Take part online instead');
    expect(before.text).not.toContain('/join/');

    const switched = await request(server).post(`${seatPath}/mode`).type('form').send({ token: own, mode: 'online' });
    expect(switched.status).toBe(303);
    expect(switched.headers.location).toBe(`${seatPath}?token=${own}&mode_changed=1`);
    expect((await t.db('attendees').where({ id: seat.id }).first()).mode).toBe('online');
    const after = await request(server).get(switched.headers.location as string);
    expect(after.text).toContain('Your personal joining link');
    expect(after.text).toContain(joinUrl(t.config, { icalUid: seat.ical_uid, email: seat.email }));
    const buyerSeat = await t.db('attendees').where({ booking_id: seat.booking_id }).whereNot({ id: seat.id }).first();
    expect(after.text).not.toContain(joinUrl(t.config, { icalUid: buyerSeat.ical_uid, email: buyerSeat.email }));
    expect(after.text).not.toContain('SECRETSECRET');
    // The buyer looking at the colleague's place sees the switch, but not the colleague's personal link.
    const asBuyer = await request(server).get(`${seatPath}?token=${buyerToken}`);
    expect(asBuyer.text).toContain('Come in person instead');
    expect(asBuyer.text).not.toContain(joinUrl(t.config, { icalUid: seat.ical_uid, email: seat.email }));

    await book(event.slug, 'seat-switch-room', 'in_person');
    const back = await request(server).post(`${seatPath}/mode`).type('form').send({ token: own, mode: 'in_person' });
    expect(back.status).toBe(409);
    expect(back.text).toContain('There is no in person place free just now');
    expect(back.text).toContain('Your place');
    expect((await t.db('attendees').where({ id: seat.id }).first()).mode).toBe('online');
  });
});

describe('lists for the room', () => {
  it('when a hybrid event has people in the room and online, then the sign-in sheet and the dietary summary count the room only, and the attendee list and downloads show each mode', async () => {
    const event = await buildEvent(t.db, { mode: 'hybrid', capacity: 10, onlineCapacity: 10, meetingUrl: MEETING });
    await book(event.slug, 'room-veg', 'in_person', { dietary: 'Vegetarian' });
    await book(event.slug, 'web-veg', 'online', { dietary: 'Vegetarian' });
    const sheet = await organiser.agent.get(`/admin/events/${event.slug}/sign-in-sheet`);
    expect(sheet.text).toContain('room-veg');
    expect(sheet.text).not.toContain('web-veg');
    const list = await organiser.agent.get(`/admin/events/${event.slug}/attendees`);
    expect(list.text).toContain('<strong>1</strong> × vegetarian');
    const csv = await organiser.agent.get(`/admin/events/${event.slug}/attendees.csv`);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toContain('Taking part,Joined online at');
    expect(lines.find((l) => l.includes('web-veg'))).toContain(',Online,');
    expect(lines.find((l) => l.includes('room-veg'))).toContain(',In person,');
  });
});

describe('the registration form of an online event', () => {
  it('when the event is online only, then the form asks no dietary question and its accessibility hint speaks of taking part online; an event with a room still asks both', async () => {
    const online = await buildEvent(t.db, { mode: 'online', meetingUrl: 'https://zoom.example.com/j/987' });
    const room = await buildEvent(t.db);

    const onlineForm = (await request(server).get(`/events/${online.slug}`).expect(200)).text;
    const roomForm = (await request(server).get(`/events/${room.slug}`).expect(200)).text;

    expect(onlineForm).not.toContain('Dietary requirements');
    expect(onlineForm).toContain('Tell us anything that would help you take part online, for example live captions.');
    expect(onlineForm).not.toContain('we pass it to the venue');
    expect(roomForm).toContain('Dietary requirements');
    expect(roomForm).toContain('we pass it to the venue');
  });
});
