import type { Server } from 'node:http';
import request from 'supertest';
import { buildEvent, freeBookingBody, person } from '../support/factories';
import { startTestApp, type TestApp } from '../support/app';
import { inviteOf } from '../support/ical';

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

async function statusCounts(eventId: number) {
  const rows = await t.db('bookings').where({ event_id: eventId }).select('status').count({ n: '*' }).groupBy('status');
  return Object.fromEntries((rows as Array<{ status: string; n: number | string }>).map((r) => [r.status, Number(r.n)]));
}

describe('free registration over the API', () => {
  it('when there is room, then the booking is confirmed with a reference and a private manage link', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    const res = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody(1));
    expect(res.status).toBe(201);
    expect(res.body.booking).toMatchObject({ status: 'confirmed', total: 0, currency: 'GBP' });
    expect(res.body.booking.reference).toMatch(/^HSUG-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const token = new URL(res.body.booking.manageUrl).searchParams.get('token')!;
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16);
    const row = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
    expect(row.manage_token_hash).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('when the event is full, then the booking is waitlisted with its position', async () => {
    const event = await buildEvent(t.db, { capacity: 1 });
    await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('full-1')).expect(201);
    const second = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('full-2'));
    const third = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('full-3'));
    expect(second.body.booking).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });
    expect(third.body.booking).toMatchObject({ status: 'waitlisted', waitlistPosition: 2 });
    const listed = await request(server).get(`/api/v1/events/${event.slug}`);
    expect(listed.body.event.remaining).toBe(0);
  });

  it('when the same email registers twice, then the second answer is 409 already_booked, whatever the letter case', async () => {
    const event = await buildEvent(t.db);
    await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('dup')).expect(201);
    const body = freeBookingBody('dup');
    body.items[0].attendee.email = body.items[0].attendee.email.toUpperCase();
    const res = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(body);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_booked');
    expect(await statusCounts(event.id)).toEqual({ confirmed: 1 });
  });

  it.each([
    ['a cancelled event', { status: 'cancelled' as const }, 'event_cancelled'],
    ['an event that has started', { startsAt: '2026-03-01T18:00:00Z' }, 'event_past'],
    ['an event whose booking window closed', { bookingClosesAt: '2026-03-01T00:00:00Z' }, 'booking_closed'],
    ['an event whose booking has not opened', { bookingOpensAt: '2026-03-10T00:00:00Z' }, 'booking_not_open'],
  ])('when registering for %s, then 409 %s and nothing is stored', async (_label, overrides, code) => {
    const event = await buildEvent(t.db, overrides);
    const res = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('closed'));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe(code);
    expect(await statusCounts(event.id)).toEqual({});
  });

  it('when a draft or unknown event is booked, then 404', async () => {
    const draft = await buildEvent(t.db, { status: 'draft' });
    expect((await request(server).post(`/api/v1/events/${draft.slug}/bookings`).send(freeBookingBody(9))).status).toBe(404);
    expect((await request(server).post('/api/v1/events/no-such-event/bookings').send(freeBookingBody(9))).status).toBe(404);
  });

  it('when fields are missing or wrong, then 422 names each field path', async () => {
    const event = await buildEvent(t.db);
    const res = await request(server)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer: { name: '', email: 'not-an-email' }, items: [{ attendee: { name: 'X', email: 'x@example.org', dietary: 'x'.repeat(600) } }] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['buyer.name', 'buyer.email', 'items.0.attendee.dietary']));
  });

  it('when the body is not JSON or not an object, then 400 or 422, never 500', async () => {
    const event = await buildEvent(t.db);
    const malformed = await request(server).post(`/api/v1/events/${event.slug}/bookings`).set('content-type', 'application/json').send('{"buyer":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_body');
    const array = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send([1, 2]);
    expect(array.status).toBe(422);
    const empty = await request(server).post(`/api/v1/events/${event.slug}/bookings`);
    expect(empty.status).toBe(422);
  });
});

describe('capacity under concurrency', () => {
  it('when 200 people register at once for 50 places, then exactly 50 are confirmed and 150 waitlisted', async () => {
    const event = await buildEvent(t.db, { capacity: 50 });
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody(`rush-${i}`))),
    );
    expect(responses.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    expect(await statusCounts(event.id)).toEqual({ confirmed: 50, waitlisted: 150 });
    const positions = responses.map((r) => r.body.booking.waitlistPosition).filter(Boolean).sort((a, b) => a - b);
    expect(positions).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
  });

  it('when the same person registers five times at once among others, then they get one place and four 409s, and nobody else is affected', async () => {
    const event = await buildEvent(t.db, { capacity: 10 });
    const bodies = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? freeBookingBody('keen') : freeBookingBody(`crowd-${i}`)));

    const responses = await Promise.all(bodies.map((body) => request(server).post(`/api/v1/events/${event.slug}/bookings`).send(body)));

    const keen = responses.filter((_, i) => i % 4 === 0);
    expect(keen.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(keen.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(['already_booked', 'already_booked', 'already_booked', 'already_booked']);
    expect(responses.filter((_, i) => i % 4 !== 0).map((r) => r.status)).toEqual(Array(15).fill(201));
    expect(await statusCounts(event.id)).toEqual({ confirmed: 10, waitlisted: 6 });
  });
});

describe('manage link and cancellation', () => {
  it('when the holder cancels, then the place goes to the first on the waitlist, who is emailed an invitation', async () => {
    const event = await buildEvent(t.db, { capacity: 1 });
    const first = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('c1'));
    const second = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('c2'));
    const third = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('c3'));
    // This also sends every invitation the earlier tests queued (the 200-registration rush among them): slow under load.
    await t.sendMail();
    const before = t.smtp.messages.length;

    const token = new URL(first.body.booking.manageUrl).searchParams.get('token')!;
    const cancel = await request(server).post(`/api/v1/bookings/${first.body.booking.reference}/cancel`).set('Authorization', `Bearer ${token}`);
    expect(cancel.status).toBe(200);
    expect(cancel.body.booking.status).toBe('cancelled');

    const secondToken = new URL(second.body.booking.manageUrl).searchParams.get('token')!;
    const promoted = await request(server).get(`/api/v1/bookings/${second.body.booking.reference}?token=${secondToken}`);
    expect(promoted.body.booking.status).toBe('confirmed');
    const thirdToken = new URL(third.body.booking.manageUrl).searchParams.get('token')!;
    const still = await request(server).get(`/api/v1/bookings/${third.body.booking.reference}`).set('Authorization', `Bearer ${thirdToken}`);
    expect(still.body.booking).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });

    await t.sendMail();
    const mails = t.smtp.messages.slice(before);
    const cancelMail = mails.find((m) => m.to && JSON.stringify(m.to).includes(person('c1').email))!;
    const promotedMail = mails.find((m) => m.to && JSON.stringify(m.to).includes(person('c2').email))!;
    expect(inviteOf(cancelMail).method).toBe('CANCEL');
    expect(promotedMail.subject).toContain('A place has come up');
    expect(inviteOf(promotedMail).method).toBe('REQUEST');
    expect(promotedMail.text).toContain(second.body.booking.manageUrl);
    expect(mails).toHaveLength(2);
  }, 120_000);

  it('when the token is wrong or missing, then the booking is not shown or cancelled', async () => {
    const event = await buildEvent(t.db);
    const created = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('tok'));
    const ref = created.body.booking.reference;
    expect((await request(server).get(`/api/v1/bookings/${ref}`)).status).toBe(401);
    expect((await request(server).get(`/api/v1/bookings/${ref}?token=${'x'.repeat(43)}`)).status).toBe(404);
    expect((await request(server).post(`/api/v1/bookings/${ref}/cancel`).set('Authorization', `Bearer ${'y'.repeat(43)}`)).status).toBe(404);
    const row = await t.db('bookings').where({ reference: ref }).first();
    expect(row.status).toBe('confirmed');
  });

  it('when a booking is cancelled twice, then the second call changes nothing and sends nothing', async () => {
    const event = await buildEvent(t.db);
    const created = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('twice'));
    const token = new URL(created.body.booking.manageUrl).searchParams.get('token')!;
    const url = `/api/v1/bookings/${created.body.booking.reference}/cancel?token=${token}`;
    await request(server).post(url).expect(200);
    const queued = await t.db('outbox_emails').count({ n: '*' }).first();
    const again = await request(server).post(url);
    expect(again.status).toBe(200);
    expect(again.body.booking.status).toBe('cancelled');
    expect((await t.db('outbox_emails').count({ n: '*' }).first())!.n).toEqual(queued!.n);
  });
});
