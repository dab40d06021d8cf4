import request from 'supertest';
import { createStaff, createToken, signIn, type SignedIn } from '../admin/helpers';
import { buildCode } from '../support/codes';
import { person } from '../support/factories';
import { sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { csvRecords, financeEvent, paidBooking, pence, stripeBalance, sync } from './support';

/**
 * Issue 18: the treasurer sees gross, discounts and net per event, and the ledger and exports show each booking's
 * discount, reconciling with Stripe: a discounted booking is charged (and recorded) at its price after the code.
 */

let t: PaymentsTestApp;
let token: string;
let treasurer: SignedIn;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  const user = await createStaff(t, 'treasurer');
  token = await createToken(t, user.id);
  treasurer = await signIn(t.server, user.email);
});
afterAll(async () => {
  await t.close();
});

describe('discounts in the treasurer’s figures', () => {
  it('when bookings with and without a code are paid, then the event shows gross as charged, the discounts beside it, nothing mismatched, and the payments CSV adds up to Stripe', async () => {
    const event = await financeEvent(t, 'Discounted seminar', 9500);
    await buildCode(t.db, { code: 'FIN25', eventId: event.id, kind: 'percent', percent: 25 });
    await buildCode(t.db, { code: 'FINFREE', eventId: event.id, kind: 'free' });
    const plain = await paidBooking(t, event);
    const buyer = person('fin-code');
    const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: buyer }, { ticketTypeId: event.ticketTypeIds[0], attendee: person('fin-code-2') }], discountCode: 'FIN25' });
    expect(res.body.booking.total).toBe(14250);
    t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
    await t.sandbox.flush();
    const free = person('fin-free');
    const freeRes = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: free, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: free }], discountCode: 'FINFREE' });
    expect(freeRes.body.booking).toMatchObject({ status: 'confirmed', total: 0 });
    await sync(t);

    const summary = await request(t.server).get('/api/v1/admin/finance/summary?from=2025-04-01&to=2026-03-31').set('Authorization', `Bearer ${token}`).expect(200);
    const row = summary.body.events.find((e: { slug: string }) => e.slug === event.slug);
    const balance = await stripeBalance(t.stripe);
    expect(row).toMatchObject({ gross: 9500 + 14250, discounts: 4750 + 9500, paidSeats: 3 });
    expect(row.net).toBe(balance.net);

    const mismatches = await request(t.server).get('/api/v1/admin/finance/mismatches').set('Authorization', `Bearer ${token}`).expect(200);
    expect(mismatches.body.mismatches).toEqual([]);

    const csv = csvRecords((await treasurer.agent.get('/admin/finance/exports/payments.csv').expect(200)).text);
    const discounted = csv.find((r) => r['Booking reference'] === res.body.booking.reference)!;
    expect([discounted.Gross, discounted.Discount, discounted['Discount code']]).toEqual(['142.50', '47.50', 'FIN25']);
    expect(pence(discounted.Gross) + pence(discounted.Discount)).toBe(2 * 9500);
    expect(csv.find((r) => r['Booking reference'] === plain.reference)!.Discount).toBe('');
    expect(csv.reduce((s, r) => s + pence(r.Net), 0)).toBe(balance.net);

    const summaryCsv = csvRecords((await treasurer.agent.get('/admin/finance/exports/summary.csv').expect(200)).text);
    expect(summaryCsv.find((r) => r['Event address'] === event.slug)).toMatchObject({ Gross: '237.50', Discounts: '142.50' });

    const ledger = await treasurer.agent.get(`/admin/finance/payments?event=${event.id}&from=2025-04-01&to=2026-03-31`).expect(200);
    expect(ledger.text).toContain('£47.50 off with FIN25');
    const overview = await treasurer.agent.get('/admin/finance?from=2025-04-01&to=2026-03-31').expect(200);
    expect(overview.text).toContain('£142.50');
  });
});
