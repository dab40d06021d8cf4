import request from 'supertest';
import { buildEvent, person } from '../support/factories';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * The cap on open unpaid holds (issue 14: three unpaid holds took every seat of a paid event), per buyer email and per
 * client address. The booking rate limits are raised out of the way; requests come from loopback, whose
 * X-Forwarded-For the app trusts, so each test speaks as its own client addresses.
 */

let t: PaymentsTestApp;
let lastAddress = 0;
const newAddress = () => `192.0.2.${++lastAddress}`;

beforeAll(async () => {
  t = await startPaymentsTestApp({
    env: { RATE_LIMITS: 'on', RATE_LIMIT_BOOKINGS_PER_ADDRESS: '1000/10m', RATE_LIMIT_BOOKINGS_PER_EMAIL: '1000/1h', MAX_OPEN_HOLDS_PER_EMAIL: '2', MAX_OPEN_HOLDS_PER_ADDRESS: '3' },
  });
});
afterEach(() => {
  t.clock.set('2026-03-02T12:00:00Z');
});
afterAll(async () => {
  await t.close();
});

const standard = () => buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 4 });

function book(event: { slug: string; ticketTypeIds: number[] }, buyer: string, address: string, extra: object = {}) {
  const p = person(buyer);
  return request(t.baseUrl)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .set('X-Forwarded-For', address)
    .send({ buyer: { name: p.name, email: p.email, organisation: 'NHS Test Trust' }, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: p }], ...extra });
}

const remaining = async (slug: string) => (await request(t.baseUrl).get(`/api/v1/events/${slug}`)).body.event.remaining as number;

describe('the cap on open holds per email address', () => {
  it('when an email already has two unpaid holds, then a third card booking is refused with 409 too_many_holds and holds nothing, while an invoice booking still goes through', async () => {
    const [first, second, third] = await Promise.all([standard(), standard(), standard()]);
    expect((await book(first, 'capped', newAddress())).body.booking.status).toBe('pending_payment');
    expect((await book(second, 'capped', newAddress())).body.booking.status).toBe('pending_payment');

    const refused = await book(third, 'capped', newAddress());

    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('too_many_holds');
    expect(refused.body.error.message).toContain('attendeecapped@example.org already has 2 bookings waiting for payment. Please pay for one of them or cancel it');
    expect(refused.body.error.message).toContain('released by itself if it is not paid within 30 minutes');
    expect(await remaining(third.slug)).toBe(4);
    expect(await t.db('bookings').where({ event_id: third.id })).toHaveLength(0);

    const invoiced = await book(third, 'capped', newAddress(), { paymentMethod: 'invoice', purchaseOrder: 'PO-1', billingContact: 'Accounts, accounts@nhs.test', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
    expect(invoiced.status).toBe(201);
    expect(invoiced.body.booking.status).toBe('confirmed');
  });

  it('when one of the holds is paid, or another lapses, then the same email can hold places again', async () => {
    const [first, second, third, fourth] = await Promise.all([standard(), standard(), standard(), standard()]);
    const paid = await book(first, 'comes-back', newAddress());
    await book(second, 'comes-back', newAddress()).expect(201);
    expect((await book(third, 'comes-back', newAddress())).status).toBe(409);

    t.sandbox.pay(sessionIdOf(paid.body.booking.checkoutUrl));
    await t.sandbox.flush();
    expect(await t.db('bookings').where({ reference: paid.body.booking.reference }).first()).toMatchObject({ status: 'confirmed', client_key: null });
    const afterPaying = await book(third, 'comes-back', newAddress());
    expect(afterPaying.status).toBe(201);
    expect(afterPaying.body.booking.status).toBe('pending_payment');
    expect((await book(fourth, 'comes-back', newAddress())).status).toBe(409);

    // The holds lapse (HOLD_MINUTES is 30): lapsed holds no longer count, even before the sweeper has run.
    t.clock.advance(31 * 60_000);
    expect((await book(fourth, 'comes-back', newAddress())).body.booking.status).toBe('pending_payment');
  });

  it('when a hold is refused on the booking form, then the form comes back at 409 saying why, with everything typed kept', async () => {
    const [first, second, third] = await Promise.all([standard(), standard(), standard()]);
    await book(first, 'form-capped', newAddress()).expect(201);
    await book(second, 'form-capped', newAddress()).expect(201);
    const p = person('form-capped');

    const res = await request(t.baseUrl)
      .post(`/events/${third.slug}/book`)
      .set('X-Forwarded-For', newAddress())
      .type('form')
      .send({ buyer_name: p.name, buyer_email: p.email, seat_0_type: String(third.ticketTypeIds[0]), seat_0_price: '5000', seat_0_name: '', seat_0_email: '', seat_0_dietary: 'No nuts', payment_method: 'card' });

    expect(res.status).toBe(409);
    expect(res.text).toContain('We could not take this booking');
    expect(res.text).toContain('already has 2 bookings waiting for payment');
    expect(res.text).toContain(`value="${p.name}"`);
    expect(res.text).toContain('No nuts');
  });
});

describe('the cap on open holds per client address', () => {
  it('when one address already has three unpaid holds under different emails, then a fourth is refused, and other addresses can still book', async () => {
    const events = await Promise.all([1, 2, 3, 4].map(() => standard()));
    const address = newAddress();
    for (const [i, event] of events.slice(0, 3).entries()) expect((await book(event, `same-network-${i}`, address)).body.booking.status).toBe('pending_payment');

    const refused = await book(events[3], 'same-network-3', address);

    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('too_many_holds');
    expect(refused.body.error.message).toContain('There are already 3 unpaid bookings from your internet connection waiting for payment');
    expect((await book(events[3], 'other-network', newAddress())).body.booking.status).toBe('pending_payment');
  });

  it('when a hold is placed, then only a keyed hash of the address is kept, and only while the booking waits for payment', async () => {
    const event = await standard();
    const address = newAddress();
    const held = await book(event, 'kept-key', address).expect(201);

    const row = await t.db('bookings').where({ reference: held.body.booking.reference }).first();
    expect(row.client_key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(row)).not.toContain(address);

    await request(t.baseUrl).post(`/api/v1/bookings/${held.body.booking.reference}/cancel`).set('Authorization', `Bearer ${new URL(held.body.booking.manageUrl).searchParams.get('token')}`).expect(200);
    const cancelled = await t.db('bookings').where({ reference: held.body.booking.reference }).first();
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.client_key).toBeNull();
  });
});
