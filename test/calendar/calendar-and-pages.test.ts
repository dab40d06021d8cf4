import type { Server } from 'node:http';
import request from 'supertest';
import { eventFormValues } from '../../src/admin/events/present';
import { findEventBySlug } from '../../src/events/queries';
import { editFormBody, startWithOrganiser, type OrganiserApp, type SignedIn } from '../admin/helpers';
import type { TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';
import { cardSlugs, textOf as pageText } from '../support/html';
import { inviteOf, parseCalendar } from '../support/ical';

/**
 * Issue 15, "Calendar and pages", over HTTP: what the pages say and link to, and what the calendar files say, read back
 * with an independent iCalendar parser. The clock is TEST_NOW (Monday 2 March 2026, noon); PUBLIC_URL is
 * http://events.test.
 */

let t: TestApp;
let server: Server;
let organiser: SignedIn;
let app: OrganiserApp;

beforeAll(async () => {
  app = await startWithOrganiser();
  ({ t, server, organiser } = app);
});
afterAll(() => app.close());

/** A booking made through the API: its reference, manage link and token. */
async function book(slug: string, buyer: { name: string; email: string }, attendees: Array<{ name: string; email: string }> = [buyer]) {
  const res = await request(server).post(`/api/v1/events/${slug}/bookings`).send({ buyer, items: attendees.map((attendee) => ({ attendee })) }).expect(201);
  const manageUrl = res.body.booking.manageUrl as string;
  const manage = new URL(manageUrl);
  return { reference: res.body.booking.reference as string, manageUrl, path: `${manage.pathname}${manage.search}` };
}

/** What a person reads: the visible text, without the space markup leaves before a comma (`</time>, `). */
const textOf = (html: string) => pageText(html).replace(/ ,/g, ',');

/** Every href on a page, decoded. */
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '='));

describe('add-to-calendar links on the booking page', () => {
  it('when a buyer opens their booking, then it offers Google and Outlook links whose description carries the reference and their manage link, and their .ics says the same', async () => {
    const event = await buildEvent(t.db, { title: 'Linking hospital records' });
    const ada = { name: 'Ada Lovelace', email: 'ada@example.org' };
    const booking = await book(event.slug, ada);

    const page = await request(server).get(booking.path).expect(200);
    const links = hrefs(page.text);
    const google = new URL(links.find((l) => l.startsWith('https://calendar.google.com/'))!);
    const outlook = new URL(links.find((l) => l.startsWith('https://outlook.live.com/'))!);
    const office = new URL(links.find((l) => l.startsWith('https://outlook.office.com/'))!);

    expect(google.searchParams.get('text')).toBe('Linking hospital records');
    expect(google.searchParams.get('dates')).toBe('20260317T180000Z/20260317T200000Z');
    expect(google.searchParams.get('details')).toContain(`Booking reference: ${booking.reference}`);
    expect(google.searchParams.get('details')).toContain(`Manage or cancel your booking: ${booking.manageUrl}`);
    expect(outlook.searchParams.get('subject')).toBe('Linking hospital records');
    expect(outlook.searchParams.get('startdt')).toBe('2026-03-17T18:00:00Z');
    expect(outlook.searchParams.get('enddt')).toBe('2026-03-17T20:00:00Z');
    expect(outlook.searchParams.get('body')).toContain(`Booking reference: ${booking.reference}`);
    expect(office.searchParams.get('body')).toBe(outlook.searchParams.get('body'));
    expect(textOf(page.text)).toContain('Add to your calendar: Google Calendar Outlook.com Outlook for work (Microsoft 365) Apple Calendar and others (.ics file)');

    const icsPath = links.find((l) => l.includes('/invite.ics'))!;
    const [copy] = parseCalendar((await request(server).get(icsPath).expect(200)).text);
    expect(copy.description).toContain(`Booking reference: ${booking.reference}`);
    expect(copy.description).toContain(`Manage or cancel your booking: ${booking.manageUrl}`);
  });

  it('when a buyer books for a colleague too, then the colleague\'s calendar entry carries the reference and the colleague\'s own place link, never the buyer\'s manage link', async () => {
    const event = await buildEvent(t.db, { title: 'Two of us' });
    const ada = { name: 'Ada Lovelace', email: 'ada2@example.org' };
    const grace = { name: 'Grace Hopper', email: 'grace2@example.org' };
    const booking = await book(event.slug, ada, [ada, grace]);

    await t.sendMail();
    const inviteTo = (email: string) => inviteOf(t.smtp.messages.find((m) => JSON.stringify(m.to).includes(email) && m.subject?.startsWith("You're booked"))!);
    expect(inviteTo(ada.email).description).toContain(`Booking reference: ${booking.reference}`);
    expect(inviteTo(ada.email).description).toContain(booking.manageUrl);
    const buyerToken = new URL(booking.manageUrl).searchParams.get('token')!;
    const graceSeat = await t.db('attendees').where({ email: grace.email }).first();
    expect(inviteTo(grace.email).description).toContain(`Booking reference: ${booking.reference}`);
    expect(inviteTo(grace.email).description).toContain(`Change your details or cancel your place: http://events.test/bookings/${booking.reference}/seats/${graceSeat.id}?token=`);
    expect(inviteTo(grace.email).description).not.toContain(buyerToken);

    const graceIcs = `/bookings/${booking.reference}/attendees/${graceSeat.id}/invite.ics?token=${new URL(booking.manageUrl).searchParams.get('token')}`;
    const [copy] = parseCalendar((await request(server).get(graceIcs).expect(200)).text);
    expect(copy.attendees).toEqual([]);
    expect(copy.description).toContain(`Booking reference: ${booking.reference}`);
    expect(copy.description).toContain(`/seats/${graceSeat.id}?token=`);
    expect(copy.description).not.toContain(buyerToken);
  });
});

describe('cancelled and past event pages', () => {
  it.each([
    ['cancelled', { status: 'cancelled' as const, startsAt: '2026-03-24T18:00:00Z' }],
    ['past', { startsAt: '2026-02-10T18:00:00Z' }],
  ])('when an event is %s, then its page offers no calendar download and calls no price "Available"', async (_label, overrides) => {
    const event = await buildEvent(t.db, { ...overrides, tickets: [{ name: 'Member', price: 6000 }, { name: 'Non-member', price: 9500 }] });

    const page = await request(server).get(`/events/${event.slug}`).expect(200);

    expect(page.text).not.toContain('event.ics');
    expect(page.text).not.toContain('calendar.google.com');
    expect(page.text).not.toContain('outlook.');
    expect(textOf(page.text)).not.toContain('Available');
    expect(textOf(page.text)).toContain('Non-member £95.00');
  });

  it('when an event is open for booking, then its page offers the .ics, Google and Outlook, and says which prices are available', async () => {
    const event = await buildEvent(t.db, { tickets: [{ name: 'Member', price: 6000 }] });
    const page = await request(server).get(`/events/${event.slug}`).expect(200);
    expect(hrefs(page.text)).toEqual(expect.arrayContaining([`/events/${event.slug}/event.ics`, expect.stringMatching(/^https:\/\/calendar\.google\.com\//), expect.stringMatching(/^https:\/\/outlook\.live\.com\//)]));
    expect(textOf(page.text)).toContain('Member £60.00 Available');
  });

  it('when an event is full, then its prices say it takes a waitlist, not "Available"', async () => {
    const event = await buildEvent(t.db, { capacity: 1 });
    await book(event.slug, person('full-1'));
    const page = await request(server).get(`/events/${event.slug}`).expect(200);
    expect(textOf(page.text)).toContain('Free registration Free Full — waitlist');
    expect(textOf(page.text)).not.toContain('Available');
  });
});

describe('dates and zones on the list, the cards and the event page', () => {
  it('when a conference runs over two days, then the list, its card and its page read "Wed 10 – Thu 11 February 2027" with the zone', async () => {
    const event = await buildEvent(t.db, { kind: 'conference', title: 'Two-day conference', startsAt: '2027-02-10T09:00:00Z', endsAt: '2027-02-11T17:00:00Z' });

    const list = await request(server).get('/?kind=conference').expect(200);
    const page = await request(server).get(`/events/${event.slug}`).expect(200);

    expect(cardSlugs(list.text)).toContain(event.slug);
    expect(textOf(list.text)).toContain('Two-day conference Conference London Wed 10 – Thu 11 February 2027, 9:00am – 5:00pm GMT');
    expect(textOf(page.text)).toContain('When Wed 10 – Thu 11 February 2027, 9:00am – 5:00pm GMT (UK time)');
  });

  it('when an evening meeting is in British Summer Time, then its card gives the zone as its page does', async () => {
    const event = await buildEvent(t.db, { title: 'Summer evening', startsAt: '2026-06-16T17:00:00Z' });
    const list = await request(server).get('/').expect(200);
    const card = textOf(list.text.slice(list.text.indexOf(`<h3><a href="/events/${event.slug}">`)));
    expect(card).toMatch(/^Summer evening .*Tuesday 16 June 2026, 6:00pm – 8:00pm BST/);
  });

  it('when an event crosses the October clock change, then each end is labelled with its own zone on the card, the page and the booking email', async () => {
    const event = await buildEvent(t.db, { kind: 'conference', title: 'Across the clock change', startsAt: '2026-10-24T16:00:00Z', endsAt: '2026-10-25T13:00:00Z' });

    const list = await request(server).get('/').expect(200);
    const page = await request(server).get(`/events/${event.slug}`).expect(200);
    await book(event.slug, person('clock'));
    await t.sendMail();
    const mail = t.smtp.messages.find((m) => m.subject === "You're booked: Across the clock change")!;

    const expected = 'Sat 24 – Sun 25 October 2026, 5:00pm BST – 1:00pm GMT';
    expect(textOf(list.text)).toContain(expected);
    expect(textOf(page.text)).toContain(expected);
    expect(mail.text).toContain(expected);
  });
});

describe('the public calendar feed', () => {
  it.each([
    ['title', { title: 'A better title' }],
    ['description', { description: 'A new description of the evening.' }],
    ['summary', { summary: 'A new summary.' }],
    ['venue', { venue: 'Wellcome Collection' }],
  ])('when the organiser changes the %s, then the feed\'s SEQUENCE and LAST-MODIFIED change, and a booking\'s own copy carries the same SEQUENCE', async (_label, change) => {
    const event = await buildEvent(t.db, { title: 'Feed revisions', sequence: 3 });
    const booking = await book(event.slug, person(`feed-${_label}`));
    const feedEntry = async () => parseCalendar((await request(server).get('/calendar.ics').expect(200)).text).find((e) => e.uid.startsWith(`event-${event.id}@`))!;
    const before = await feedEntry();

    const values = eventFormValues((await findEventBySlug(t.db, event.slug))!);
    // A change of place emails the one person booked, so the organiser confirms it first (issue 16); the others save at once.
    const confirmation: Record<string, string> = _label === 'venue' ? { confirmed: 'yes', confirmedEmails: '1' } : {};
    await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(values, organiser.csrf, { ...change, ...confirmation })).expect(303);
    const after = await feedEntry();

    expect(before.sequence).toBe(3);
    expect(after.sequence).toBe(4);
    expect(before.lastModified?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(after.lastModified?.toISOString()).toBe('2026-03-02T12:00:00.000Z');
    const page = await request(server).get(booking.path).expect(200);
    const [copy] = parseCalendar((await request(server).get(hrefs(page.text).find((l) => l.includes('/invite.ics'))!).expect(200)).text);
    expect(copy.sequence).toBe(4);
  });

  it('when the organiser saves the event unchanged, then the SEQUENCE stays', async () => {
    const event = await buildEvent(t.db, { title: 'Saved as it was', sequence: 2 });
    const values = eventFormValues((await findEventBySlug(t.db, event.slug))!);
    await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(values, organiser.csrf)).expect(303);
    expect((await findEventBySlug(t.db, event.slug))!.sequence).toBe(2);
  });
});

describe('subscribing to the calendar', () => {
  it('when a visitor follows the header\'s "Calendar feed", then the page gives a webcal link, the feed\'s address, and Google and Outlook steps', async () => {
    const home = await request(server).get('/').expect(200);
    expect(home.text).toContain('<a href="/calendar">Calendar feed</a>');

    const page = await request(server).get('/calendar').expect(200);
    const text = textOf(page.text);

    expect(hrefs(page.text)).toContain('webcal://events.test/calendar.ics');
    expect(hrefs(page.text)).toContain(`https://calendar.google.com/calendar/render?cid=${encodeURIComponent('webcal://events.test/calendar.ics')}`);
    expect(text).toContain('http://events.test/calendar.ics');
    expect(text).toContain('choose From URL');
    expect(text).toContain('Subscribe from web');
    expect((await request(server).get('/calendar.ics').expect(200)).headers['content-type']).toMatch(/^text\/calendar/);
  });
});

describe('forms: focus after a failure, a redirect after success', () => {
  it('when the registration form is sent empty, then the error summary takes the focus on load; when it is sent right, then the answer is a redirect', async () => {
    const event = await buildEvent(t.db);
    const failed = await request(server).post(`/events/${event.slug}/register`).type('form').send({ name: '', email: '' }).expect(422);
    expect(failed.text).toMatch(/<div class="error-summary"[^>]*tabindex="-1" autofocus>/);
    // No fragment in the form's address: a page opened at a #fragment skips autofocus.
    expect(failed.text).toContain(`<form method="post" action="/events/${event.slug}/register" novalidate>`);

    const done = await request(server).post(`/events/${event.slug}/register`).type('form').send(person('focus')).expect(303);
    expect(done.headers.location).toMatch(/^\/bookings\/HSUG-/);
  });
});
