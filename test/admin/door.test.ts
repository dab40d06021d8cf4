import type { Server } from 'node:http';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { buildEvent, person } from '../support/factories';
import type { TestApp } from '../support/app';
import { createStaff, signIn, startWithOrganiser, type OrganiserApp, type SignedIn } from './helpers';

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

const walkIn = (slug: string, fields: Record<string, string>, who: SignedIn = organiser) => who.agent.post(`/admin/events/${slug}/check-in/walk-in`).type('form').send({ _csrf: who.csrf, ...fields });

describe('the door: walk-ins', () => {
  it('when a walk-in gives only a name, then they take a place, are checked in at once, get no email, and are marked as a walk-in in the CSV', async () => {
    const event = await buildEvent(t.db, { capacity: 10, startsAt: ON_THE_DAY });
    await book(event.slug, 'wi-a', { name: 'Booked Person' });
    await t.sendMail();
    const mailBefore = t.smtp.messages.length;

    const res = await walkIn(event.slug, { name: 'Aisha Khan', email: '' });

    expect(res.status).toBe(303);
    const page = await organiser.agent.get(res.headers.location).expect(200);
    expect(page.text).toContain('Aisha Khan added as a walk-in and checked in at 12:00.');
    expect(page.text).toMatch(/<strong data-checked-in>1<\/strong> checked in of <strong data-expected>2<\/strong>/);
    expect(page.text).toMatch(/<strong>Aisha Khan<\/strong> <span class="tag">Walk-in<\/span>/);
    await t.sendMail();
    expect(t.smtp.messages.length).toBe(mailBefore);
    const csv = await organiser.agent.get(`/admin/events/${event.slug}/attendees.csv`).expect(200);
    const rows = parse(csv.text, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.Name, r['Walk-in'], r.Email])).toEqual(expect.arrayContaining([['Aisha Khan', 'Yes', ''], ['Booked Person', '', person('wi-a').email]]));
    const audit = await t.db('audit_log').where({ action: 'walk_in_added' }).orderBy('id', 'desc').first();
    expect(JSON.parse(audit.details)).toMatchObject({ event: event.slug, name: 'Aisha Khan', hasEmail: false });
  });

  it('when a walk-in gives an email, then they get the usual confirmation with their manage link', async () => {
    const event = await buildEvent(t.db, { capacity: 10, startsAt: ON_THE_DAY, title: 'Evening meeting: waiting lists' });
    await t.sendMail();
    const before = t.smtp.messages.length;
    await walkIn(event.slug, { name: 'Ravi Patel', email: 'ravi@example.org' }).expect(303);
    await t.sendMail();
    const [mail] = t.smtp.messages.slice(before);
    expect(JSON.stringify(mail.to)).toContain('ravi@example.org');
    expect(mail.text).toMatch(/\/bookings\/HSUG-[0-9A-Z]{4}-[0-9A-Z]{4}\?token=/);
  });

  it('when the event is full, then the walk-in is refused with a clear message and the name typed is kept; a missing name is shown beside the field', async () => {
    const event = await buildEvent(t.db, { capacity: 1, startsAt: ON_THE_DAY });
    await book(event.slug, 'wi-full');
    const full = await walkIn(event.slug, { name: 'Late Comer', email: 'late@example.org' });
    expect(full.status).toBe(409);
    expect(full.text).toContain('The event is full (1 places), so this walk-in cannot be added.');
    expect(full.text).toContain('value="Late Comer"');
    expect(full.text).toContain('value="late@example.org"');

    const blank = await walkIn(event.slug, { name: '', email: 'no-name@example.org' });
    expect(blank.status).toBe(422);
    expect(blank.text).toContain('Enter their name');
    expect(blank.text).toContain('value="no-name@example.org"');
    expect(Number((await t.db('bookings').where({ event_id: event.id }).count({ n: '*' }).first())?.n)).toBe(1);
  });

  it('when an email already holds a place, then the walk-in is refused and the volunteer is told to search for them', async () => {
    const event = await buildEvent(t.db, { capacity: 5, startsAt: ON_THE_DAY });
    await book(event.slug, 'wi-dup');
    const res = await walkIn(event.slug, { name: 'Someone', email: person('wi-dup').email.toUpperCase() });
    expect(res.status).toBe(409);
    expect(res.text).toContain('already has a place');
  });

  it('when eight phones add walk-ins at once for the last two places, then exactly two are added and the capacity holds', async () => {
    const event = await buildEvent(t.db, { capacity: 5, startsAt: ON_THE_DAY });
    for (const tag of ['c1', 'c2', 'c3']) await book(event.slug, `wi-${tag}`);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => walkIn(event.slug, { name: `Walker ${i}`, email: '' })));
    expect(results.map((r) => r.status).sort()).toEqual([303, 303, 409, 409, 409, 409, 409, 409]);
    const seats = await t.db('attendees').join('bookings', 'bookings.id', 'attendees.booking_id').where('attendees.event_id', event.id).where('bookings.status', 'confirmed').count({ n: '*' }).first();
    expect(Number(seats?.n)).toBe(5);
    expect(Number((await t.db('bookings').where({ event_id: event.id, is_walk_in: true }).count({ n: '*' }).first())?.n)).toBe(2);
  });

  it('when the event is charged and has no free ticket type, or is over, then a walk-in is refused with a message saying why', async () => {
    const paid = await buildEvent(t.db, { capacity: 5, startsAt: ON_THE_DAY, tickets: [{ name: 'Standard', price: 4500 }] });
    const charged = await walkIn(paid.slug, { name: 'Paying Person', email: '' });
    expect(charged.status).toBe(409);
    expect(charged.text).toContain('This event has no free ticket type open to everyone');
    const over = await buildEvent(t.db, { capacity: 5, startsAt: '2026-03-01T18:00:00.000Z' });
    const late = await walkIn(over.slug, { name: 'Too Late', email: '' });
    expect(late.status).toBe(409);
    expect(late.text).toContain('This event is over, so walk-ins can no longer be added.');
    expect(await t.db('bookings').whereIn('event_id', [paid.id, over.id]).first()).toBeUndefined();
  });

  it('when a treasurer posts a walk-in, then 403: the door is for organisers', async () => {
    const event = await buildEvent(t.db, { capacity: 5, startsAt: ON_THE_DAY });
    const treasurer = await signIn(server, (await createStaff(t, 'treasurer')).email);
    const res = await walkIn(event.slug, { name: 'Not Allowed', email: '' }, treasurer);
    expect(res.status).toBe(403);
    expect(await t.db('bookings').where({ event_id: event.id }).first()).toBeUndefined();
  });
});

describe('the door: before the day, searching', () => {
  it('when it is not yet the event day, then the page says when check-in opens, offers no buttons, and a check-in or walk-in posted anyway is refused', async () => {
    const event = await buildEvent(t.db, { capacity: 5, startsAt: '2026-03-17T18:00:00.000Z' });
    await book(event.slug, 'early');
    const seat = await t.db('attendees').where({ event_id: event.id }).first();
    const page = await organiser.agent.get(`/admin/events/${event.slug}/check-in`).expect(200);
    expect(page.text).toContain('Check-in opens on the day of the event, Tuesday 17 March 2026.');
    expect(page.text).not.toContain('>Check in<');
    expect(page.text).not.toContain('Add walk-in and check in');

    const res = await organiser.agent.post(`/admin/events/${event.slug}/check-in/${seat.id}`).type('form').send({ _csrf: organiser.csrf });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Check-in opens on the day of the event, Tuesday 17 March 2026.');
    const json = await organiser.agent.post(`/admin/events/${event.slug}/check-in/${seat.id}`).set('Accept', 'application/json').set('X-CSRF-Token', organiser.csrf).type('form').send({});
    expect(json.status).toBe(409);
    expect(json.body.error.code).toBe('check_in_not_open');
    expect((await walkIn(event.slug, { name: 'Too Early', email: '' })).status).toBe(409);
    expect((await t.db('attendees').where({ id: seat.id }).first()).checked_in_at).toBeNull();
  });

  it('when a search matches nobody, then the page and the JSON say so instead of showing a blank list', async () => {
    const event = await buildEvent(t.db, { capacity: 5, startsAt: ON_THE_DAY });
    await book(event.slug, 'nomatch');
    const page = await organiser.agent.get(`/admin/events/${event.slug}/check-in?q=zzzz`).expect(200);
    expect(page.text).toContain('Nobody with a place matches “zzzz”.');
    expect(page.text).toContain('add them as a walk-in below');
    const json = await organiser.agent.get(`/admin/events/${event.slug}/check-in.json?q=zzzz`).expect(200);
    expect(json.body.people).toEqual([]);
    // With people listed, the empty state is there but hidden, for the script to show when a search finds nobody.
    const all = await organiser.agent.get(`/admin/events/${event.slug}/check-in`).expect(200);
    expect(all.text).toContain('<div class="empty" data-door-empty hidden>');
  });

  it('when someone who cancelled is searched for, then the door says they cancelled and when, not that nobody matches', async () => {
    const event = await buildEvent(t.db, { capacity: 5, startsAt: ON_THE_DAY });
    const booked = await book(event.slug, 'canc', { name: 'Cora Cancel' });
    const token = new URL(booked.body.booking.manageUrl).searchParams.get('token');
    t.clock.advance(-3 * 3600_000);
    await request(server).post(`/api/v1/bookings/${booked.body.booking.reference}/cancel`).set('Authorization', `Bearer ${token}`).send({}).expect(200);
    t.clock.advance(3 * 3600_000);

    const page = await organiser.agent.get(`/admin/events/${event.slug}/check-in?q=cora`).expect(200);
    expect(page.text).toContain('Nobody with a place matches “cora”.');
    expect(page.text).toContain(`<li><strong>Cora Cancel</strong> (${booked.body.booking.reference}): cancelled on Monday 2 March 2026 at 09:00</li>`);
    const json = await organiser.agent.get(`/admin/events/${event.slug}/check-in.json?q=cora`).expect(200);
    expect(json.body.others).toEqual([{ name: 'Cora Cancel', reference: booked.body.booking.reference, why: 'cancelled on Monday 2 March 2026 at 09:00' }]);
  });
});
