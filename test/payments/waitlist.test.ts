import request from 'supertest';
import { expireLapsedHolds } from '../../src/payments/sweeper';
import { buildEvent, person } from '../support/factories';
import { inviteOf } from '../support/ical';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterEach(() => {
  t.clock.set('2026-03-02T12:00:00Z');
});
afterAll(async () => {
  await t.close();
});

async function oneSeatSeminar() {
  return buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 1 });
}

function book(slug: string, ticketTypeId: number, who: string, extra: object = {}) {
  const p = person(who);
  return request(t.baseUrl)
    .post(`/api/v1/events/${slug}/bookings`)
    .send({ buyer: { ...p, organisation: 'NHS Test Trust' }, items: [{ ticketTypeId, attendee: p }], ...extra });
}

async function statusOf(reference: string) {
  return (await t.db('bookings').where({ reference }).first()).status as string;
}

function mailsTo(who: string) {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(person(who).email));
}

describe('the waitlist of a charged event', () => {
  it('when the only place is held, then the next buyer joins the waitlist, and when the hold lapses they are offered the place with a payment link', async () => {
    const event = await oneSeatSeminar();
    const first = await book(event.slug, event.ticketTypeIds[0], 'wl-first');
    const second = await book(event.slug, event.ticketTypeIds[0], 'wl-second');
    expect(second.status).toBe(201);
    expect(second.body.booking).toMatchObject({ status: 'waitlisted', waitlistPosition: 1 });

    t.clock.advance(31 * 60_000);
    await expireLapsedHolds(t.ctx);
    expect(await statusOf(first.body.booking.reference)).toBe('expired');
    const offered = await t.db('bookings').where({ reference: second.body.booking.reference }).first();
    expect(offered.status).toBe('pending_payment');
    expect(new Date(offered.hold_expires_at).getTime()).toBe(t.clock.now().getTime() + 24 * 3600_000);

    await t.sendMail();
    const offer = mailsTo('wl-second').find((m) => m.subject?.startsWith('A place has come up — pay to confirm it'));
    expect(offer).toBeDefined();
    const payLink = /(http\S+\/pay\?token=\S+)/.exec(offer!.text!)![1];
    expect(() => inviteOf(offer!)).toThrow();

    const redirect = await request(t.baseUrl).get(new URL(payLink).pathname + new URL(payLink).search);
    expect(redirect.status).toBe(303);
    expect(redirect.headers.location).toMatch(/\/checkout\/cs_test_/);
    t.sandbox.pay(sessionIdOf(redirect.headers.location));
    await t.sandbox.flush();
    expect(await statusOf(second.body.booking.reference)).toBe('confirmed');
    await t.sendMail();
    expect(inviteOf(mailsTo('wl-second').find((m) => m.subject?.startsWith("You're booked"))!).method).toBe('REQUEST');
  });

  it('when an offer is not taken up in time, then it lapses and the next person is offered the place', async () => {
    const event = await oneSeatSeminar();
    const first = await book(event.slug, event.ticketTypeIds[0], 'lapse-1');
    const second = await book(event.slug, event.ticketTypeIds[0], 'lapse-2');
    const third = await book(event.slug, event.ticketTypeIds[0], 'lapse-3');
    t.clock.advance(31 * 60_000);
    await expireLapsedHolds(t.ctx);
    expect(await statusOf(second.body.booking.reference)).toBe('pending_payment');
    expect(await statusOf(third.body.booking.reference)).toBe('waitlisted');
    t.clock.advance(25 * 3600_000);
    await expireLapsedHolds(t.ctx);
    expect(await statusOf(first.body.booking.reference)).toBe('expired');
    expect(await statusOf(second.body.booking.reference)).toBe('expired');
    expect(await statusOf(third.body.booking.reference)).toBe('pending_payment');
  });

  it('when a waitlisted invoice booking gets a freed place, then it is confirmed at once and the pro-forma is sent', async () => {
    const event = await oneSeatSeminar();
    const first = await book(event.slug, event.ticketTypeIds[0], 'inv-first');
    const invoice = await book(event.slug, event.ticketTypeIds[0], 'inv-wait', { paymentMethod: 'invoice', purchaseOrder: 'PO-9', billingContact: 'ap@nhs.test', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
    expect(invoice.body.booking.status).toBe('waitlisted');
    const token = new URL(first.body.booking.manageUrl).searchParams.get('token');
    await request(t.baseUrl).post(`/api/v1/bookings/${first.body.booking.reference}/cancel?token=${token}`).expect(200);
    const row = await t.db('bookings').where({ reference: invoice.body.booking.reference }).first();
    expect(row).toMatchObject({ status: 'confirmed', invoice_status: 'outstanding' });
    await t.sendMail();
    // One email for the moment the place came up: the confirmation carries the pro-forma (issue 15).
    const promoted = mailsTo('inv-wait').filter((m) => m.subject?.startsWith('A place has come up'));
    expect(promoted.map((m) => m.subject)).toEqual([expect.stringMatching(/^A place has come up — you're booked: .* \(invoice to follow for HSUG-[0-9A-Z-]+\)$/)]);
    expect(promoted[0].text).toContain('Purchase order:');
    // The invoice is issued when the place is granted, in an email of its own (issue 11).
    const invoices = mailsTo('inv-wait').filter((m) => m.subject?.startsWith('Invoice HSUG-'));
    expect(invoices).toHaveLength(1);
    expect(invoices[0].attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
  });

  it('when a paid booking is refunded, then its place is offered to the waitlist', async () => {
    const event = await oneSeatSeminar();
    const paid = await book(event.slug, event.ticketTypeIds[0], 'ref-paid');
    t.sandbox.pay(sessionIdOf(paid.body.booking.checkoutUrl));
    await t.sandbox.flush();
    const waiting = await book(event.slug, event.ticketTypeIds[0], 'ref-wait');
    const token = new URL(paid.body.booking.manageUrl).searchParams.get('token');
    await request(t.baseUrl).post(`/api/v1/bookings/${paid.body.booking.reference}/cancel?token=${token}`).expect(200);
    expect(await statusOf(waiting.body.booking.reference)).toBe('pending_payment');
  });

  it('when someone leaves the waitlist of a charged event, then nothing is refunded and they are off the list', async () => {
    const event = await oneSeatSeminar();
    await book(event.slug, event.ticketTypeIds[0], 'leave-first');
    const waiting = await book(event.slug, event.ticketTypeIds[0], 'leave-wait');
    const token = new URL(waiting.body.booking.manageUrl).searchParams.get('token');
    const res = await request(t.baseUrl).post(`/api/v1/bookings/${waiting.body.booking.reference}/cancel?token=${token}`);
    expect(res.status).toBe(200);
    expect(res.body.booking.status).toBe('cancelled');
    expect(await t.db('refunds').where({ booking_id: (await t.db('bookings').where({ reference: waiting.body.booking.reference }).first()).id })).toHaveLength(0);
  });
});
