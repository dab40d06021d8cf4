import type { Server } from 'node:http';
import request from 'supertest';
import { eventFormValues } from '../../src/admin/events/present';
import { findEventBySlug } from '../../src/events/queries';
import { buildEvent, freeBookingBody, person } from '../support/factories';
import type { TestApp } from '../support/app';
import { inviteOf } from '../support/ical';
import { editFormBody, startWithOrganiser, type OrganiserApp, type SignedIn } from './helpers';

let t: TestApp;
let server: Server;
let organiser: SignedIn;

let app: OrganiserApp;

beforeAll(async () => {
  app = await startWithOrganiser();
  ({ t, server, organiser } = app);
});
afterAll(() => app.close());

const newEventForm = (csrf: string, extra: Record<string, string> = {}) => ({
  _csrf: csrf,
  title: 'Health data linkage in practice',
  kind: 'seminar',
  region: 'london',
  summary: 'A half-day seminar.',
  timezone: 'Europe/London',
  startsAt: '2026-04-14T18:00',
  endsAt: '2026-04-14T20:00',
  venue: 'Royal Statistical Society',
  address: '12 Errol Street, London EC1Y 8LX',
  capacity: '60',
  refundFee: '10.00',
  contactEmail: 'events@hsug.test',
  allowsInvoice: 'on',
  ticket_name: 'Member',
  ticket_price: '95.00',
  ...extra,
});

async function bookThree(slug: string, tag: string) {
  for (let i = 1; i <= 3; i++) await request(server).post(`/api/v1/events/${slug}/bookings`).send(freeBookingBody(`${tag}-${i}`)).expect(201);
  await t.sendMail();
}

describe('creating and publishing events', () => {
  it('when an organiser sets a cut-off for changing places, then it is read in the event\'s zone, shown again in the form, and one after the start is refused beside its field', async () => {
    const res = await organiser.agent.post('/admin/events').type('form').send(newEventForm(organiser.csrf, { title: 'Seats cut-off seminar', seatChangesUntil: '2026-04-13T12:00' }));
    expect(res.status).toBe(303);
    const event = (await findEventBySlug(t.db, 'seats-cut-off-seminar'))!;
    expect(event.seatChangesUntil?.toISOString()).toBe('2026-04-13T11:00:00.000Z');
    expect(eventFormValues(event).seatChangesUntil).toBe('2026-04-13T12:00');

    const late = await organiser.agent.post('/admin/events').type('form').send(newEventForm(organiser.csrf, { title: 'Late cut-off seminar', seatChangesUntil: '2026-04-15T12:00' }));
    expect(late.status).toBe(422);
    expect(late.text).toMatch(/id="field-seatChangesUntil-error">.*Attendee changes must close before the start/);
    expect(late.text).toContain('value="2026-04-15T12:00"');
  });

  it('when an organiser creates an event, then it is a draft with a slug from the title, times read in its zone, and price parsed to pence', async () => {
    const res = await organiser.agent.post('/admin/events').type('form').send(newEventForm(organiser.csrf));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/events/health-data-linkage-in-practice?notice=created');
    const event = (await findEventBySlug(t.db, 'health-data-linkage-in-practice'))!;
    expect(event).toMatchObject({ status: 'draft', capacity: 60, refundFee: 1000, allowsInvoice: true, timezone: 'Europe/London' });
    // 18:00 on 14 April in London is British Summer Time, 17:00 UTC.
    expect(event.startsAt.toISOString()).toBe('2026-04-14T17:00:00.000Z');
    const [ticket] = await t.db('ticket_types').where({ event_id: event.id });
    expect(ticket).toMatchObject({ name: 'Member', price: 9500 });
    const page = await organiser.agent.get(res.headers.location).expect(200);
    expect(page.text).toContain('Event created as a draft');
    expect(page.text).toContain('£95.00');
    expect((await request(server).get('/events/health-data-linkage-in-practice')).status).toBe(404);
  });

  it('when the form has mistakes, then it comes back at 422 with each error beside its field and the input kept', async () => {
    const res = await organiser.agent
      .post('/admin/events')
      .type('form')
      .send(newEventForm(organiser.csrf, { title: 'Kept title <b>', startsAt: '2026-04-14T18:00', endsAt: '2026-04-14T17:00', capacity: 'lots', ticket_price: '9.999', timezone: 'Mars/Olympus' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Enter the number of places');
    expect(res.text).toContain('Enter an IANA time zone');
    expect(res.text).toContain('Enter a price in pounds');
    expect(res.text).toContain('value="Kept title &lt;b&gt;"');
    expect(res.text).toContain('id="field-ticket.price"');
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });

  it('when the end is before the start, then the end field says so', async () => {
    const res = await organiser.agent.post('/admin/events').type('form').send(newEventForm(organiser.csrf, { title: 'Backwards', endsAt: '2026-04-14T17:00' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('The end must be after the start');
  });

  it('when the typed web address is taken, then a clear field error; a generated one gets a number instead', async () => {
    await buildEvent(t.db, { slug: 'taken-address' });
    const typed = await organiser.agent.post('/admin/events').type('form').send(newEventForm(organiser.csrf, { slug: 'taken-address' }));
    expect(typed.status).toBe(422);
    expect(typed.text).toContain('That web address is already used by another event');
    const generated = await organiser.agent.post('/admin/events').type('form').send(newEventForm(organiser.csrf, { title: 'Taken address' }));
    expect(generated.headers.location).toMatch(/^\/admin\/events\/taken-address-2\?/);
  });

  it('when a draft is published, then it appears on the public list; with bookings it cannot go back to draft', async () => {
    const created = await organiser.agent.post('/admin/events').type('form').send(newEventForm(organiser.csrf, { title: 'Publish me', ticket_price: '0' }));
    const slug = created.headers.location.split('/')[3].split('?')[0];
    const published = await organiser.agent.post(`/admin/events/${slug}/publish`).type('form').send({ _csrf: organiser.csrf });
    expect(published.status).toBe(303);
    const list = await request(server).get('/').expect(200);
    expect(list.text).toContain('Publish me');
    await request(server).post(`/api/v1/events/${slug}/bookings`).send(freeBookingBody('pub-1')).expect(201);
    const back = await organiser.agent.post(`/admin/events/${slug}/unpublish`).type('form').send({ _csrf: organiser.csrf });
    expect(back.status).toBe(409);
    expect(back.text).toContain('Cancel it instead');
  });

  it('when the capacity is set below the places taken, then 422 on the capacity field', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    await bookThree(event.slug, 'cap');
    const values = eventFormValues((await findEventBySlug(t.db, event.slug))!);
    const res = await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(values, organiser.csrf, { capacity: '2' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('3 places are already taken');
    expect((await findEventBySlug(t.db, event.slug))!.capacity).toBe(10);
  });

  it('when the capacity is raised on a full free event, then the waitlist is promoted', async () => {
    const event = await buildEvent(t.db, { capacity: 1 });
    await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('raise-1')).expect(201);
    const waiting = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('raise-2')).expect(201);
    const values = eventFormValues((await findEventBySlug(t.db, event.slug))!);
    const res = await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(values, organiser.csrf, { capacity: '2' }));
    expect(res.headers.location).toContain('promoted=1');
    expect((await t.db('bookings').where({ reference: waiting.body.booking.reference }).first()).status).toBe('confirmed');
  });
});

describe('rescheduling an event with bookings', () => {
  it('when the start time changes, then each of 3 attendees receives an updated REQUEST with SEQUENCE+1, the same UID and a note of the change', async () => {
    const event = await buildEvent(t.db, { capacity: 10, sequence: 0, startsAt: '2026-03-17T18:00:00Z', endsAt: '2026-03-17T20:00:00Z' });
    await bookThree(event.slug, 'move');
    const uids = (await t.db('attendees').where({ event_id: event.id }).select('email', 'ical_uid')).reduce<Record<string, string>>((m, r) => ({ ...m, [r.email]: r.ical_uid }), {});
    const before = t.smtp.messages.length;

    const values = eventFormValues((await findEventBySlug(t.db, event.slug))!);
    const res = await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(values, organiser.csrf, { startsAt: '2026-03-17T18:30', endsAt: '2026-03-17T20:30', confirmed: 'yes', confirmedEmails: '3' }));
    expect(res.status).toBe(303);
    expect(res.headers.location).toContain('notified=3');
    expect((await findEventBySlug(t.db, event.slug))!.sequence).toBe(1);

    await t.sendMail();
    const mails = t.smtp.messages.slice(before);
    expect(mails).toHaveLength(3);
    for (const mail of mails) {
      const to = (mail.to as { value: Array<{ address: string }> }).value[0].address;
      const invite = inviteOf(mail);
      expect(invite).toMatchObject({ method: 'REQUEST', sequence: 1, uid: uids[to] });
      expect(invite.start.toISOString()).toBe('2026-03-17T18:30:00.000Z');
      expect(mail.subject).toContain('Changed:');
      // Issue 15: a change email leads with the new time, and offers no "Add to Google Calendar" (a second entry).
      expect(String(mail.text).split('\n')[2]).toBe('New time: 6:30pm–8:30pm (was 6:00pm–8:00pm)');
      expect(mail.text).not.toContain('Google Calendar');
      expect(String(mail.html)).not.toContain('Add to Google Calendar');
    }
    expect(mails.map((m) => (m.to as { text: string }).text).sort()).toEqual([person('move-1').email, person('move-2').email, person('move-3').email].map((e) => expect.stringContaining(e)));
  });

  it('when only the title changes, then nobody is emailed and the sequence goes up, so subscribed calendars take the new title', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    await bookThree(event.slug, 'title');
    const before = t.smtp.messages.length;
    const values = eventFormValues((await findEventBySlug(t.db, event.slug))!);
    await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(values, organiser.csrf, { title: 'A better title' })).expect(303);
    await t.sendMail();
    expect(t.smtp.messages.length).toBe(before);
    expect((await findEventBySlug(t.db, event.slug))!.sequence).toBe(1);
  });

  it('when the venue changes, then the note names the old and new venue', async () => {
    const event = await buildEvent(t.db, { capacity: 10, venue: 'Royal Statistical Society' });
    await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('venue-1')).expect(201);
    await t.sendMail();
    const before = t.smtp.messages.length;
    const values = eventFormValues((await findEventBySlug(t.db, event.slug))!);
    await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(values, organiser.csrf, { venue: 'Wellcome Collection', confirmed: 'yes', confirmedEmails: '1' })).expect(303);
    await t.sendMail();
    const [mail] = t.smtp.messages.slice(before);
    expect(String(mail.text).split('\n')[2]).toBe('New venue: Wellcome Collection (was Royal Statistical Society)');
    expect(inviteOf(mail).location).toContain('Wellcome Collection');
  });
});
