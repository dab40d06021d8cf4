import request from 'supertest';
import { buildEvent } from '../support/factories';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

function form(nonMember: number, extra: Record<string, string> = {}) {
  return {
    buyer_name: 'Ada Lovelace',
    buyer_email: 'ada@example.org',
    buyer_organisation: 'NHS Test Trust',
    seat_0_type: String(nonMember),
    seat_0_price: '9500',
    seat_0_name: '',
    seat_0_email: '',
    seat_1_type: String(nonMember),
    seat_1_price: '9500',
    seat_1_name: 'Florence Nightingale',
    seat_1_email: 'florence@example.org',
    payment_method: 'card',
    ...extra,
  };
}

describe('the booking form for a charged event', () => {
  it('when two non-member places are chosen, then the form asks for two attendees and shows the total', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const page = await request(t.baseUrl).get(`/events/${event.slug}/book?qty_${event.ticketTypeIds[0]}=0&qty_${event.ticketTypeIds[1]}=2`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Place 1: Non-member');
    expect(page.text).toContain('Place 2: Non-member');
    expect(page.text).toContain('Total: £190.00');
    expect(page.text).toContain('Invoice my organisation');
  });

  it('when no place is chosen, then the event page says to choose at least one', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const page = await request(t.baseUrl).get(`/events/${event.slug}/book?qty_${event.ticketTypeIds[1]}=0`);
    expect(page.status).toBe(422);
    expect(page.text).toContain('Choose at least one place');
  });

  it('when an attendee is left out, then the form comes back with the place named and everything typed kept', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const res = await request(t.baseUrl).post(`/events/${event.slug}/book`).type('form').send(form(event.ticketTypeIds[1], { seat_1_name: '', seat_1_email: 'florence@example.org' }));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Place 2: Enter the attendee&#x27;s name');
    expect(res.text).toContain('value="florence@example.org"');
    expect(res.text).toContain('value="Ada Lovelace"');
    expect(await t.db('bookings').where({ event_id: event.id })).toHaveLength(0);
  });

  it('when the form is complete, then the buyer is sent to the payment page with the places held', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const res = await request(t.baseUrl).post(`/events/${event.slug}/book`).type('form').send(form(event.ticketTypeIds[1]));
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(new RegExp(`^${t.sandbox.url}/checkout/cs_test_`));
    const booking = await t.db('bookings').where({ event_id: event.id }).first();
    expect(booking).toMatchObject({ status: 'pending_payment', total: 19000, buyer_email: 'ada@example.org' });
    const attendees = await t.db('attendees').where({ booking_id: booking.id }).orderBy('id');
    expect(attendees.map((a) => a.name)).toEqual(['Ada Lovelace', 'Florence Nightingale']);
  });

  it('when the price changed since the page was shown, then 409 explains and links to the new prices', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const res = await request(t.baseUrl).post(`/events/${event.slug}/book`).type('form').send(form(event.ticketTypeIds[1], { seat_0_price: '8000' }));
    expect(res.status).toBe(409);
    expect(res.text).toContain('A price has changed');
    expect(res.text).toContain('See the current prices');
  });

  it('when paying by invoice, then the places are confirmed at once and the manage page says so', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const res = await request(t.baseUrl)
      .post(`/events/${event.slug}/book`)
      .type('form')
      .send(form(event.ticketTypeIds[1], { payment_method: 'invoice', purchase_order: 'PO-77', billing_contact: 'Accounts <ap@nhs.test>', billing_email: 'ap@nhs.test', billing_address: '1 Trust Way, Leeds LS1 4AP' }));
    expect(res.status).toBe(303);
    const page = await request(t.baseUrl).get(res.headers.location);
    expect(page.text).toContain('Your places are confirmed');
    expect(page.text).toContain('Invoice to be paid');
  });

  it('when the payment provider is down, then the form says nothing was charged and keeps the input', async () => {
    const event = await buildEvent(t.db, paidEvent());
    t.sandbox.setDown(true);
    const res = await request(t.baseUrl).post(`/events/${event.slug}/book`).type('form').send(form(event.ticketTypeIds[1]));
    t.sandbox.setDown(false);
    expect(res.status).toBe(503);
    expect(res.text).toContain('nothing has been charged');
    expect(res.text).toContain('value="Florence Nightingale"');
  });
});
