import request from 'supertest';
import { buildCode } from '../support/codes';
import { buildEvent, person } from '../support/factories';
import { attribute, tagWithId, textOf } from '../support/html';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

let n = 0;
function body(items: Array<{ ticketTypeId: number; who?: string; email?: string }>, extra: Record<string, unknown> = {}) {
  const people = items.map((i) => i.who ?? `dc-${++n}`);
  const buyer = person(people[0]);
  return {
    buyer: { name: buyer.name, email: items[0].email ?? buyer.email },
    items: items.map((i, k) => ({ ticketTypeId: i.ticketTypeId, attendee: { ...person(people[k]), ...(i.email ? { email: i.email } : {}) } })),
    ...extra,
  };
}

const book = (slug: string, payload: object) => request(t.app).post(`/api/v1/events/${slug}/bookings`).send(payload);

async function addMember(email: string) {
  await t.db('members').insert({ email, email_normalised: email.toLowerCase(), name: 'A Member', membership_number: `M${++n}`, expires_on: '2027-01-01', imported_at: new Date().toISOString() });
}

describe('discount codes at booking (API)', () => {
  it('when a buyer books with a percentage code, then each seat is charged the discounted price and the Checkout Session line items show the discount', async () => {
    const event = await buildEvent(t.db, paidEvent());
    await buildCode(t.db, { code: 'STUDENT20', eventId: event.id, kind: 'percent', percent: 20 });
    const res = await book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[1] }], { discountCode: ' student20 ' }));
    expect(res.status).toBe(201);
    expect(res.body.booking).toMatchObject({ status: 'pending_payment', total: 7600, discountCode: 'STUDENT20', discountTotal: 1900 });
    expect(res.body.booking.attendees[0]).toMatchObject({ unitPrice: 7600, listPrice: 9500, discount: 1900 });

    const session = await t.stripe.checkout.sessions.retrieve(sessionIdOf(res.body.booking.checkoutUrl), { expand: ['line_items'] });
    expect(session.amount_total).toBe(7600);
    const line = session.line_items!.data[0];
    expect(line.amount_total).toBe(7600);
    expect(line.description).toContain('code STUDENT20: £19.00 off £95.00 each');

    t.sandbox.pay(session.id);
    await t.sandbox.flush();
    const row = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
    expect(row).toMatchObject({ status: 'confirmed', total: 7600, discount_total: 1900, discount_code: 'STUDENT20' });
    expect((await t.db('payments').where({ booking_id: row.id }).first()).amount).toBe(7600);
    await t.sendMail();
    const receipt = t.smtp.messages.find((m) => m.subject?.includes(`receipt for ${row.reference}`));
    expect(receipt?.text).toContain('1 × Non-member (code STUDENT20: £19.00 off £95.00 each)');
    expect(receipt?.text).toContain('Total: £76.00');
  });

  it('when an invoice booking uses a fixed-amount code, then it is confirmed with the invoice asking for the price after the code, and the pro-forma shows the discount', async () => {
    const event = await buildEvent(t.db, paidEvent());
    await buildCode(t.db, { code: `INV15-${event.id}`, eventId: event.id, kind: 'amount', amount: 1500 });
    const payload = body([{ ticketTypeId: event.ticketTypeIds[1], who: `inv-code-${event.id}` }], { discountCode: `INV15-${event.id}`, paymentMethod: 'invoice', purchaseOrder: 'PO-15', billingContact: 'Accounts, accounts@example.org', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
    const res = await book(event.slug, { ...payload, buyer: { ...payload.buyer, organisation: 'NHS Test Trust' } });
    expect(res.status).toBe(201);
    expect(res.body.booking).toMatchObject({ status: 'confirmed', paymentMethod: 'invoice', total: 8000, discountTotal: 1500 });
    await t.sendMail();
    const proForma = t.smtp.messages.find((m) => m.subject?.includes(`invoice to follow for ${res.body.booking.reference}`));
    expect(proForma?.text).toContain(`1 × Non-member (code INV15-${event.id}: £15.00 off £95.00 each)`);
    expect(proForma?.text).toContain('£80.00');
    // The invoice itself (issue 11) asks for the same: the list price, the code's discount, and £80.00.
    const invoice = t.smtp.messages.find((m) => m.subject?.startsWith('Invoice HSUG-') && m.text?.includes(res.body.booking.reference));
    expect(invoice?.text).toContain('is for £80.00');
  });

  describe('precedence with member prices: the code applies to the price the buyer is entitled to, and never stacks', () => {
    it('when a member books the member ticket with a percentage code, then the percentage comes off the member price', async () => {
      const event = await buildEvent(t.db, paidEvent());
      await buildCode(t.db, { code: `HALF-M-${event.id}`, eventId: event.id, kind: 'percent', percent: 50 });
      await addMember('member-dc-1@example.org');
      const res = await book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[0], email: 'member-dc-1@example.org' }], { discountCode: `HALF-M-${event.id}` }));
      expect(res.status).toBe(201);
      expect(res.body.booking.attendees[0]).toMatchObject({ listPrice: 6000, discount: 3000, unitPrice: 3000 });
    });

    it('when a non-member books the non-member ticket with the same code, then it comes off the non-member price', async () => {
      const event = await buildEvent(t.db, paidEvent());
      await buildCode(t.db, { code: `HALF-N-${event.id}`, eventId: event.id, kind: 'percent', percent: 50 });
      const res = await book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[1] }], { discountCode: `HALF-N-${event.id}` }));
      expect(res.status).toBe(201);
      expect(res.body.booking.attendees[0]).toMatchObject({ listPrice: 9500, discount: 4750, unitPrice: 4750 });
    });

    it('when a non-member asks for the member ticket with a code, then the code does not make them a member: 409 membership_required', async () => {
      const event = await buildEvent(t.db, paidEvent());
      await buildCode(t.db, { code: `HALF-X-${event.id}`, eventId: event.id, kind: 'percent', percent: 50 });
      const res = await book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[0] }], { discountCode: `HALF-X-${event.id}` }));
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('membership_required');
    });

    it('when a fixed amount is more than the member price, then the seat costs nothing, never less, and the booking is confirmed at once without payment', async () => {
      const event = await buildEvent(t.db, paidEvent());
      await buildCode(t.db, { code: `BIG-${event.id}`, eventId: event.id, kind: 'amount', amount: 8000 });
      await addMember('member-dc-2@example.org');
      const res = await book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[0], email: 'member-dc-2@example.org' }], { discountCode: `BIG-${event.id}` }));
      expect(res.status).toBe(201);
      expect(res.body.booking).toMatchObject({ status: 'confirmed', total: 0, paymentMethod: 'none', discountTotal: 6000 });
      expect(res.body.booking.checkoutUrl).toBeUndefined();
      expect(res.body.booking.attendees[0]).toMatchObject({ listPrice: 6000, discount: 6000, unitPrice: 0 });
      await t.sendMail();
      expect(t.smtp.messages.some((m) => m.subject?.startsWith("You're booked") && JSON.stringify(m.to).includes('member-dc-2@example.org'))).toBe(true);
    });

    it('when a code is limited to the member ticket and a booking has one member and one non-member place, then only the member place is discounted', async () => {
      const event = await buildEvent(t.db, paidEvent());
      await buildCode(t.db, { code: `MEMBERS-${event.id}`, eventId: event.id, kind: 'amount', amount: 1000, ticketTypeIds: [event.ticketTypeIds[0]] });
      await addMember('member-dc-3@example.org');
      const res = await book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[0], email: 'member-dc-3@example.org' }, { ticketTypeId: event.ticketTypeIds[1] }], { discountCode: `MEMBERS-${event.id}` }));
      expect(res.status).toBe(201);
      expect(res.body.booking.total).toBe(5000 + 9500);
      expect(res.body.booking.attendees.map((a: { discount?: number }) => a.discount ?? 0)).toEqual([1000, 0]);
    });

    it('when a code limited to the member ticket is used for a non-member place only, then it is refused beside the field as not for those tickets', async () => {
      const event = await buildEvent(t.db, paidEvent());
      await buildCode(t.db, { code: `ONLYM-${event.id}`, eventId: event.id, kind: 'amount', amount: 1000, ticketTypeIds: [event.ticketTypeIds[0]] });
      const res = await book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[1] }], { discountCode: `ONLYM-${event.id}` }));
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('discount_code_not_applicable');
      expect(res.body.error.details).toEqual([{ path: 'discountCode', message: `The code ONLYM-${event.id} is not for the tickets chosen. It is for: Member.` }]);
    });

    it('when a booking names a code, then it is the only code: there is no way to give a second one', async () => {
      const event = await buildEvent(t.db, paidEvent());
      const res = await book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[1] }], { discountCode: ['A', 'B'] }));
      expect(res.status).toBe(422);
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain('discountCode');
    });
  });

  it('when a code allows one place per booking and two are booked, then the first place is discounted and the second pays its price', async () => {
    const event = await buildEvent(t.db, paidEvent());
    await buildCode(t.db, { code: `ONEEACH-${event.id}`, eventId: event.id, kind: 'free', maxPerBooking: 1 });
    const res = await book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[1] }, { ticketTypeId: event.ticketTypeIds[1] }], { discountCode: `ONEEACH-${event.id}` }));
    expect(res.status).toBe(201);
    expect(res.body.booking.total).toBe(9500);
    const session = await t.stripe.checkout.sessions.retrieve(sessionIdOf(res.body.booking.checkoutUrl), { expand: ['line_items'] });
    expect(session.line_items!.data.map((l) => [l.quantity, l.amount_total])).toEqual([[1, 0], [1, 9500]]);
  });

  it('when a code is unknown, belongs to another event, has expired or is not yet valid, then the refusal says which, beside the field', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const other = await buildEvent(t.db, paidEvent());
    await buildCode(t.db, { code: `OTHER-${other.id}`, eventId: other.id });
    await buildCode(t.db, { code: `OLD-${event.id}`, eventId: event.id, validUntil: new Date('2026-03-01T00:00:00Z') });
    await buildCode(t.db, { code: `SOON-${event.id}`, eventId: event.id, validFrom: new Date('2026-03-05T09:00:00Z') });
    const type = event.ticketTypeIds[1];
    const unknown = await book(event.slug, body([{ ticketTypeId: type }], { discountCode: 'NOSUCHCODE' }));
    expect(unknown.status).toBe(409);
    expect(unknown.body.error).toMatchObject({ code: 'discount_code_unknown', details: [{ path: 'discountCode', message: expect.stringContaining('We do not recognise the code “NOSUCHCODE”') }] });
    const elsewhere = await book(event.slug, body([{ ticketTypeId: type }], { discountCode: `OTHER-${other.id}` }));
    expect(elsewhere.body.error.code).toBe('discount_code_unknown');
    const old = await book(event.slug, body([{ ticketTypeId: type }], { discountCode: `OLD-${event.id}` }));
    expect(old.body.error).toMatchObject({ code: 'discount_code_expired', details: [{ path: 'discountCode', message: `The code OLD-${event.id} expired on Sunday 1 March 2026, 12:00am.` }] });
    const soon = await book(event.slug, body([{ ticketTypeId: type }], { discountCode: `SOON-${event.id}` }));
    expect(soon.body.error).toMatchObject({ code: 'discount_code_expired', details: [{ path: 'discountCode', message: `The code SOON-${event.id} is valid from Thursday 5 March 2026, 9:00am.` }] });
    expect(Number((await t.db('bookings').where({ event_id: event.id }).count({ n: '*' }).first())?.n)).toBe(0);
  });

  it('when a code is for every event, then it works at any event', async () => {
    const a = await buildEvent(t.db, paidEvent());
    const b = await buildEvent(t.db, paidEvent());
    await buildCode(t.db, { code: 'COMMITTEE-ALL', eventId: null, kind: 'free' });
    for (const event of [a, b]) {
      const res = await book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[1] }], { discountCode: 'committee-all' }));
      expect(res.body.booking).toMatchObject({ status: 'confirmed', total: 0 });
    }
  });

  it('when a hold with the last use is cancelled or expires, then the use is given back', async () => {
    const event = await buildEvent(t.db, paidEvent());
    await buildCode(t.db, { code: `ONCE-${event.id}`, eventId: event.id, maxUses: 1 });
    const type = event.ticketTypeIds[1];
    const first = await book(event.slug, body([{ ticketTypeId: type }], { discountCode: `ONCE-${event.id}` }));
    expect(first.status).toBe(201);
    const refused = await book(event.slug, body([{ ticketTypeId: type }], { discountCode: `ONCE-${event.id}` }));
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'discount_code_used_up', details: [{ path: 'discountCode', message: `The code ONCE-${event.id} has been used up.` }] });

    const token = new URL(first.body.booking.manageUrl).searchParams.get('token');
    const cancelled = await request(t.app).post(`/api/v1/bookings/${first.body.booking.reference}/cancel`).set('Authorization', `Bearer ${token}`);
    expect(cancelled.status).toBe(200);
    const second = await book(event.slug, body([{ ticketTypeId: type }], { discountCode: `ONCE-${event.id}` }));
    expect(second.status).toBe(201);

    // The second is a hold; once it lapses (the sweeper has not even run yet), the use is free again.
    t.clock.advance(2 * 3600_000);
    try {
      const third = await book(event.slug, body([{ ticketTypeId: type }], { discountCode: `ONCE-${event.id}` }));
      expect(third.status).toBe(201);
      expect(third.body.booking.discountTotal).toBe(1900);
    } finally {
      t.clock.set('2026-03-02T12:00:00.000Z');
    }
  });

  it('when a code reveals a hidden ticket type, then the type is not public, cannot be booked without the code, and can with it', async () => {
    const event = await buildEvent(t.db, paidEvent([{ name: 'Non-member', price: 9500 }, { name: 'Speaker', price: 9500 }]));
    const speaker = event.ticketTypeIds[1];
    await t.db('ticket_types').where({ id: speaker }).update({ is_hidden: true });
    await buildCode(t.db, { code: `SPEAKER-${event.id}`, eventId: event.id, kind: 'free', revealsTicketTypeId: speaker, ticketTypeIds: [speaker] });
    const listed = await request(t.app).get(`/api/v1/events/${event.slug}`);
    expect(listed.body.event.ticketTypes.map((tt: { name: string }) => tt.name)).toEqual(['Non-member']);
    const without = await book(event.slug, body([{ ticketTypeId: speaker }]));
    expect(without.status).toBe(422);
    expect(without.body.error.details).toEqual([{ path: 'items.0.ticketTypeId', message: 'No such ticket type for this event' }]);
    const withCode = await book(event.slug, body([{ ticketTypeId: speaker }], { discountCode: `SPEAKER-${event.id}` }));
    expect(withCode.status).toBe(201);
    expect(withCode.body.booking).toMatchObject({ status: 'confirmed', total: 0 });
  });

  it('when a speaker uses the event page’s code form, then the booking form offers the hidden ticket with the code filled in, and booking it is free; a wrong code is refused', async () => {
    const event = await buildEvent(t.db, paidEvent([{ name: 'Non-member', price: 9500 }, { name: 'Speaker', price: 9500 }]));
    const speaker = event.ticketTypeIds[1];
    await t.db('ticket_types').where({ id: speaker }).update({ is_hidden: true });
    await buildCode(t.db, { code: `TALK-${event.id}`, eventId: event.id, kind: 'free', revealsTicketTypeId: speaker, ticketTypeIds: [speaker] });
    const page = await request(t.app).get(`/events/${event.slug}`);
    expect(textOf(page.text)).toContain('Have a code for a place not listed here (speakers, chairs)?');
    expect(textOf(page.text)).not.toContain('Speaker');

    const form = await request(t.app).get(`/events/${event.slug}/book?code=talk-${event.id}`);
    expect(form.status).toBe(200);
    expect(textOf(form.text)).toContain('Place 1: Speaker £95.00');
    expect(attribute(tagWithId(form.text, 'field-discount_code'), 'value')).toBe(`talk-${event.id}`);
    const booked = await request(t.app).post(`/events/${event.slug}/book`).type('form').send({ buyer_name: 'Ada Speaker', buyer_email: 'ada-speaker@example.org', seat_0_type: String(speaker), seat_0_price: '9500', payment_method: 'card', discount_code: `talk-${event.id}` });
    expect(booked.status).toBe(303);
    expect(await t.db('bookings').where({ buyer_email: 'ada-speaker@example.org' }).first('status', 'total', 'payment_method')).toEqual({ status: 'confirmed', total: 0, payment_method: 'none' });

    const wrong = await request(t.app).get(`/events/${event.slug}/book?code=NOTATALK`);
    expect(wrong.status).toBe(409);
    expect(textOf(wrong.text)).toContain('We do not recognise the code “NOTATALK” for this event.');
  });

  it('when a speaker opens the booking form with their code, then it shows the price after the code (not the list price and "choose Apply code"); a used-up code is refused on the event page', async () => {
    const event = await buildEvent(t.db, paidEvent([{ name: 'Non-member', price: 9500 }, { name: 'Speaker', price: 9500 }]));
    const speaker = event.ticketTypeIds[1];
    await t.db('ticket_types').where({ id: speaker }).update({ is_hidden: true });
    await buildCode(t.db, { code: `CHAIR-${event.id}`, eventId: event.id, kind: 'free', revealsTicketTypeId: speaker, ticketTypeIds: [speaker], maxUses: 1 });

    const form = await request(t.app).get(`/events/${event.slug}/book?code=chair-${event.id}`);
    expect(form.status).toBe(200);
    const text = textOf(form.text);
    expect(text).toContain(`Code CHAIR-${event.id} applied: £95.00 off. The total below is after the discount.`);
    expect(text).toContain('Total: £0.00');
    expect(text).not.toContain('before the discount code');

    const booked = await request(t.app).post(`/events/${event.slug}/book`).type('form').send({ buyer_name: 'Ada Chair', buyer_email: 'ada-chair@example.org', seat_0_type: String(speaker), seat_0_price: '9500', payment_method: 'card', discount_code: `chair-${event.id}` });
    expect(booked.status).toBe(303);
    const usedUp = await request(t.app).get(`/events/${event.slug}/book?code=chair-${event.id}`);
    expect(usedUp.status).toBe(409);
    expect(textOf(usedUp.text)).toContain('There is a problem');
    expect(textOf(usedUp.text)).not.toContain('Place 1: Speaker');
  });

  it('when 50 bookings with a 10-use code arrive at once, then exactly 10 are discounted and 40 are refused as used up', async () => {
    const event = await buildEvent(t.db, { ...paidEvent(), capacity: 100 });
    await buildCode(t.db, { code: `RUSH-${event.id}`, eventId: event.id, kind: 'free', maxUses: 10 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[1], who: `rush-${event.id}-${i}` }], { discountCode: `RUSH-${event.id}` }))));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'discount_code_used_up')).toHaveLength(40);
    const discounted = await t.db('attendees').where({ event_id: event.id }).where('discount_amount', '>', 0).count({ n: '*' }).first();
    expect(Number(discounted?.n)).toBe(10);
  });

  it('when a 10-use code for every event is used by 25 bookings at each of two events at once, then exactly 10 places are discounted in all', async () => {
    const a = await buildEvent(t.db, { ...paidEvent(), capacity: 100 });
    const b = await buildEvent(t.db, { ...paidEvent(), capacity: 100 });
    await buildCode(t.db, { code: `SHARED-${a.id}`, eventId: null, kind: 'free', maxUses: 10 });
    const results = await Promise.all(
      [a, b].flatMap((event) => Array.from({ length: 25 }, (_, i) => book(event.slug, body([{ ticketTypeId: event.ticketTypeIds[1], who: `shared-${event.id}-${i}` }], { discountCode: `SHARED-${a.id}` })))),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(10);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'discount_code_used_up')).toHaveLength(40);
    const discounted = await t.db('attendees').whereIn('event_id', [a.id, b.id]).where('discount_amount', '>', 0).count({ n: '*' }).first();
    expect(Number(discounted?.n)).toBe(10);
  });
});
