import request from 'supertest';
import { cancelEvent } from '../../src/admin/events/cancel';
import { CLI_ACTOR } from '../../src/admin/audit/log';
import { buildEvent, person } from '../support/factories';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('cancelling a charged event while Stripe cannot close a checkout session', () => {
  it('when Stripe answers with an error, then the event and the hold are still cancelled and the failure is logged with the booking and the session', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 10 });
    const p = person('exp-fail');
    const hold = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: p, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: p }] });
    expect(hold.status).toBe(201);
    const booking = await t.db('bookings').where({ reference: hold.body.booking.reference }).first();
    t.logged.length = 0;

    t.sandbox.failNext(1, { status: 400 });
    await cancelEvent(t.ctx, CLI_ACTOR, event.slug, 'The venue is closed', quiet);

    expect((await t.db('events').where({ id: event.id }).first()).status).toBe('cancelled');
    expect((await t.db('bookings').where({ id: booking.id }).first()).status).toBe('cancelled');
    expect(t.logged).toEqual([
      { level: 'warn', msg: 'could not expire a checkout session', extra: expect.objectContaining({ bookingId: booking.id, sessionId: sessionIdOf(hold.body.booking.checkoutUrl), error: expect.any(String) }) },
    ]);
  });
});
