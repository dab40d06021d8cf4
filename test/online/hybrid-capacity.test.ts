import type { Server } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';
import { manageToken, seatToken } from '../../src/lib/links';

/** A hybrid event's two capacities, each with its own waitlist, under the same guarantee as any event. */
let t: TestApp;
let server: Server;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
});
afterAll(async () => {
  server.close();
  await t.close();
});

function body(n: string, mode: 'in_person' | 'online') {
  const p = { ...person(n), mode };
  return { buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] };
}

async function countsByMode(eventId: number): Promise<Record<string, number>> {
  const rows = await t.db('attendees').join('bookings', 'bookings.id', 'attendees.booking_id').where('attendees.event_id', eventId).select('attendees.mode', 'bookings.status').count({ n: '*' }).groupBy('attendees.mode', 'bookings.status');
  return Object.fromEntries((rows as Array<{ mode: string; status: string; n: number | string }>).map((r) => [`${r.mode}:${r.status}`, Number(r.n)]));
}

describe('a hybrid event under a rush', () => {
  it('when 200 people rush for the last 10 in-person places while others book online, then exactly 10 more are confirmed in person, the rest wait, and online stays open', async () => {
    // Arrange: 12 places in the room, 2 already taken; 50 online.
    const event = await buildEvent(t.db, { mode: 'hybrid', capacity: 12, onlineCapacity: 50 });
    for (const n of ['early-1', 'early-2']) expect((await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(body(n, 'in_person'))).status).toBe(201);

    // Act: 200 in person and 20 online, all at once.
    const bodies = [...Array.from({ length: 200 }, (_, i) => body(`room-${i}`, 'in_person')), ...Array.from({ length: 20 }, (_, i) => body(`web-${i}`, 'online'))];
    const responses = await Promise.all(bodies.map((b) => request(server).post(`/api/v1/events/${event.slug}/bookings`).send(b)));

    // Assert
    expect(responses.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    expect(await countsByMode(event.id)).toEqual({ 'in_person:confirmed': 12, 'in_person:waitlisted': 190, 'online:confirmed': 20 });
    expect(responses.slice(200).map((r) => r.body.booking.status)).toEqual(Array(20).fill('confirmed'));
    const api = await request(server).get(`/api/v1/events/${event.slug}`);
    expect(api.body.event.places).toEqual({ inPerson: { capacity: 12, remaining: 0 }, online: { capacity: 50, remaining: 30 } });
    const page = await request(server).get(`/events/${event.slug}`);
    expect(page.text).toContain('in person: full — waitlist; online: 30 places left');
  });

  it('when an in-person place frees up while someone waits online first, then the first person waiting in person gets it: each mode has its own waitlist', async () => {
    // Arrange: one place in each mode, both taken; an online booking waits first, then an in-person one.
    const event = await buildEvent(t.db, { mode: 'hybrid', capacity: 1, onlineCapacity: 1 });
    const roomHolder = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(body('wl-room-holder', 'in_person'));
    await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(body('wl-web-holder', 'online'));
    const webWaiting = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(body('wl-web-waiting', 'online'));
    const roomWaiting = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(body('wl-room-waiting', 'in_person'));
    expect([webWaiting.body.booking.status, roomWaiting.body.booking.status]).toEqual(['waitlisted', 'waitlisted']);

    // Act: the in-person holder cancels.
    const token = new URL(roomHolder.body.booking.manageUrl).searchParams.get('token');
    const cancel = await request(server).post(`/api/v1/bookings/${roomHolder.body.booking.reference}/cancel`).set('Authorization', `Bearer ${token}`);

    // Assert
    expect(cancel.status).toBe(200);
    const status = async (reference: string) => (await t.db('bookings').where({ reference }).first()).status;
    expect(await status(roomWaiting.body.booking.reference)).toBe('confirmed');
    expect(await status(webWaiting.body.booking.reference)).toBe('waitlisted');
  });
});

describe('the booking form of a paid hybrid event', () => {
  it('when a buyer books two places by invoice, one in the room and one online, then each place has its mode; a place without a choice is refused beside it and the form keeps what was typed', async () => {
    // Arrange
    const event = await buildEvent(t.db, { mode: 'hybrid', capacity: 10, onlineCapacity: 10, allowsInvoice: true, tickets: [{ name: 'Non-member', price: 9500 }] });
    const typeId = event.ticketTypeIds[0];
    const form = await request(server).get(`/events/${event.slug}/book?qty_${typeId}=2`);
    expect(form.text).toContain('name="seat_0_mode"');
    expect(form.text).toContain('name="seat_1_mode"');
    const body = {
      buyer_name: 'Mary Seacole', buyer_email: 'mary@example.org', buyer_organisation: 'NHS Test Trust', payment_method: 'invoice', purchase_order: 'PO-1', billing_contact: 'Accounts Payable', billing_email: 'ap@example.org', billing_address: 'Finance Office, 1 Trust Way, Leeds LS1 4AP',
      seat_0_type: String(typeId), seat_0_price: '9500', seat_0_mode: 'in_person',
      seat_1_type: String(typeId), seat_1_price: '9500', seat_1_name: 'Ada Lovelace', seat_1_email: 'ada-hybrid@example.org',
    };

    // Act
    const refused = await request(server).post(`/events/${event.slug}/book`).type('form').send(body);
    const booked = await request(server).post(`/events/${event.slug}/book`).type('form').send({ ...body, seat_1_mode: 'online' });

    // Assert
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Place 2: Choose how this attendee will take part: in person or online');
    expect(refused.text).toContain('value="ada-hybrid@example.org"');
    expect(booked.status).toBe(303);
    const seats = await t.db('attendees').where({ event_id: event.id }).orderBy('id').select('email', 'mode');
    expect(seats).toEqual([{ email: 'mary@example.org', mode: 'in_person' }, { email: 'ada-hybrid@example.org', mode: 'online' }]);
  });

  it('when two tabs switch two places to online at once with one online place left, then exactly one moves and the other is told there is no place (409); nothing is over capacity', async () => {
    for (let round = 0; round < 5; round++) {
      const event = await buildEvent(t.db, { mode: 'hybrid', capacity: 5, onlineCapacity: 1, startsAt: '2026-06-02T17:00:00Z', endsAt: '2026-06-02T19:00:00Z', meetingUrl: 'https://zoom.example.com/j/1' });
      const a = person(`tabs-${round}-a`);
      const b = person(`tabs-${round}-b`);
      const res = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: a.name, email: a.email }, items: [{ attendee: { ...a, mode: 'in_person' } }, { attendee: { ...b, mode: 'in_person' } }] }).expect(201);
      const reference = res.body.booking.reference as string;
      const seats = await t.db('attendees').where({ event_id: event.id }).orderBy('id');
      // One tab is the buyer's booking page, the other the colleague's own seat page.
      const answers = await Promise.all([
        request(server).post(`/bookings/${reference}/seats/${seats[0].id}/mode`).type('form').send({ token: manageToken(t.config, reference), mode: 'online' }),
        request(server).post(`/bookings/${reference}/seats/${seats[1].id}/mode`).type('form').send({ token: seatToken(t.config, seats[1].ical_uid, seats[1].email), mode: 'online', from: 'seat' }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([303, 409]);
      expect(answers.find((r) => r.status === 409)!.text).toContain('There is no online place free just now');
      expect(await countsByMode(event.id)).toEqual({ 'in_person:confirmed': 1, 'online:confirmed': 1 });
    }
  });
});
