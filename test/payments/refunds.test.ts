import request from 'supertest';
import { refundBookingInFull } from '../../src/payments/refunds';
import { buildEvent, person } from '../support/factories';
import { textOf } from '../support/html';
import { inviteOf } from '../support/ical';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp({ env: { INVOICE_ACCOUNT_NAME: 'Health Statistics User Group', INVOICE_SORT_CODE: '12-34-56', INVOICE_ACCOUNT_NUMBER: '12345678' } });
});
afterEach(() => {
  t.clock.set('2026-03-02T12:00:00Z');
});
afterAll(async () => {
  await t.close();
});

/** Books and pays for places at a new seminar (£95 each, refund deadline 10 March, £10 kept). */
async function paidBooking(names: string[]) {
  const event = await buildEvent(t.db, paidEvent());
  const buyer = person(names[0]);
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .send({ buyer: { name: buyer.name, email: buyer.email }, items: names.map((n) => ({ ticketTypeId: event.ticketTypeIds[1], attendee: person(n) })) });
  t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
  await t.sandbox.flush();
  const booking = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
  const token = new URL(res.body.booking.manageUrl).searchParams.get('token')!;
  return { event, booking, token, reference: res.body.booking.reference as string };
}

async function activeAttendees(bookingId: number) {
  return t.db('attendees').where({ booking_id: bookingId, status: 'active' });
}

function mailsTo(name: string) {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(person(name).email));
}

describe('refunds', () => {
  it('when the buyer cancels before the deadline, then Stripe refunds the total less the fee, seats are freed and calendars get a CANCEL', async () => {
    const { booking, token, reference } = await paidBooking(['cancel-a', 'cancel-b']);
    const res = await request(t.baseUrl).post(`/api/v1/bookings/${reference}/cancel`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body.booking.status).toBe('cancelled');
    const [refund] = await t.db('refunds').where({ booking_id: booking.id });
    expect(refund).toMatchObject({ amount: 19000 - 1000, initiated_by: 'attendee' });
    expect(refund.stripe_refund_id).toMatch(/^re_/);
    const charge = await t.stripe.charges.retrieve((await t.db('payments').where({ booking_id: booking.id }).first()).stripe_charge_id);
    expect(charge.amount_refunded).toBe(18000);
    expect(await activeAttendees(booking.id)).toHaveLength(0);

    await t.sandbox.flush();
    expect(await t.db('refunds').where({ booking_id: booking.id })).toHaveLength(1);
    await t.sendMail();
    const cancelA = mailsTo('cancel-a').find((m) => m.subject?.startsWith('Cancelled'));
    const cancelB = mailsTo('cancel-b').find((m) => m.subject?.startsWith('Cancelled'));
    expect(inviteOf(cancelA!).method).toBe('CANCEL');
    expect(inviteOf(cancelB!).method).toBe('CANCEL');
  });

  it('when the buyer tries to cancel after the refund deadline, then 409 says whom to contact and nothing is refunded', async () => {
    const { booking, token, reference } = await paidBooking(['too-late-cancel']);
    t.clock.set('2026-03-11T09:00:00Z');
    const res = await request(t.baseUrl).post(`/api/v1/bookings/${reference}/cancel?token=${token}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('refund_not_available');
    expect(res.body.error.message).toContain('events@hsug.test');
    const page = await request(t.baseUrl).get(`/bookings/${reference}?token=${token}`);
    expect(textOf(page.text)).toContain('The deadline for cancelling online was Tuesday 10 March 2026, 12:00am, so this booking can no longer be cancelled or refunded here. If you can\'t come, write to events@hsug.test');
    expect(await t.db('refunds').where({ booking_id: booking.id })).toHaveLength(0);
  });

  it('when the whole payment is refunded in the Stripe dashboard, then the booking is cancelled and the attendee gets a CANCEL', async () => {
    const { booking } = await paidBooking(['dash-full']);
    t.sandbox.refundFromDashboard(booking.stripe_payment_intent_id);
    await t.sandbox.flush();
    const fresh = await t.db('bookings').where({ id: booking.id }).first();
    expect(fresh.status).toBe('cancelled');
    expect(fresh.refunded_total).toBe(9500);
    const refunds = await t.db('refunds').where({ booking_id: booking.id });
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amount: 9500, initiated_by: 'dashboard', status: 'succeeded' });
    await t.sendMail();
    expect(inviteOf(mailsTo('dash-full').find((m) => m.subject?.startsWith('Cancelled'))!).method).toBe('CANCEL');
  });

  it('when a dashboard refund covers one of three places, then that last place is cancelled and a small goodwill refund cancels none', async () => {
    const { booking } = await paidBooking(['part-a', 'part-b', 'part-c']);
    t.sandbox.refundFromDashboard(booking.stripe_payment_intent_id, 9500);
    await t.sandbox.flush();
    let active = await activeAttendees(booking.id);
    expect(active.map((a) => a.email).sort()).toEqual([person('part-a').email, person('part-b').email]);
    t.sandbox.refundFromDashboard(booking.stripe_payment_intent_id, 1000);
    await t.sandbox.flush();
    active = await activeAttendees(booking.id);
    expect(active).toHaveLength(2);
    const fresh = await t.db('bookings').where({ id: booking.id }).first();
    expect(fresh).toMatchObject({ status: 'confirmed', refunded_total: 10500 });
    expect((await t.db('payments').where({ booking_id: booking.id }).first()).status).toBe('partially_refunded');
  });

  it('when staff refund a booking in full, then Stripe refunds what is left and every seat is cancelled', async () => {
    const { booking } = await paidBooking(['staff-a', 'staff-b']);
    await refundBookingInFull(t.ctx, booking.id, 'Event cancelled');
    const charge = await t.stripe.charges.retrieve((await t.db('payments').where({ booking_id: booking.id }).first()).stripe_charge_id);
    expect(charge.amount_refunded).toBe(19000);
    expect(await activeAttendees(booking.id)).toHaveLength(0);
    expect((await t.db('bookings').where({ id: booking.id }).first()).status).toBe('cancelled');
  });

  it('when a payment is disputed and the dispute is lost, then the dispute is recorded with its status', async () => {
    const { booking } = await paidBooking(['disputer']);
    const charge = (await t.db('payments').where({ booking_id: booking.id }).first()).stripe_charge_id;
    const dispute = t.sandbox.dispute(charge);
    await t.sandbox.flush();
    expect(await t.db('disputes').where({ booking_id: booking.id })).toEqual([expect.objectContaining({ stripe_dispute_id: dispute.id, amount: 9500 })]);
    t.sandbox.closeDispute(dispute.id, 'lost');
    await t.sandbox.flush();
    expect((await t.db('disputes').where({ stripe_dispute_id: dispute.id }).first()).status).toBe('lost');
  });
});

describe('refunds under dispute', () => {
  it('when a payment is under dispute, then cancelling it for a refund is refused and nothing changes', async () => {
    const { booking, token, reference } = await paidBooking(['disputed-cancel']);
    t.sandbox.dispute((await t.db('payments').where({ booking_id: booking.id }).first()).stripe_charge_id);
    await t.sandbox.flush();
    const res = await request(t.baseUrl).post(`/api/v1/bookings/${reference}/cancel?token=${token}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('payment_disputed');
    expect(await t.db('refunds').where({ booking_id: booking.id })).toHaveLength(0);
    expect(await activeAttendees(booking.id)).toHaveLength(1);
  });
});

describe('delayed payment methods', () => {
  it('when an async payment fails, then the hold is released and the buyer is told nothing was charged', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const p = person('async-fail');
    const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: p, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: p }] });
    t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl), { async: 'fail' });
    await t.sandbox.flush();
    expect((await t.db('bookings').where({ reference: res.body.booking.reference }).first()).status).toBe('expired');
    await t.sendMail();
    const { title } = await t.db('events').where({ id: event.id }).first();
    expect(mailsTo('async-fail').map((m) => m.subject)).toContain(`Your payment did not go through: ${title}`);
  });

  it('when an async payment succeeds, then the booking is confirmed', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const p = person('async-ok');
    const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: p, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: p }] });
    t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl), { async: 'succeed' });
    await t.sandbox.flush();
    expect((await t.db('bookings').where({ reference: res.body.booking.reference }).first()).status).toBe('confirmed');
  });
});

describe('paying by invoice', () => {
  it('when an NHS body books by invoice, then the places are confirmed with the invoice outstanding and a pro-forma with bank details is sent', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const p = person('invoice');
    const res = await request(t.baseUrl)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer: { ...p, organisation: 'NHS Test Trust' }, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: p }], paymentMethod: 'invoice', purchaseOrder: 'PO-12345', billingContact: 'Accounts, accounts@nhs.test', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
    expect(res.status).toBe(201);
    expect(res.body.booking).toMatchObject({ status: 'confirmed', total: 9500, paymentMethod: 'invoice' });
    expect(res.body.booking.checkoutUrl).toBeUndefined();
    const row = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
    expect(row.invoice_status).toBe('outstanding');
    await t.sendMail();
    // The confirmation (with the invitation) says the invoice follows; the invoice, with the bank details and its number
    // as the payment reference, comes in an email of its own (issue 11).
    expect(mailsTo('invoice')).toHaveLength(2);
    const confirmation = mailsTo('invoice').find((m) => m.subject?.endsWith(`(invoice to follow for ${res.body.booking.reference})`));
    expect(confirmation?.text).toContain('PO-12345');
    expect(confirmation?.text).toContain('£95.00');
    const invoice = mailsTo('invoice').find((m) => m.subject?.startsWith('Invoice HSUG-'));
    expect(invoice?.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
    expect(inviteOf(mailsTo('invoice').find((m) => m.subject?.startsWith("You're booked"))!).method).toBe('REQUEST');
  });

  it('when the purchase order is missing, then 422 names it; when the event does not allow invoices, then 409', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const p = person('no-po');
    const missing = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: p, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: p }], paymentMethod: 'invoice' });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['purchaseOrder', 'billingEmail', 'billingAddress']));
    const cardOnly = await buildEvent(t.db, { ...paidEvent(), allowsInvoice: false });
    const refused = await request(t.baseUrl)
      .post(`/api/v1/events/${cardOnly.slug}/bookings`)
      .send({ buyer: p, items: [{ ticketTypeId: cardOnly.ticketTypeIds[1], attendee: p }], paymentMethod: 'invoice', purchaseOrder: 'PO', billingContact: 'x', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('invoice_not_available');
  });
});
