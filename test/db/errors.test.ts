import request from 'supertest';
import { classifyDbError, isUniqueViolation, translateDbError } from '../../src/db/errors/index';
import { startTestApp, type TestApp } from '../support/app';
import { onPostgres } from '../support/db';
import { buildEvent } from '../support/factories';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function refusalOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('the database accepted what it should have refused');
}

describe('database errors, translated once per dialect', () => {
  it('when a unique column repeats, then the driver error is a unique violation naming the column, and a 409', async () => {
    const event = await buildEvent(t.db);
    const row = await t.db('events').where({ id: event.id }).first();
    const error = await refusalOf(() => t.db('events').insert({ ...row, id: undefined }));
    expect(classifyDbError(error)?.kind).toBe('unique');
    expect(isUniqueViolation(error, 'slug')).toBe(true);
    expect(isUniqueViolation(error, 'title')).toBe(false);
    expect(translateDbError(error)).toMatchObject({ status: 409, code: 'already_exists' });
  });

  it('when a refund would exceed what was paid, then the database itself refuses it (a check), answered 409', async () => {
    const event = await buildEvent(t.db);
    const [booking] = await t.db('bookings')
      .insert({ reference: 'HSUG-CHEC-K001', event_id: event.id, status: 'confirmed', buyer_name: 'A', buyer_email: 'a@example.test', buyer_email_normalised: 'a@example.test', total: 4500, currency: 'GBP', payment_method: 'stripe', manage_token_hash: 'x', created_at: new Date().toISOString(), updated_at: new Date().toISOString() })
      .returning('id');
    const bookingId = typeof booking === 'object' ? booking.id : booking;
    const [payment] = await t.db('payments')
      .insert({ booking_id: bookingId, method: 'card', status: 'succeeded', amount: 4500, currency: 'GBP', amount_refunded: 0, paid_at: new Date().toISOString(), created_at: new Date().toISOString(), updated_at: new Date().toISOString() })
      .returning('id');
    const paymentId = typeof payment === 'object' ? payment.id : payment;

    const overPayment = await refusalOf(() => t.db('payments').where({ id: paymentId }).update({ amount_refunded: 5500 }));
    expect(classifyDbError(overPayment)?.kind).toBe('check');
    expect(translateDbError(overPayment)).toMatchObject({ status: 409, code: 'constraint_failed' });
    const overBooking = await refusalOf(() => t.db('bookings').where({ id: bookingId }).update({ refunded_total: 4501 }));
    expect(classifyDbError(overBooking)?.kind).toBe('check');
    await t.db('payments').where({ id: paymentId }).update({ amount_refunded: 4500 });
    expect((await t.db('payments').where({ id: paymentId }).first()).amount_refunded).toBe(4500);
  });

  // PostgreSQL refuses a NUL byte in text (SQLite stores it); the shared text rule for every field is issue 14's.
  if (onPostgres) it('when a booking name holds a NUL byte on PostgreSQL, then the API answers 422, never 500, and nothing is written', async () => {
    const event = await buildEvent(t.db);
    const res = await request(t.app)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer: { name: 'a\u0000b', email: 'nul@example.test' }, items: [{ attendee: { name: 'a\u0000b', email: 'nul@example.test' } }] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(await t.db('bookings').where({ buyer_email: 'nul@example.test' }).first()).toBeUndefined();
  });
});
