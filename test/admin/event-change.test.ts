import request from 'supertest';
import type { Server } from 'node:http';
import { eventFormValues } from '../../src/admin/events/present';
import { findEventBySlug } from '../../src/events/queries';
import { buildEvent, person } from '../support/factories';
import type { TestApp } from '../support/app';
import { createStaff, editFormBody, signIn, startWithOrganiser, type OrganiserApp, type SignedIn } from './helpers';

let t: TestApp;
let server: Server;
let organiser: SignedIn;
let app: OrganiserApp;

beforeAll(async () => {
  app = await startWithOrganiser();
  ({ t, server, organiser } = app);
});
afterAll(() => app.close());

async function bookPeople(slug: string, tag: string, n: number) {
  for (let i = 1; i <= n; i++) {
    const p = person(`${tag}-${i}`);
    await request(server).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] }).expect(201);
  }
  await t.sendMail();
}

const editOf = async (slug: string) => eventFormValues((await findEventBySlug(t.db, slug))!);

describe('changing an event’s time', () => {
  it('when the organiser saves a new start, then first they are told how many people will be emailed and nothing is saved or sent; confirming saves and emails them', async () => {
    const event = await buildEvent(t.db, { capacity: 10, startsAt: '2026-03-17T18:00:00Z', endsAt: '2026-03-17T20:00:00Z' });
    await bookPeople(event.slug, 'chg', 4);
    const before = t.smtp.messages.length;
    const changes = { startsAt: '2026-03-17T18:30', endsAt: '2026-03-17T20:30' };

    const first = await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(await editOf(event.slug), organiser.csrf, changes));

    expect(first.status).toBe(200);
    expect(first.text).toContain('4 people will be emailed');
    expect(first.text).toContain('The start time has changed from Tuesday 17 March 2026, 6:00pm to Tuesday 17 March 2026, 6:30pm.');
    expect(first.text).toContain('Save and email 4 people');
    expect(first.text).toContain('name="startsAt" value="2026-03-17T18:30"');
    expect((await findEventBySlug(t.db, event.slug))!.startsAt.toISOString()).toBe('2026-03-17T18:00:00.000Z');
    await t.sendMail();
    expect(t.smtp.messages.length).toBe(before);

    const confirmed = await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(await editOf(event.slug), organiser.csrf, { ...changes, confirmed: 'yes', confirmedEmails: '4' }));
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.location).toContain('notified=4');
    await t.sendMail();
    expect(t.smtp.messages.length).toBe(before + 4);
  });

  it('when someone books between the warning and Save, then the new number is shown again instead of saving', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    await bookPeople(event.slug, 'chg-race', 2);
    await bookPeople(event.slug, 'chg-race-late', 1);
    const res = await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(await editOf(event.slug), organiser.csrf, { venue: 'Another Hall', confirmed: 'yes', confirmedEmails: '2' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('The number of people to email has changed');
    expect(res.text).toContain('Save and email 3 people');
    expect((await findEventBySlug(t.db, event.slug))!.venue).toBe('Royal Statistical Society');
  });

  it('when the start moves a week later but “booking closes” stays, then the organiser is warned that booking now closes 8 days before the start', async () => {
    const event = await buildEvent(t.db, { capacity: 10, startsAt: '2026-03-17T18:00:00Z', bookingClosesAt: '2026-03-16T18:00:00Z' });
    const res = await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(await editOf(event.slug), organiser.csrf, { startsAt: '2026-03-24T18:00', endsAt: '2026-03-24T20:00' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('The booking window no longer fits');
    expect(res.text).toContain('Booking still closes on Monday 16 March 2026, 6:00pm: that is 8 days before the new start, where it was 1 day before the old one.');
    expect(res.text).toContain('Save anyway');
    expect((await findEventBySlug(t.db, event.slug))!.startsAt.toISOString()).toBe('2026-03-17T18:00:00.000Z');
  });

  it('when the start moves earlier than “booking closes”, then the organiser is warned that booking would close after the start', async () => {
    const event = await buildEvent(t.db, { capacity: 10, startsAt: '2026-03-17T18:00:00Z', bookingClosesAt: '2026-03-16T18:00:00Z' });
    const res = await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(await editOf(event.slug), organiser.csrf, { startsAt: '2026-03-10T18:00', endsAt: '2026-03-10T20:00' }));
    expect(res.text).toContain('Booking closes on Monday 16 March 2026, 6:00pm, after the new start (Tuesday 10 March 2026, 6:00pm).');
  });

  it('when the organiser goes back to edit from the warning, then the form shows what they typed, unsaved', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    await bookPeople(event.slug, 'chg-back', 1);
    const res = await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(await editOf(event.slug), organiser.csrf, { venue: 'Typed Hall', _back: 'yes' }));
    expect(res.status).toBe(200);
    expect(res.text).toContain('value="Typed Hall"');
    expect((await findEventBySlug(t.db, event.slug))!.venue).toBe('Royal Statistical Society');
  });

  it('when only the title changes, or nobody holds a place, then it saves at once with no warning', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(await editOf(event.slug), organiser.csrf, { venue: 'Empty Hall' })).expect(303);
    await bookPeople(event.slug, 'chg-title', 1);
    await organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(await editOf(event.slug), organiser.csrf, { title: 'Renamed' })).expect(303);
  });

  it('when a treasurer posts the edit form, then 403', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    const treasurer = await signIn(server, (await createStaff(t, 'treasurer')).email);
    await treasurer.agent.post(`/admin/events/${event.slug}`).type('form').send(editFormBody(await editOf(event.slug), treasurer.csrf, { venue: 'X' })).expect(403);
  });
});
