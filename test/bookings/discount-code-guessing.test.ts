import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildCode } from '../support/codes';
import { buildEvent, person } from '../support/factories';

/**
 * Guessing discount codes is limited (RATE_LIMIT_DISCOUNT_CODES, per client address): every attempt with a code is
 * counted before it is tried, and given back unless the code was refused, so only refusals use the limit up.
 */

let t: TestApp;
let lastAddress = 0;
const newAddress = () => `203.0.113.${++lastAddress}`;

beforeAll(async () => {
  // The booking limits are set high so that only the code limit is reached here.
  t = await startTestApp({ env: { RATE_LIMITS: 'on', RATE_LIMIT_DISCOUNT_CODES: '3/1h', RATE_LIMIT_BOOKINGS_PER_ADDRESS: '100/10m', RATE_LIMIT_BOOKINGS_PER_EMAIL: '100/1h' } });
});
afterAll(async () => {
  await t.close();
});

let n = 0;
function body(ticketTypeId: number, discountCode: string) {
  const p = person(`guess-${++n}`);
  return { buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId, attendee: p }], discountCode, paymentMethod: 'invoice', purchaseOrder: 'PO-1', billingContact: 'Accounts, accounts@example.org', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' };
}

describe('guessing discount codes', () => {
  it('when one client tries wrong codes, then after the limit it gets 429 rate_limited with Retry-After, sent in parallel or not, and nothing is booked', async () => {
    const event = await buildEvent(t.db, { kind: 'seminar', allowsInvoice: true, tickets: [{ name: 'Non-member', price: 9500 }] });
    await buildCode(t.db, { code: `REAL-${event.id}`, eventId: event.id });
    const address = newAddress();
    const tries = await Promise.all(Array.from({ length: 6 }, (_, i) => request(t.app).post(`/api/v1/events/${event.slug}/bookings`).set('X-Forwarded-For', address).send({ ...body(event.ticketTypeIds[0], `GUESS${i}`), buyer: { ...person(`g-${i}`), organisation: 'NHS' } })));
    expect(tries.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(['discount_code_unknown', 'discount_code_unknown', 'discount_code_unknown']);
    const refused = tries.filter((r) => r.status === 429);
    expect(refused).toHaveLength(3);
    expect(refused[0].body.error.code).toBe('rate_limited');
    expect(refused[0].body.error.message).toMatch(/Too many discount codes .* Please try again in (60|59) minutes, or book without a code\./);
    expect(Number(refused[0].headers['retry-after'])).toBeGreaterThan(3000);
    // Even the right code waits now: a guesser cannot tell a hit from the limit.
    const right = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).set('X-Forwarded-For', address).send({ ...body(event.ticketTypeIds[0], `REAL-${event.id}`), buyer: { ...person('g-right'), organisation: 'NHS' } });
    expect(right.status).toBe(429);
    expect(Number((await t.db('bookings').where({ event_id: event.id }).count({ n: '*' }).first())?.n)).toBe(0);
  });

  it('when a client books with a good code many times, then its attempts are given back and the limit is never reached', async () => {
    const event = await buildEvent(t.db, { kind: 'seminar', allowsInvoice: true, tickets: [{ name: 'Non-member', price: 9500 }] });
    await buildCode(t.db, { code: `GOOD-${event.id}`, eventId: event.id });
    const address = newAddress();
    for (let i = 0; i < 5; i++) {
      const res = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).set('X-Forwarded-For', address).send({ ...body(event.ticketTypeIds[0], `GOOD-${event.id}`), buyer: { ...person(`good-${i}`), organisation: 'NHS' } });
      expect(res.status).toBe(201);
      expect(res.body.booking.total).toBe(7600);
    }
  });
});
