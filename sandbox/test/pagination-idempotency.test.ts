import Stripe from 'stripe';
import { FakeClock, stripeErrorOf, TICKET_SESSION, useSandbox } from './helpers';

describe('payments sandbox: list pagination and idempotency', () => {
  const clock = new FakeClock();
  const box = useSandbox({ now: clock.now });

  async function createSessions(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      ids.push((await box.stripe.checkout.sessions.create({ ...TICKET_SESSION, client_reference_id: `BK-${i}` })).id);
      clock.advance(1000);
    }
    return ids;
  }

  test('when more than two pages exist, then the SDK auto-pagination yields every session once, newest first', async () => {
    const ids = await createSessions(7);

    const seen: string[] = [];
    for await (const session of box.stripe.checkout.sessions.list({ limit: 3 })) seen.push(session.id);

    expect(seen).toEqual([...ids].reverse());
  });

  test('when a page is asked for with starting_after, then it starts after that id and says whether more remain', async () => {
    const ids = await createSessions(5);
    const newestFirst = [...ids].reverse();

    const page = await box.stripe.checkout.sessions.list({ limit: 2, starting_after: newestFirst[1] });
    const last = await box.stripe.checkout.sessions.list({ limit: 2, starting_after: newestFirst[3] });

    expect(page.data.map((s) => s.id)).toEqual(newestFirst.slice(2, 4));
    expect(page.has_more).toBe(true);
    expect(last.data.map((s) => s.id)).toEqual([newestFirst[4]]);
    expect(last.has_more).toBe(false);
  });

  test('when paging backwards with ending_before, then the SDK walks back to the newest', async () => {
    const ids = await createSessions(6);
    const oldest = ids[0];

    const seen: string[] = [];
    for await (const session of box.stripe.checkout.sessions.list({ limit: 2, ending_before: oldest })) seen.push(session.id);

    expect(seen).toEqual(ids.slice(1));
  });

  test('when balance transactions are auto-paginated, then all of them come back', async () => {
    for (let i = 0; i < 5; i++) box.sandbox.createCharge({ amount: 1000 + i });

    const amounts: number[] = [];
    await box.stripe.balanceTransactions.list({ limit: 2 }).autoPagingEach((txn) => {
      amounts.push(txn.amount);
    });

    expect(amounts.sort((a, b) => a - b)).toEqual([1000, 1001, 1002, 1003, 1004]);
  });

  test('when balance transactions are filtered by created range and type, then only those in range come back', async () => {
    const start = clock.seconds();
    box.sandbox.createCharge({ amount: 1000 });
    clock.advance(60_000);
    const middle = box.sandbox.createCharge({ amount: 2000 });
    clock.advance(60_000);
    box.sandbox.createCharge({ amount: 3000 });

    const inRange = await box.stripe.balanceTransactions.list({ created: { gt: start, lt: start + 120 } });
    const exact = await box.stripe.balanceTransactions.list({ created: start + 60, type: 'charge' });
    const refunds = await box.stripe.balanceTransactions.list({ type: 'refund' });

    expect(inRange.data.map((txn) => txn.id)).toEqual([middle.balanceTransaction.id]);
    expect(exact.data.map((txn) => txn.amount)).toEqual([2000]);
    expect(refunds.data).toEqual([]);
  });

  test('when a POST is retried with the same idempotency key and params, then the first response is replayed', async () => {
    const first = await box.stripe.checkout.sessions.create(TICKET_SESSION, { idempotencyKey: 'booking-42-attempt-1' });

    const replay = await box.stripe.checkout.sessions.create(TICKET_SESSION, { idempotencyKey: 'booking-42-attempt-1' });

    expect(replay.id).toBe(first.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect((await box.stripe.checkout.sessions.list()).data).toHaveLength(1);
  });

  test('when the same idempotency key comes with different params, then it is a 400 idempotency_error', async () => {
    await box.stripe.checkout.sessions.create(TICKET_SESSION, { idempotencyKey: 'booking-43' });

    const err = await stripeErrorOf(box.stripe.checkout.sessions.create({ ...TICKET_SESSION, metadata: { booking_id: '44' } }, { idempotencyKey: 'booking-43' }));

    expect(err).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(err.statusCode).toBe(400);
    expect((await box.stripe.checkout.sessions.list()).data).toHaveLength(1);
  });

  test('when a request with an idempotency key failed on bad params, then the same key can be used once fixed', async () => {
    const bad = await stripeErrorOf(
      box.stripe.checkout.sessions.create({ ...TICKET_SESSION, expires_at: clock.seconds() + 60 }, { idempotencyKey: 'booking-45' }),
    );

    const good = await box.stripe.checkout.sessions.create(TICKET_SESSION, { idempotencyKey: 'booking-45' });

    expect(bad.param).toBe('expires_at');
    expect(good.status).toBe('open');
  });

  test('when limit is out of range, then it is a 400 on param limit', async () => {
    const err = await stripeErrorOf(box.stripe.charges.list({ limit: 101 }));

    expect(err.statusCode).toBe(400);
    expect(err.param).toBe('limit');
  });
});
