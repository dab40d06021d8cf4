import request from 'supertest';
import { signatureHeader } from '../../sandbox/src';
import { buildEvent, person } from '../support/factories';
import { WEBHOOK_SECRET, paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * A correctly signed event that does not have the shape of a Stripe event is refused with 400 `malformed_event`
 * (Stripe retries a 5xx for days) and changes nothing: no event id is recorded, no booking moves.
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterEach(() => {
  t.sandbox.setDelivery({ hold: false, duplicates: 1 });
});
afterAll(async () => {
  await t.close();
});

/** A booking whose session has really been paid, and Stripe's checkout.session.completed for it, not yet delivered. */
async function paidButUndelivered(who: string) {
  const event = await buildEvent(t.db, paidEvent());
  const p = person(who);
  const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: p }] });
  const sessionId = sessionIdOf(res.body.booking.checkoutUrl);
  t.sandbox.setDelivery({ hold: true });
  t.sandbox.pay(sessionId);
  const completed = t.sandbox.heldEvents().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId)!;
  return { reference: res.body.booking.reference as string, event: JSON.parse(JSON.stringify(completed)) as Record<string, unknown> & { data: Record<string, unknown> } };
}

function postSigned(body: string) {
  return request(t.baseUrl)
    .post('/webhooks/stripe')
    .set('content-type', 'application/json')
    .set('stripe-signature', signatureHeader(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)))
    .send(body);
}

type Event = Awaited<ReturnType<typeof paidButUndelivered>>['event'];

const MALFORMED: Array<[string, (e: Event) => unknown]> = [
  ['it has no `created`', ({ created: _created, ...rest }) => rest],
  ['`created` is a string', (e) => ({ ...e, created: 'yesterday' })],
  ['`created` is not an integer', (e) => ({ ...e, created: 1772452800.5 })],
  ['it has no data.object', (e) => ({ ...e, data: {} })],
  ['it has no data at all', ({ data: _data, ...rest }) => rest],
  ['data.object is a string', (e) => ({ ...e, data: { object: 'cs_test_123' } })],
  ['the session in data.object has no id', (e) => ({ ...e, data: { object: { ...(e.data.object as object), id: undefined } } })],
  ['the session id is a number', (e) => ({ ...e, data: { object: { ...(e.data.object as object), id: 12345 } } })],
  ['the event id is a number', (e) => ({ ...e, id: 42 })],
  ['the type is missing', ({ type: _type, ...rest }) => rest],
];

describe('a signed but malformed webhook', () => {
  it.each(MALFORMED)('when %s, then 400 malformed_event, nothing is recorded and the booking does not move', async (_label, malform) => {
    const { reference, event } = await paidButUndelivered(`malformed-${_label.replace(/\W+/g, '-')}`);
    const eventsBefore = await t.db('stripe_events').count({ n: '*' }).first();

    const res = await postSigned(JSON.stringify(malform(event)));

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('malformed_event');
    expect(res.text).not.toMatch(/RangeError|TypeError|at .*\.ts:\d+/);
    expect(await t.db('stripe_events').count({ n: '*' }).first()).toEqual(eventsBefore);
    const booking = await t.db('bookings').where({ reference }).first();
    expect(booking.status).toBe('pending_payment');
    expect(await t.db('payments').where({ booking_id: booking.id })).toHaveLength(0);

    // The genuine event, delivered afterwards, still does its work: nothing was used up by the malformed one.
    const genuine = await postSigned(JSON.stringify(event));
    expect(genuine.body).toEqual({ received: true, outcome: 'processed' });
    expect((await t.db('bookings').where({ reference }).first()).status).toBe('confirmed');
  });

  it('when a malformed event is refused, then the 400 names what is wrong', async () => {
    const { event } = await paidButUndelivered('malformed-details');
    const { created: _created, ...noCreated } = event;
    const res = await postSigned(JSON.stringify(noCreated));
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: expect.stringContaining('created') })]));
  });
});
