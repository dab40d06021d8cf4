import request from 'supertest';
import { buildEvent, person } from '../support/factories';
import { inviteOf } from '../support/ical';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { createStaff, createToken, signIn, type SignedIn } from './helpers';

let t: PaymentsTestApp;
const as = {} as Record<'organiser' | 'treasurer' | 'admin', SignedIn>;
const tokens = {} as Record<'organiser' | 'treasurer' | 'admin', string>;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  for (const role of ['organiser', 'treasurer', 'admin'] as const) {
    const staff = await createStaff(t, role);
    as[role] = await signIn(t.server, staff.email);
    tokens[role] = await createToken(t, staff.id);
  }
});
afterAll(async () => {
  await t.close();
});

let counter = 0;

/** Registers people for a free event through the public API; returns the booking as the API answered it. */
async function register(slug: string, names: string[]) {
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${slug}/bookings`)
    .send({ buyer: { name: person(names[0]).name, email: person(names[0]).email }, items: names.map((n) => ({ attendee: person(n) })) });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { reference: res.body.booking.reference as string, status: res.body.booking.status as string, token: new URL(res.body.booking.manageUrl).searchParams.get('token')! };
}

/** Books places at a new £95 seminar (refund deadline 10 March, £10 kept) and pays by card through the sandbox. */
async function cardBooking(names: string[]) {
  const event = await buildEvent(t.db, { ...paidEvent(), title: `Card seminar ${++counter}` });
  const buyer = person(names[0]);
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .send({ buyer: { name: buyer.name, email: buyer.email }, items: names.map((n) => ({ ticketTypeId: event.ticketTypeIds[1], attendee: person(n) })) });
  t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
  await t.sandbox.flush();
  const booking = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
  return { event, reference: booking.reference as string, bookingId: Number(booking.id) };
}

async function seatsOf(reference: string) {
  return t.db('attendees').join('bookings', 'bookings.id', 'attendees.booking_id').where('bookings.reference', reference).orderBy('attendees.id').select('attendees.id', 'attendees.name', 'attendees.status', 'attendees.ical_uid');
}

function mailsTo(name: string) {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(person(name).email));
}

const api = (role: keyof typeof tokens, reference: string, body: unknown) =>
  request(t.server).post(`/api/v1/admin/bookings/${reference}/cancel`).set('Authorization', `Bearer ${tokens[role]}`).send(body as object);

describe('an organiser cancels one place on the attendee list', () => {
  it('when an organiser cancels one seat of a free booking, then a confirmation page shows first, the attendee gets a calendar CANCEL, the other seat stays, the waitlist is served and it is audited', async () => {
    // Arrange: a full meeting (2 places) booked by two colleagues, and someone waiting
    const event = await buildEvent(t.db, { capacity: 2, title: 'Full evening meeting' });
    const pair = await register(event.slug, ['seat-keep', 'seat-go']);
    const waiting = await register(event.slug, ['seat-waiting']);
    expect(waiting.status).toBe('waitlisted');
    const [, leaving] = await seatsOf(pair.reference);

    // Act: the list offers the links; the link shows a confirmation page; the form cancels
    const list = await as.organiser.agent.get(`/admin/events/${event.slug}/attendees`).expect(200);
    const seatLink = `/admin/bookings/${pair.reference}/cancel?seat=${leaving.id}`;
    expect(list.text).toContain(`href="${seatLink}"`);
    expect(list.text).toContain(`href="/admin/bookings/${pair.reference}/cancel"`);
    const page = await as.organiser.agent.get(seatLink).expect(200);
    expect(page.text).toContain('Cancel a place in booking');
    expect(page.text).toContain('<li><strong>Attendee seat-go</strong>');
    expect(page.text).not.toContain('<li><strong>Attendee seat-keep</strong>');
    expect(page.text).toContain('Booked by Attendee seat-keep');
    expect(page.text).toContain('Cancel this place');
    expect(page.text).not.toContain('type="radio"');
    expect(await t.db('attendees').where({ id: leaving.id }).first()).toMatchObject({ status: 'active' });
    const done = await as.organiser.agent.post(`/admin/bookings/${pair.reference}/cancel`).type('form').send({ _csrf: as.organiser.csrf, seat: String(leaving.id), refund: 'none', reason: 'Asked by phone' });

    // Assert
    expect(done.status).toBe(303);
    expect(done.headers.location).toContain(`/admin/events/${event.slug}/attendees?notice=cancelled`);
    const after = await as.organiser.agent.get(done.headers.location).expect(200);
    expect(after.text).toContain('1 place cancelled; each person has been sent a calendar cancellation');
    expect((await seatsOf(pair.reference)).map((s) => [s.name, s.status])).toEqual([
      ['Attendee seat-keep', 'active'],
      ['Attendee seat-go', 'cancelled'],
    ]);
    expect((await t.db('bookings').where({ reference: pair.reference }).first()).status).toBe('confirmed');
    expect((await t.db('bookings').where({ reference: waiting.reference }).first()).status).toBe('confirmed');
    await t.sendMail();
    const cancelled = mailsTo('seat-go').find((m) => m.subject === 'Cancelled: Full evening meeting');
    const invite = inviteOf(cancelled!);
    expect(invite.method).toBe('CANCEL');
    expect(invite.uid).toBe(leaving.ical_uid);
    expect(invite.attendees.join(' ')).toContain(person('seat-go').email);
    // The buyer, who keeps their own place, is told which place went, with no calendar change of their own
    const buyerNote = mailsTo('seat-keep').find((m) => m.subject?.startsWith('Cancelled'));
    expect(buyerNote?.text).toContain('Attendee seat-go');
    expect(() => inviteOf(buyerNote!)).toThrow('no text/calendar part');
    expect(mailsTo('seat-waiting').map((m) => m.subject)).toContain('A place has come up — you\'re booked: Full evening meeting');
    const audit = await t.db('audit_log').where({ action: 'seats_cancelled_by_staff', target_id: String((await t.db('bookings').where({ reference: pair.reference }).first()).id) }).first();
    expect(JSON.parse(audit.details)).toMatchObject({ reference: pair.reference, attendeeIds: [leaving.id], refund: 'none', refundAmount: 0, creditAmount: 0, reason: 'Asked by phone' });
  });

  it('when an organiser cancels a paid seat under the refund policy, then the page shows each choice with its amount (full refund not offered to them), and the refund and CANCEL follow', async () => {
    // Arrange
    const { reference, bookingId, event } = await cardBooking(['card-stay', 'card-go']);
    const [, leaving] = await seatsOf(reference);

    // Act
    const page = await as.organiser.agent.get(`/admin/bookings/${reference}/cancel?seat=${leaving.id}`).expect(200);
    const done = await as.organiser.agent.post(`/admin/bookings/${reference}/cancel`).type('form').send({ _csrf: as.organiser.csrf, seat: String(leaving.id), refund: 'policy' });
    await t.sandbox.flush();
    await t.sendMail();

    // Assert: the choices and their amounts, before acting
    expect(page.text).toContain('Paid by card: £190.00 is left to refund.');
    expect(page.text).toMatch(/Under the event’s refund policy<\/strong>: £85.00 refunded to the card; £10.00 kept/);
    expect(page.text).toMatch(/In full<\/strong>: £95.00 refunded to the card/);
    expect(page.text).toMatch(/id="refund-full" type="radio" name="refund" value="full" disabled/);
    expect(page.text).toContain('Only the treasurer can give a paid booking a full refund');
    expect(page.text).toMatch(/No refund<\/strong>: Nothing refunded/);
    // the change
    expect(done.status).toBe(303);
    const [refund] = await t.db('refunds').where({ booking_id: bookingId });
    expect(refund).toMatchObject({ amount: 8500, initiated_by: 'staff', status: 'succeeded' });
    expect(String(refund.attendee_ids)).toBe(String(leaving.id));
    const charge = await t.stripe.charges.retrieve((await t.db('payments').where({ booking_id: bookingId }).first()).stripe_charge_id);
    expect(charge.amount_refunded).toBe(8500);
    expect(inviteOf(mailsTo('card-go').find((m) => m.subject?.startsWith('Cancelled'))!).method).toBe('CANCEL');
    expect(mailsTo('card-stay').find((m) => m.subject?.startsWith(`Refund for booking ${reference}`))?.text).toContain('Refunded £85.00 (£10.00 cancellation fee kept).');
    const audit = await t.db('audit_log').where({ action: 'seats_cancelled_by_staff', target_id: String(bookingId) }).first();
    expect(JSON.parse(audit.details)).toMatchObject({ refund: 'policy', refundAmount: 8500, feeKept: 1000, attendeeIds: [leaving.id] });
    const list = await as.organiser.agent.get(`/admin/events/${event.slug}/attendees`).expect(200);
    expect(list.text).not.toContain(`?seat=${leaving.id}"`);
  });
});

describe('the staff API', () => {
  it('when an organiser asks for a full refund of a paid booking, then 403 and nothing changes; when the treasurer does, then the booking is cancelled, refunded in full and answered with its seats’ ids', async () => {
    // Arrange
    const { reference, bookingId } = await cardBooking(['api-full-a', 'api-full-b']);

    // Act
    const refused = await api('organiser', reference, { refund: 'full' });
    const done = await api('treasurer', reference, { refund: 'full', reason: 'Speaker cancelled their talk' });
    await t.sandbox.flush();

    // Assert
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain('Only the treasurer');
    expect(done.status).toBe(200);
    const seats = await seatsOf(reference);
    expect(done.body.booking).toMatchObject({ reference, status: 'cancelled', paymentMethod: 'stripe' });
    expect(done.body.booking.attendees).toEqual(seats.map((s) => expect.objectContaining({ id: s.id, name: s.name, status: 'cancelled' })));
    expect(done.body.cancellation).toEqual({ attendeeIds: seats.map((s) => s.id), refund: 'full', refundAmount: 19000, creditAmount: 0, feeKept: 0 });
    expect(await t.db('refunds').where({ booking_id: bookingId })).toEqual([expect.objectContaining({ amount: 19000, status: 'succeeded' })]);
    expect(JSON.parse((await t.db('audit_log').where({ action: 'booking_cancelled_by_staff', target_id: String(bookingId) }).first()).details)).toMatchObject({ refund: 'full', refundAmount: 19000, reason: 'Speaker cancelled their talk' });
  });

  it('when an organiser cancels one seat of a paid booking through the API under the policy, then only that seat goes and the refund is its price less the fee', async () => {
    const { reference, bookingId } = await cardBooking(['api-seat-a', 'api-seat-b']);
    const [stays, leaves] = await seatsOf(reference);
    const res = await api('organiser', reference, { attendeeIds: [leaves.id, leaves.id], refund: 'policy' });
    expect(res.status).toBe(200);
    expect(res.body.booking.status).toBe('confirmed');
    expect(res.body.booking.attendees).toEqual([expect.objectContaining({ id: stays.id, status: 'active' }), expect.objectContaining({ id: leaves.id, status: 'cancelled' })]);
    expect(res.body.cancellation).toMatchObject({ attendeeIds: [leaves.id], refundAmount: 8500, feeKept: 1000 });
    expect((await t.db('refunds').where({ booking_id: bookingId }).select('amount')).map((r) => Number(r.amount))).toEqual([8500]);
  });

  it('when the input is wrong, then a clear 4xx names it and nothing is cancelled', async () => {
    // Arrange: two bookings at one free event
    const event = await buildEvent(t.db, { title: 'Bad input meeting' });
    const mine = await register(event.slug, ['bad-a', 'bad-b']);
    const other = await register(event.slug, ['bad-other']);
    const [seat] = await seatsOf(mine.reference);
    const [otherSeat] = await seatsOf(other.reference);

    // Act and assert
    const unknown = await api('organiser', mine.reference, { attendeeIds: [99999999], refund: 'none' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual([expect.objectContaining({ path: 'attendeeIds', message: expect.stringContaining('99999999') })]);
    const foreign = await api('organiser', mine.reference, { attendeeIds: [otherSeat.id], refund: 'none' });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.details[0].message).toContain(`Not an active place of booking ${mine.reference}`);
    const badRefund = await api('organiser', mine.reference, { refund: 'half' });
    expect(badRefund.status).toBe(422);
    expect(badRefund.body.error.details).toEqual([expect.objectContaining({ path: 'refund' })]);
    const noRefund = await api('organiser', mine.reference, {});
    expect(noRefund.status).toBe(422);
    const empty = await api('organiser', mine.reference, { attendeeIds: [], refund: 'none' });
    expect(empty.status).toBe(422);
    expect(empty.body.error.details).toEqual([expect.objectContaining({ path: 'attendeeIds' })]);
    const notNumbers = await api('organiser', mine.reference, { attendeeIds: ['one'], refund: 'none' });
    expect(notNumbers.status).toBe(422);
    expect(notNumbers.body.error.details).toEqual([expect.objectContaining({ path: 'attendeeIds.0' })]);
    const malformed = await request(t.server).post(`/api/v1/admin/bookings/${mine.reference}/cancel`).set('Authorization', `Bearer ${tokens.organiser}`).set('Content-Type', 'application/json').send('{"refund":');
    expect(malformed.status).toBe(400);
    const noBooking = await api('organiser', 'HSUG-ZZZZ-ZZZZ', { refund: 'none' });
    expect(noBooking.status).toBe(404);
    expect(noBooking.body.error.code).toBe('booking_not_found');
    expect((await seatsOf(mine.reference)).every((s) => s.status === 'active')).toBe(true);
    expect((await seatsOf(other.reference)).every((s) => s.status === 'active')).toBe(true);

    // Cancelling the same seat twice, then the whole booking twice
    expect((await api('organiser', mine.reference, { attendeeIds: [seat.id], refund: 'none' })).status).toBe(200);
    const seatAgain = await api('organiser', mine.reference, { attendeeIds: [seat.id], refund: 'none' });
    expect(seatAgain.status).toBe(422);
    expect(seatAgain.body.error.details[0].message).toContain(`Not an active place of booking ${mine.reference}: ${seat.id}`);
    expect((await api('organiser', mine.reference, { refund: 'none' })).status).toBe(200);
    const twice = await api('organiser', mine.reference, { refund: 'none' });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toMatchObject({ code: 'booking_cancelled', message: `Booking ${mine.reference} is already cancelled.` });
  });

  it('when a form is posted without a refund choice or with a made-up one, then the page comes back at 422 with the error beside the choices', async () => {
    const { reference } = await cardBooking(['form-bad']);
    const missing = await as.treasurer.agent.post(`/admin/bookings/${reference}/cancel`).type('form').send({ _csrf: as.treasurer.csrf });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('There is a problem');
    expect(missing.text).toContain('Choose the refund: policy, full or none');
    const madeUp = await as.treasurer.agent.post(`/admin/bookings/${reference}/cancel`).type('form').send({ _csrf: as.treasurer.csrf, refund: 'double', reason: 'kept text' });
    expect(madeUp.status).toBe(422);
    expect(madeUp.text).toContain('kept text');
    const noCsrf = await as.treasurer.agent.post(`/admin/bookings/${reference}/cancel`).type('form').send({ refund: 'full' });
    expect(noCsrf.status).toBe(403);
    expect((await t.db('bookings').where({ reference }).first()).status).toBe('confirmed');
  });
});

describe('who may cancel what', () => {
  it('when the treasurer opens a free booking, then the page says an organiser cancels it and offers no form; the API answers 403 and nothing changes', async () => {
    const event = await buildEvent(t.db, { title: 'Free meeting for the treasurer' });
    const booking = await register(event.slug, ['free-treasurer']);
    const list = await as.treasurer.agent.get(`/admin/events/${event.slug}/attendees`).expect(200);
    expect(list.text).not.toContain(`/admin/bookings/${booking.reference}/cancel`);
    const page = await as.treasurer.agent.get(`/admin/bookings/${booking.reference}/cancel`).expect(200);
    expect(page.text).toContain('A free place is cancelled by an organiser');
    expect(page.text).not.toContain('Cancel this booking</button>');
    const res = await api('treasurer', booking.reference, { refund: 'none' });
    expect(res.status).toBe(403);
    const posted = await as.treasurer.agent.post(`/admin/bookings/${booking.reference}/cancel`).type('form').send({ _csrf: as.treasurer.csrf, refund: 'none' });
    expect(posted.status).toBe(403);
    expect((await t.db('bookings').where({ reference: booking.reference }).first()).status).toBe('confirmed');
  });

  it('when the treasurer opens the attendee list of a paid event, then they get cancel links; an admin may refund in full', async () => {
    const { reference, event } = await cardBooking(['treasurer-links']);
    const list = await as.treasurer.agent.get(`/admin/events/${event.slug}/attendees`).expect(200);
    expect(list.text).toContain(`href="/admin/bookings/${reference}/cancel"`);
    const finance = await as.treasurer.agent.get(`/admin/finance/bookings/${reference}`).expect(200);
    expect(finance.text).toContain(`<a href="/admin/bookings/${reference}/cancel">Cancel this booking</a>`);
    const page = await as.admin.agent.get(`/admin/bookings/${reference}/cancel`).expect(200);
    expect(page.text).toMatch(/id="refund-full" type="radio" name="refund" value="full">/);
    const res = await api('admin', reference, { refund: 'full' });
    expect(res.status).toBe(200);
    expect(res.body.cancellation.refundAmount).toBe(9500);
  });

  it('when a client has no token, then 401', async () => {
    const res = await request(t.server).post('/api/v1/admin/bookings/HSUG-AAAA-AAAA/cancel').send({ refund: 'none' });
    expect(res.status).toBe(401);
  });
});

describe('seat ids for scripts', () => {
  it('when a script reads the staff attendee export and the public booking API, then both give each seat’s id, and those ids cancel that seat', async () => {
    const event = await buildEvent(t.db, { title: 'Ids meeting' });
    const booking = await register(event.slug, ['ids-a', 'ids-b']);
    const exported = await request(t.server).get(`/api/v1/admin/events/${event.slug}/attendees.json`).set('Authorization', `Bearer ${tokens.organiser}`).expect(200);
    const publicApi = await request(t.server).get(`/api/v1/bookings/${booking.reference}`).set('Authorization', `Bearer ${booking.token}`).expect(200);
    const seats = await seatsOf(booking.reference);
    expect(exported.body.attendees.map((a: { id: number; name: string }) => [a.id, a.name])).toEqual(seats.map((s) => [s.id, s.name]));
    expect(publicApi.body.booking.attendees.map((a: { id: number }) => a.id)).toEqual(seats.map((s) => s.id));
    const idOfB = exported.body.attendees.find((a: { name: string }) => a.name === 'Attendee ids-b').id;
    expect((await api('organiser', booking.reference, { attendeeIds: [idOfB], refund: 'none' })).status).toBe(200);
    expect((await seatsOf(booking.reference)).map((s) => s.status)).toEqual(['active', 'cancelled']);
  });
});
