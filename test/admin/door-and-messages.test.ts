import type { Server } from 'node:http';
import request from 'supertest';
import { buildEvent, person } from '../support/factories';
import type { TestApp } from '../support/app';
import { inviteOf } from '../support/ical';
import { startWithOrganiser, type OrganiserApp, type SignedIn } from './helpers';

let t: TestApp;
let server: Server;
let organiser: SignedIn;

let app: OrganiserApp;
/** 6 pm on the test clock's day (TEST_NOW is 2026-03-02 12:00 UTC): the door is open. */
const ON_THE_DAY = '2026-03-02T18:00:00.000Z';

beforeAll(async () => {
  app = await startWithOrganiser();
  ({ t, server, organiser } = app);
});
afterAll(() => app.close());

async function book(slug: string, tag: string, extra: Record<string, string> = {}) {
  const p = person(tag, extra);
  return request(server).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] }).expect(201);
}

describe('check-in at the door', () => {
  it('when an organiser checks someone in without JavaScript, then the form redirects back to an empty search saying who was checked in, and the counts and the row show it; undo clears it', async () => {
    const event = await buildEvent(t.db, { capacity: 10, startsAt: ON_THE_DAY });
    await book(event.slug, 'door-a', { name: 'Grace Hopper' });
    await book(event.slug, 'door-b', { name: 'Alan Turing' });
    const page = await organiser.agent.get(`/admin/events/${event.slug}/check-in?q=grace`).expect(200);
    expect(page.text).toContain('Grace Hopper');
    expect(page.text).not.toContain('Alan Turing');
    expect(page.text).toMatch(/<strong data-checked-in>0<\/strong> checked in of <strong data-expected>2<\/strong>/);
    expect(page.text).toContain('<script src="/static/check-in.js" defer></script>');
    const attendee = await t.db('attendees').where({ name: 'Grace Hopper' }).first();

    const res = await organiser.agent.post(`/admin/events/${event.slug}/check-in/${attendee.id}`).type('form').send({ _csrf: organiser.csrf, q: 'grace' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/events/${event.slug}/check-in?done=${attendee.id}&action=in`);
    const after = await organiser.agent.get(res.headers.location);
    expect(after.text).toContain('Grace Hopper checked in at 12:00.');
    expect(after.text).toMatch(/<input id="door-q" name="q" type="search" value=""[^>]* autofocus>/);
    expect(after.text).toMatch(/<strong data-checked-in>1<\/strong> checked in of <strong data-expected>2<\/strong>/);
    expect(after.text).toContain('In at 12:00');

    const undo = await organiser.agent.post(`/admin/events/${event.slug}/check-in/${attendee.id}/undo`).set('Accept', 'application/json').set('X-CSRF-Token', organiser.csrf).type('form').send({});
    expect(undo.body).toEqual({ checkedInAt: null, counts: { checkedIn: 0, expected: 2 }, name: 'Grace Hopper' });
    const actions = (await t.db('audit_log').where({ target_type: 'attendee', target_id: String(attendee.id) }).select('action')).map((r) => r.action);
    expect(actions).toEqual(['checked_in', 'check_in_undone']);
  });

  it('when the script checks someone in twice, then the first arrival time stays and JSON answers with live counts', async () => {
    const event = await buildEvent(t.db, { capacity: 10, startsAt: ON_THE_DAY });
    await book(event.slug, 'door-c');
    const attendee = await t.db('attendees').where({ event_id: event.id }).first();
    const first = await organiser.agent.post(`/admin/events/${event.slug}/check-in/${attendee.id}`).set('Accept', 'application/json').set('X-CSRF-Token', organiser.csrf).type('form').send({});
    expect(first.body).toEqual({ checkedInAt: '12:00', counts: { checkedIn: 1, expected: 1 }, name: 'Attendee door-c' });
    t.clock.advance(60_000);
    const second = await organiser.agent.post(`/admin/events/${event.slug}/check-in/${attendee.id}`).set('Accept', 'application/json').set('X-CSRF-Token', organiser.csrf).type('form').send({});
    t.clock.advance(-60_000);
    expect(second.body.checkedInAt).toBe('12:00');
    const search = await organiser.agent.get(`/admin/events/${event.slug}/check-in.json?q=door-c`).expect(200);
    expect(search.body.people).toEqual([expect.objectContaining({ name: 'Attendee door-c', checkedInAt: '12:00' })]);
  });

  it('when someone on the waitlist is checked in, then 409: they have no place', async () => {
    const event = await buildEvent(t.db, { capacity: 1, startsAt: ON_THE_DAY });
    await book(event.slug, 'door-d');
    await book(event.slug, 'door-e');
    const waiting = await t.db('attendees').where({ email: person('door-e').email }).first();
    const res = await organiser.agent.post(`/admin/events/${event.slug}/check-in/${waiting.id}`).type('form').send({ _csrf: organiser.csrf });
    expect(res.status).toBe(409);
    expect(res.text).toContain('does not hold a confirmed place');
  });

  it('when the sign-in sheet is printed, then confirmed people are listed by surname', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    for (const [tag, name] of [['s1', 'Zara Abbott'], ['s2', 'Adam Young'], ['s3', 'Mary Smith']]) await book(event.slug, tag, { name });
    const res = await organiser.agent.get(`/admin/events/${event.slug}/sign-in-sheet`).expect(200);
    // Printed surname first: "Abbott, Zara".
    const order = ['Abbott</strong>, Zara', 'Smith</strong>, Mary', 'Young</strong>, Adam'].map((n) => res.text.indexOf(n));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(res.text).toContain('3 expected');
  });
});

describe('the waitlist and emailing people', () => {
  it('when an organiser offers a place to the second person waiting after raising capacity, then that booking is confirmed and they get an invitation', async () => {
    const event = await buildEvent(t.db, { capacity: 1 });
    await book(event.slug, 'w1');
    await book(event.slug, 'w2');
    const third = await book(event.slug, 'w3');
    const full = await organiser.agent.post(`/admin/events/${event.slug}/waitlist/${third.body.booking.reference}/offer`).type('form').send({ _csrf: organiser.csrf });
    expect(full.status).toBe(409);
    expect(full.text).toContain('Raise the capacity first');

    await t.db('events').where({ id: event.id }).update({ capacity: 2 });
    await t.sendMail();
    const before = t.smtp.messages.length;
    const res = await organiser.agent.post(`/admin/events/${event.slug}/waitlist/${third.body.booking.reference}/offer`).type('form').send({ _csrf: organiser.csrf });
    expect(res.status).toBe(303);
    expect((await t.db('bookings').where({ reference: third.body.booking.reference }).first()).status).toBe('confirmed');
    await t.sendMail();
    const [mail] = t.smtp.messages.slice(before);
    expect(mail.subject).toContain('A place has come up');
    expect(inviteOf(mail).method).toBe('REQUEST');
    const list = await organiser.agent.get(res.headers.location).expect(200);
    expect(list.text).toContain('Place offered: the booking is confirmed');
  });

  it('when an organiser emails the attendees, then each person gets one email (a person booked twice gets one), the message is escaped in HTML, and the event page lists it with its count', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    await book(event.slug, 'm1');
    await book(event.slug, 'm2');
    // A second booking with the same attendee email under another buyer.
    await t.db('attendees').insert({ ...(await t.db('attendees').where({ email: person('m1').email }).first()), id: undefined, ical_uid: 'dup@test', join_token_hash: null });
    await t.sendMail();
    const before = t.smtp.messages.length;

    const bad = await organiser.agent.post(`/admin/events/${event.slug}/messages`).type('form').send({ _csrf: organiser.csrf, audience: 'attendees', subject: '', body: '' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter a subject');

    // An event saved with a blank contact: the email names the organisation's (issue 15, the contact line on every email).
    await t.db('events').where({ id: event.id }).update({ contact_email: '' });
    const preview = await organiser.agent
      .post(`/admin/events/${event.slug}/messages/preview`)
      .type('form')
      .send({ _csrf: organiser.csrf, audience: 'attendees', subject: 'Room change', body: 'We are in room <b>2</b> now.\nSee you there.' })
      .expect(200);
    const sendKey = /name="sendKey" value="([^"]+)"/.exec(preview.text)?.[1];
    const res = await organiser.agent
      .post(`/admin/events/${event.slug}/messages`)
      .type('form')
      .send({ _csrf: organiser.csrf, audience: 'attendees', subject: 'Room change', body: 'We are in room <b>2</b> now.\nSee you there.', sendKey, expected: '2' });
    expect(res.status).toBe(303);
    await t.sendMail();
    const mails = t.smtp.messages.slice(before);
    expect(mails).toHaveLength(2);
    expect(mails[0].subject).toMatch(/^Test meeting \d+: Room change$/);
    expect(mails[0].text).toContain('We are in room <b>2</b> now.');
    expect(mails[0].html).toContain('We are in room &lt;b&gt;2&lt;/b&gt; now.');
    expect(mails[0].text).toContain(`Questions? Write to ${t.config.orgContactEmail}.`);
    expect(mails[0].text).toContain('Map:   https://www.google.com/maps/search/?api=1&query=');
    const page = await organiser.agent.get(`/admin/events/${event.slug}`).expect(200);
    expect(page.text).toMatch(/<th scope="row">Room change<\/th><td>Attendees<\/td><td class="num">2<\/td>/);
  });
});
