import request from 'supertest';
import { buildEvent, person } from '../support/factories';
import { inviteOf } from '../support/ical';
import { paidEvent, sessionIdOf, successPathOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

function paidBody(ticketTypeId: number, people: Array<string | number>, price = 9500) {
  const buyer = person(people[0]);
  return {
    buyer: { name: buyer.name, email: buyer.email, organisation: 'NHS Test Trust' },
    items: people.map((p) => ({ ticketTypeId, expectedPrice: price, attendee: person(p) })),
  };
}

async function bookingRow(reference: string) {
  return t.db('bookings').where({ reference }).first();
}

describe('paying by card through Stripe Checkout', () => {
  it('when a buyer books two places and pays, then the booking is confirmed once and each attendee gets an invitation', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const nonMember = event.ticketTypeIds[1];
    const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send(paidBody(nonMember, ['pay-a', 'pay-b']));
    expect(res.status).toBe(201);
    expect(res.body.booking).toMatchObject({ status: 'pending_payment', total: 19000, currency: 'GBP' });
    expect(res.body.booking.checkoutUrl).toMatch(/\/checkout\/cs_test_/);
    // HOLD_MINUTES is 30; Stripe wants 30 minutes from when it receives the request, so the hold gets a minute's margin.
    expect(new Date(res.body.booking.holdExpiresAt).getTime()).toBe(new Date('2026-03-02T12:31:00Z').getTime());

    const sessionId = sessionIdOf(res.body.booking.checkoutUrl);
    const session = await t.stripe.checkout.sessions.retrieve(sessionId, { expand: ['line_items'] });
    expect(session.metadata).toMatchObject({ booking_reference: res.body.booking.reference });
    expect(session.client_reference_id).toBe(res.body.booking.reference);
    expect(session.customer_email).toBe(person('pay-a').email);
    expect(session.amount_total).toBe(19000);
    expect(session.line_items?.data[0]).toMatchObject({ quantity: 2 });

    t.sandbox.pay(sessionId);
    await t.sandbox.flush();

    const booking = await bookingRow(res.body.booking.reference);
    expect(booking.status).toBe('confirmed');
    const payments = await t.db('payments').where({ booking_id: booking.id });
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ amount: 19000, status: 'succeeded', method: 'card' });
    expect(payments[0].stripe_charge_id).toMatch(/^ch_/);

    await t.sendMail();
    const mails = t.smtp.messages.filter((m) => m.subject?.includes('Test meeting') || m.subject?.includes(booking.reference));
    const invitations = mails.filter((m) => m.subject?.startsWith("You're booked"));
    expect(invitations.map((m) => (m.to as { text: string }).text).sort()).toEqual([expect.stringContaining(person('pay-a').email), expect.stringContaining(person('pay-b').email)]);
    for (const mail of invitations) {
      const invite = inviteOf(mail);
      expect(invite.method).toBe('REQUEST');
      expect(invite.attendees[0]).toContain((mail.to as { value: Array<{ address: string }> }).value[0].address);
    }
    // The buyer (attending) gets their invitation, carrying the receipt's lines (issue 15), and the receipt PDF in an
    // email of its own (issue 11), never with the invitation.
    const toBuyer = mails.filter((m) => JSON.stringify(m.to).includes(person('pay-a').email) && m.subject?.startsWith("You're booked"));
    expect(toBuyer).toHaveLength(1);
    expect(toBuyer[0].subject).toMatch(new RegExp(`^You're booked: Test meeting \\d+ \\(receipt for ${booking.reference}\\)$`));
    expect(toBuyer[0].text).toContain('Total: £190.00');
    const receipts = t.smtp.messages.filter((m) => m.subject?.startsWith('Receipt HSUG-R-') && JSON.stringify(m.to).includes(person('pay-a').email));
    expect(receipts).toHaveLength(1);
    expect(receipts[0].attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
  });

  it('when the buyer returns before the webhook, then the success page confirms from Stripe and shows it', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send(paidBody(event.ticketTypeIds[1], ['early']));
    const sessionId = sessionIdOf(res.body.booking.checkoutUrl);
    t.sandbox.setDelivery({ hold: true });
    t.sandbox.pay(sessionId);
    const successPath = await successPathOf(t.stripe, sessionId);
    expect(successPath).toContain(`reference=${res.body.booking.reference}`);
    // The reference alone, or with a wrong token, shows nothing: the manage token is the proof.
    expect((await request(t.baseUrl).get(`/checkout/success?session_id=${sessionId}&reference=${res.body.booking.reference}`)).status).toBe(404);
    expect((await request(t.baseUrl).get(successPath.replace(/token=[^&]+/, 'token=wrongwrongwrongwrongwrongwrongwrongwrong123'))).status).toBe(404);
    const page = await request(t.baseUrl).get(successPath);
    expect(page.status).toBe(303);
    const manage = await request(t.baseUrl).get(page.headers.location);
    expect(manage.text).toContain('Payment received');
    expect((await bookingRow(res.body.booking.reference)).status).toBe('confirmed');

    t.sandbox.releaseHeld('reverse');
    t.sandbox.setDelivery({ hold: false });
    await t.sandbox.flush();
    expect(await t.db('payments').where({ stripe_checkout_session_id: sessionId })).toHaveLength(1);
  });

  it('when the same webhook arrives five times and in every order, then there is one payment, one confirmation and one email per attendee', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send(paidBody(event.ticketTypeIds[1], ['dup-a', 'dup-b', 'dup-c']));
    const sessionId = sessionIdOf(res.body.booking.checkoutUrl);
    t.sandbox.setDelivery({ hold: true, duplicates: 5 });
    t.sandbox.pay(sessionId);
    t.sandbox.releaseHeld('shuffle');
    t.sandbox.setDelivery({ hold: false, duplicates: 1 });
    await t.sandbox.flush();

    const booking = await bookingRow(res.body.booking.reference);
    expect(booking.status).toBe('confirmed');
    expect(await t.db('payments').where({ booking_id: booking.id })).toHaveLength(1);
    const emails = await t.db('outbox_emails').where({ booking_id: booking.id });
    expect(emails.filter((e) => e.kind === 'booking_confirmed')).toHaveLength(3);
    // The buyer's confirmation is the receipt: no second email at the same moment (issue 15).
    expect(emails.filter((e) => String(e.subject).includes('(receipt for '))).toHaveLength(1);
    expect(emails.filter((e) => e.kind === 'receipt')).toHaveLength(0);
    const deliveries = t.sandbox.deliveries().filter((d) => d.status === 200);
    expect(deliveries.length).toBeGreaterThanOrEqual(5);
  });
});

describe('refusing a booking before payment', () => {
  it('when the price shown is no longer the price, then 409 price_changed and nothing is held', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send(paidBody(event.ticketTypeIds[1], ['price'], 8000));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('price_changed');
    expect(await t.db('bookings').where({ event_id: event.id })).toHaveLength(0);
  });

  it('when a member ticket is booked for someone not on the member list, then 409 membership_required naming the attendee', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send(paidBody(event.ticketTypeIds[0], ['not-member'], 6000));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('membership_required');
    expect(res.body.error.details[0].path).toBe('items.0.attendee.email');
  });

  it('when the member is on the list and unexpired, then the member price is accepted', async () => {
    const event = await buildEvent(t.db, paidEvent());
    await t.db('members').insert([
      { email: person('member').email, email_normalised: person('member').email, name: 'M', membership_number: 'M1', expires_on: '2026-12-31', imported_at: '2026-01-01T00:00:00.000Z' },
      { email: person('lapsed').email, email_normalised: person('lapsed').email, name: 'L', membership_number: 'M2', expires_on: '2026-03-01', imported_at: '2026-01-01T00:00:00.000Z' },
    ]);
    const ok = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send(paidBody(event.ticketTypeIds[0], ['member'], 6000));
    expect(ok.status).toBe(201);
    expect(ok.body.booking.total).toBe(6000);
    const lapsed = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send(paidBody(event.ticketTypeIds[0], ['lapsed'], 6000));
    expect(lapsed.body.error.code).toBe('membership_required');
  });
});

describe('webhook order', () => {
  const permutations = <T,>(items: T[]): T[][] => (items.length <= 1 ? [items] : items.flatMap((x, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [x, ...rest])));

  it('when payment, completion and a one-place dashboard refund arrive in each of every possible order, then every booking ends the same', async () => {
    const orders = permutations(['payment_intent.succeeded', 'checkout.session.completed', 'charge.refunded']);
    const outcomes: string[] = [];
    for (const [i, order] of orders.entries()) {
      const event = await buildEvent(t.db, paidEvent());
      const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send(paidBody(event.ticketTypeIds[1], [`order-${i}-a`, `order-${i}-b`]));
      const sessionId = sessionIdOf(res.body.booking.checkoutUrl);
      t.sandbox.setDelivery({ hold: true });
      const paid = t.sandbox.pay(sessionId);
      t.sandbox.refundFromDashboard(String(paid.payment_intent), 9500);
      const held = t.sandbox.heldEvents().filter((e) => order.includes(e.type));
      const ids = order.map((type) => held.find((e) => e.type === type)!.id);
      t.sandbox.releaseHeld(ids);
      t.sandbox.releaseHeld('shuffle');
      t.sandbox.setDelivery({ hold: false });
      await t.sandbox.flush();

      const booking = await bookingRow(res.body.booking.reference);
      const active = await t.db('attendees').where({ booking_id: booking.id, status: 'active' });
      const payments = await t.db('payments').where({ booking_id: booking.id });
      const refunds = await t.db('refunds').where({ booking_id: booking.id });
      const emails = await t.db('outbox_emails').where({ booking_id: booking.id }).orderBy('kind');
      outcomes.push(
        JSON.stringify({
          status: booking.status,
          active: active.map((a) => a.email.replace(/order-\d+-/, '')),
          payments: payments.map((p) => [p.amount, p.amount_refunded, p.status]),
          refunds: refunds.map((r) => [r.amount, r.initiated_by]),
          emails: emails.map((e) => e.kind),
        }),
      );
    }
    expect(new Set(outcomes).size).toBe(1);
    expect(JSON.parse(outcomes[0])).toEqual({
      status: 'confirmed',
      active: ['attendeea@example.org'],
      payments: [[19000, 9500, 'partially_refunded']],
      refunds: [[9500, 'dashboard']],
      // The refunded attendee's CANCEL, and a note to the buyer that one of their places went.
      // The receipt of the payment and the credit note of the dashboard refund, each in its own email (issue 11).
      emails: ['booking_cancelled', 'booking_cancelled', 'booking_confirmed', 'booking_confirmed', 'document_credit_note', 'document_receipt'],
    });
  });
});
