import request from 'supertest';
import { buildCode, buildQuestion } from '../support/codes';
import { buildEvent, person } from '../support/factories';
import { attribute, tagWithId, textOf } from '../support/html';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * Discount codes at their edges (a hostile review of issue 18): late payments, waitlists, seat cancellations, odd
 * input. Each test was a defect report first.
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterEach(() => {
  t.clock.set('2026-03-02T12:00:00.000Z');
});
afterAll(async () => {
  await t.close();
});

let n = 0;
function body(ticketTypeId: number, extra: Record<string, unknown> = {}, seats = 1) {
  const people = Array.from({ length: seats }, () => person(`edge-${++n}`));
  return { buyer: { name: people[0].name, email: people[0].email }, items: people.map((p) => ({ ticketTypeId, attendee: p })), ...extra };
}
const book = (slug: string, payload: object) => request(t.app).post(`/api/v1/events/${slug}/bookings`).send(payload);

async function usesOf(codeId: number): Promise<number> {
  const row = await t.db('attendees').join('bookings', 'bookings.id', 'attendees.booking_id').where({ 'attendees.discount_code_id': codeId, 'attendees.status': 'active' }).whereIn('bookings.status', ['confirmed', 'pending_payment', 'waitlisted']).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** The sweeper's work, without moving the sandbox's clock (its session stays payable, as a slow bank's can be). */
async function lapse(reference: string) {
  await t.db('bookings').where({ reference }).update({ status: 'expired', hold_expires_at: '2026-03-02T11:00:00.000Z' });
}

describe('a code used by a hold that lapses, then is paid late', () => {
  it('when the code’s last use went to someone else meanwhile, then the late payment is refunded in full and the code is not used beyond its limit', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 9500 }]), capacity: 10 });
    const codeId = await buildCode(t.db, { code: `LATE1-${event.id}`, eventId: event.id, kind: 'percent', percent: 10, maxUses: 1 });
    const late = await book(event.slug, body(event.ticketTypeIds[0], { discountCode: `LATE1-${event.id}` }));
    expect(late.body.booking).toMatchObject({ status: 'pending_payment', total: 8550 });
    await lapse(late.body.booking.reference);
    // The hold has lapsed: its use is given back, and another buyer takes it.
    const other = await book(event.slug, body(event.ticketTypeIds[0], { discountCode: `LATE1-${event.id}` }));
    expect(other.status).toBe(201);
    t.sandbox.pay(sessionIdOf(other.body.booking.checkoutUrl));
    await t.sandbox.flush();

    t.sandbox.pay(sessionIdOf(late.body.booking.checkoutUrl));
    await t.sandbox.flush();

    const booking = await t.db('bookings').where({ reference: late.body.booking.reference }).first();
    expect(booking.status).toBe('expired');
    expect(await usesOf(codeId)).toBe(1);
    const payment = await t.db('payments').where({ booking_id: booking.id }).first();
    expect(payment).toMatchObject({ amount: 8550, refund_because: 'late' });
    const [refund] = await t.db('refunds').where({ booking_id: booking.id });
    expect(refund).toMatchObject({ amount: 8550 });
    const intent = await t.stripe.paymentIntents.retrieve(payment.stripe_payment_intent_id, { expand: ['latest_charge'] });
    expect((intent.latest_charge as { amount_refunded: number }).amount_refunded).toBe(8550);
  });

  it('when the code still has a use, then the late payment at the discounted price takes the place back and uses the code once', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 9500 }]), capacity: 10 });
    const codeId = await buildCode(t.db, { code: `LATE2-${event.id}`, eventId: event.id, kind: 'percent', percent: 10, maxUses: 2 });
    const late = await book(event.slug, body(event.ticketTypeIds[0], { discountCode: `LATE2-${event.id}` }));
    await lapse(late.body.booking.reference);
    // The lapsed hold gave its use back.
    expect(await usesOf(codeId)).toBe(0);
    t.sandbox.pay(sessionIdOf(late.body.booking.checkoutUrl));
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference: late.body.booking.reference }).first();
    expect(booking).toMatchObject({ status: 'confirmed', total: 8550, discount_total: 950 });
    expect(await usesOf(codeId)).toBe(1);
    expect(await t.db('refunds').where({ booking_id: booking.id })).toHaveLength(0);
    expect((await t.db('payments').where({ booking_id: booking.id }).first()).amount).toBe(8550);
  });
});

describe('odd codes typed on the booking form, in the API and in the event page’s code form', () => {
  const odd = ['', '   ', 'x'.repeat(10_000), 'DEMO\u000020', 'ＤＥＭＯ２０', 'DЕMO20', 'DEMO 20', 'demo20\u202e', '%', "' OR 1=1 --", '\ud800'];

  it('when Apply code is pressed with the code field empty, then nothing is booked and the field says to type a code, keeping what was typed', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 9500 }]), capacity: 10 });
    const res = await request(t.app).post(`/events/${event.slug}/book`).type('form').send({ buyer_name: 'Ada Empty', buyer_email: 'ada-empty-code@example.org', seat_0_type: String(event.ticketTypeIds[0]), seat_0_price: '9500', payment_method: 'card', discount_code: '  ', apply_code: '1' });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain('Type the code you were given, then choose Apply code');
    expect(res.text).toContain('id="field-discount_code-error"');
    expect(attribute(tagWithId(res.text, 'field-buyer_name'), 'value')).toBe('Ada Empty');
    expect(await t.db('bookings').where({ event_id: event.id })).toHaveLength(0);
  });

  it.each(odd.map((code) => [JSON.stringify(code).slice(0, 40), code]))('when the code is %s, then no page or API answers 500, and what was typed is kept', async (_, code) => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 9500 }]), capacity: 10 });
    await t.db('ticket_types').insert({ event_id: event.id, name: 'Speaker', price: 9500, currency: 'GBP', is_hidden: true, position: 5 });
    const form = { buyer_name: 'Ada Odd', buyer_email: `ada-odd-${event.id}@example.org`, seat_0_type: String(event.ticketTypeIds[0]), seat_0_price: '9500', payment_method: 'card', discount_code: code };
    const applied = await request(t.app).post(`/events/${event.slug}/book`).type('form').send({ ...form, apply_code: '1' });
    expect(applied.status).not.toBe(500);
    expect(applied.status).not.toBe(303);
    expect(attribute(tagWithId(applied.text, 'field-buyer_name'), 'value')).toBe('Ada Odd');
    // Whatever was wrong with the code is said beside its field.
    expect(applied.text).toContain('id="field-discount_code-error"');
    const booked = await request(t.app).post(`/events/${event.slug}/book`).type('form').send(form);
    expect(booked.status).not.toBe(500);
    if (booked.status !== 303) expect(attribute(tagWithId(booked.text, 'field-buyer_name'), 'value')).toBe('Ada Odd');
    const api = await book(event.slug, body(event.ticketTypeIds[0], { discountCode: code }));
    expect(api.status).not.toBe(500);
    const reveal = await request(t.app).get(`/events/${event.slug}/book`).query({ code });
    expect(reveal.status).not.toBe(500);
  });

  it('when a code is typed in full-width letters, with spaces inside or in lower case, then it is the code; a look-alike letter from another script is not', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 9500 }]), capacity: 10 });
    await buildCode(t.db, { code: `WIDE${event.id}`, eventId: event.id, kind: 'percent', percent: 10 });
    const wide = [...`wide${event.id}`].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join('');
    for (const typed of [wide, ` Wi de ${event.id} `, `wide${event.id}`]) {
      const res = await book(event.slug, body(event.ticketTypeIds[0], { discountCode: typed }));
      expect({ typed, status: res.status, discount: res.body.booking?.discountTotal }).toEqual({ typed, status: 201, discount: 950 });
    }
    const cyrillic = await book(event.slug, body(event.ticketTypeIds[0], { discountCode: `WIDЕ${event.id}` }));
    expect(cyrillic.status).toBe(409);
    expect(cyrillic.body.error.code).toBe('discount_code_unknown');
  });
});

describe('a hidden ticket type and its code', () => {
  it('when the code that reveals a speaker place is withdrawn while the speaker has the form open, then booking is refused beside the code field with everything kept', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Non-member', price: 9500 }, { name: 'Speaker', price: 9500 }]), capacity: 10 });
    const speaker = event.ticketTypeIds[1];
    await t.db('ticket_types').where({ id: speaker }).update({ is_hidden: true });
    const codeId = await buildCode(t.db, { code: `GONE-${event.id}`, eventId: event.id, kind: 'free', revealsTicketTypeId: speaker, ticketTypeIds: [speaker] });
    const form = await request(t.app).get(`/events/${event.slug}/book?code=gone-${event.id}`);
    expect(form.status).toBe(200);
    await t.db('discount_codes').where({ id: codeId }).update({ is_active: false });
    const fields = { buyer_name: 'Ada Speaker', buyer_email: `ada-gone-${event.id}@example.org`, seat_0_type: String(speaker), seat_0_price: '9500', payment_method: 'card', discount_code: `gone-${event.id}` };
    for (const extra of [{}, { apply_code: '1' }]) {
      const res = await request(t.app).post(`/events/${event.slug}/book`).type('form').send({ ...fields, ...extra });
      expect(res.status).toBe(409);
      expect(textOf(res.text)).toContain(`The code GONE-${event.id} has been withdrawn by the organisers.`);
      expect(res.text).toContain('id="field-discount_code-error"');
      expect(attribute(tagWithId(res.text, 'field-buyer_name'), 'value')).toBe('Ada Speaker');
    }
    const again = await request(t.app).get(`/events/${event.slug}/book?code=gone-${event.id}`);
    expect(again.status).toBe(409);
    expect(await t.db('bookings').where({ event_id: event.id })).toHaveLength(0);
  });
});

describe('a code on the waitlist and on some seats of a booking', () => {
  it('when a waitlisted booking holds the code’s last use and is offered a place, then the offer is at the discounted price; when the offer lapses, the use is given back once', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 9500 }]), capacity: 1 });
    const codeId = await buildCode(t.db, { code: `WAIT-${event.id}`, eventId: event.id, kind: 'percent', percent: 20, maxUses: 1 });
    const first = await book(event.slug, body(event.ticketTypeIds[0]));
    expect(first.body.booking.status).toBe('pending_payment');
    const waiting = await book(event.slug, body(event.ticketTypeIds[0], { discountCode: `wait-${event.id}` }));
    expect(waiting.body.booking).toMatchObject({ status: 'waitlisted', total: 7600 });
    const third = await book(event.slug, body(event.ticketTypeIds[0], { discountCode: `wait-${event.id}` }));
    expect(third.body.error.code).toBe('discount_code_used_up');

    const token = new URL(first.body.booking.manageUrl).searchParams.get('token');
    expect((await request(t.app).post(`/api/v1/bookings/${first.body.booking.reference}/cancel`).set('Authorization', `Bearer ${token}`)).status).toBe(200);
    const offered = await t.db('bookings').where({ reference: waiting.body.booking.reference }).first();
    expect(offered).toMatchObject({ status: 'pending_payment', total: 7600 });
    expect(await usesOf(codeId)).toBe(1);
    const waitToken = new URL(waiting.body.booking.manageUrl).searchParams.get('token');
    const pay = await request(t.app).get(`/bookings/${waiting.body.booking.reference}/pay?token=${waitToken}`);
    expect(pay.status).toBe(303);
    const session = await t.stripe.checkout.sessions.retrieve(sessionIdOf(pay.headers.location));
    expect(session.amount_total).toBe(7600);

    await lapse(waiting.body.booking.reference);
    expect(await usesOf(codeId)).toBe(0);
    const again = await book(event.slug, body(event.ticketTypeIds[0], { discountCode: `wait-${event.id}` }));
    expect(again.body.booking).toMatchObject({ status: 'pending_payment', total: 7600 });
    expect(await usesOf(codeId)).toBe(1);
  });

  it('when one seat of a booking where only the first place had the code is cancelled, then the refund is at most what was paid for that seat, to the penny, at Stripe too', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 9500 }]), capacity: 10 });
    await buildCode(t.db, { code: `ONEOF-${event.id}`, eventId: event.id, kind: 'percent', percent: 33, maxPerBooking: 1 });
    const res = await book(event.slug, body(event.ticketTypeIds[0], { discountCode: `ONEOF-${event.id}` }, 2));
    expect(res.body.booking).toMatchObject({ total: 6365 + 9500, discountTotal: 3135 });
    t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
    await t.sandbox.flush();
    const booking = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
    const seats = await t.db('attendees').where({ booking_id: booking.id }).orderBy('id').select('id', 'unit_price', 'discount_amount');
    expect(seats.map((s) => [s.unit_price, s.discount_amount])).toEqual([[6365, 3135], [9500, 0]]);
    const token = new URL(res.body.booking.manageUrl).searchParams.get('token')!;
    const cancelled = await request(t.app).post(`/bookings/${booking.reference}/seats/${seats[0].id}/cancel`).type('form').send({ token });
    expect(cancelled.status).toBe(303);
    await t.sandbox.flush();
    const refunds = await t.db('refunds').where({ booking_id: booking.id }).select('amount', 'fee_kept');
    // Within the refund policy: the discounted seat's price less the £10.00 fee.
    expect(refunds).toEqual([{ amount: 5365, fee_kept: 1000 }]);
    const payment = await t.db('payments').where({ booking_id: booking.id }).first();
    const intent = await t.stripe.paymentIntents.retrieve(payment.stripe_payment_intent_id, { expand: ['latest_charge'] });
    expect((intent.latest_charge as { amount_refunded: number }).amount_refunded).toBe(5365);
    expect(payment.amount).toBe(15865);
  });
});

describe('hostile answers in the JSON API', () => {
  it('when answers come as arrays, objects, numbers, 1,000 of them, or for another event’s questions, then the answer is 201 or a 422 naming each wrong answer, never a 500', async () => {
    const event = await buildEvent(t.db);
    const other = await buildEvent(t.db);
    const trust = await buildQuestion(t.db, event.id, { label: 'Which trust?', position: 1 });
    const dinner = await buildQuestion(t.db, event.id, { kind: 'yes_no', label: 'Dinner?', isRequired: false, position: 2 });
    const topics = await buildQuestion(t.db, event.id, { scope: 'attendee', kind: 'multiple_choice', label: 'Topics', options: ['A', 'B'], isRequired: false, position: 3 });
    const foreign = await buildQuestion(t.db, other.id, { label: 'Not this event’s', position: 1 });
    const free = (answers: unknown, itemAnswers?: unknown) => {
      const p = person(`hostile-${++n}`);
      return request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p, ...(itemAnswers === undefined ? {} : { answers: itemAnswers }) }], answers });
    };
    const wrong = await free({ [trust]: ['NHS Fife'], [dinner]: 'maybe' }, { [topics]: ['A', 'A'] });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([`answers.${dinner}`, `answers.${trust}`, `items.0.answers.${topics}`].sort());
    for (const answers of [{ [trust]: { text: 'x' } }, { [trust]: 12 }, { [trust]: [['x']] }, { [trust]: null }, [], 'x', { ['-1']: 'x', [trust]: 'ok' }]) {
      const res = await free(answers);
      expect({ answers, status: res.status }).toEqual({ answers, status: 422 });
    }
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [String(900000 + i), 'x']));
    const thousand = await free({ ...many, [trust]: 'NHS Fife', [foreign]: 'Not stored' });
    expect(thousand.status).toBe(201);
    const booking = await t.db('bookings').where({ reference: thousand.body.booking.reference }).first();
    expect(await t.db('booking_answers').where({ booking_id: booking.id }).select('question_id', 'value')).toEqual([{ question_id: trust, value: 'NHS Fife' }]);
  });
});

describe('the event page’s form for a code to a place not listed', () => {
  it('when the code is wrong or malformed, then the refusal is beside that field with the code typed kept, and the page is not a booking failure', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Non-member', price: 9500 }]), capacity: 10 });
    await t.db('ticket_types').insert({ event_id: event.id, name: 'Speaker', price: 9500, currency: 'GBP', is_hidden: true, position: 5 });
    for (const [typed, message] of [
      ['NOTATALK', 'We do not recognise the code “NOTATALK” for this event.'],
      ['x'.repeat(41), 'A discount code is at most 40 characters'],
    ]) {
      const res = await request(t.app).get(`/events/${event.slug}/book`).query({ code: typed });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      const error = /<p class="error-message" id="field-code-place-error">([\s\S]*?)<\/p>/.exec(res.text)?.[1];
      expect(textOf(error ?? '')).toContain(message);
      expect(attribute(tagWithId(res.text, 'field-code-place'), 'value')).toBe(typed);
      expect(res.text).toContain('href="#field-code-place"');
      expect(textOf(res.text)).not.toContain('We could not take your booking');
    }
  });
});

describe('a code limited to a ticket type that is later taken off sale', () => {
  it('when the only type a code is for is no longer on sale, then the refusal says so instead of pointing at a ticket nobody can choose', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Early bird', price: 7500 }, { name: 'Standard', price: 9500 }]), capacity: 10 });
    const [early, standard] = event.ticketTypeIds;
    await buildCode(t.db, { code: `EARLY-${event.id}`, eventId: event.id, kind: 'percent', percent: 10, ticketTypeIds: [early] });
    await t.db('ticket_types').where({ id: early }).update({ is_active: false });
    const res = await book(event.slug, body(standard, { discountCode: `EARLY-${event.id}` }));
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'discount_code_not_applicable', details: [{ path: 'discountCode', message: `The code EARLY-${event.id} is not for the tickets chosen. It is for tickets that are no longer on sale.` }] });
    const onForm = await request(t.app).post(`/events/${event.slug}/book`).type('form').send({ buyer_name: 'Ada Early', buyer_email: `ada-early-${event.id}@example.org`, seat_0_type: String(standard), seat_0_price: '9500', payment_method: 'card', discount_code: `early-${event.id}`, apply_code: '1' });
    expect(onForm.status).toBe(409);
    expect(textOf(onForm.text)).toContain('It is for tickets that are no longer on sale.');
  });
});
