import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { financeEvent, mirrorRows, paidBooking, stripeBalance, sync } from './support';

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('the Stripe sync', () => {
  it('when it runs, then balance transactions and payouts are mirrored and payments learn their fee, net and payout', async () => {
    const event = await financeEvent(t);
    const first = await paidBooking(t, event);
    const second = await paidBooking(t, event, 2);
    t.sandbox.refundFromDashboard(second.paymentIntentId, 1000);
    await t.sandbox.flush();
    const payout = t.sandbox.createPayout();

    const report = await sync(t);

    expect(report.skipped).toBe(false);
    const stripe = await stripeBalance(t.stripe);
    expect(Number((await t.db('balance_transactions').count('* as n').first())!.n)).toBe(stripe.all.length);
    const payment = await t.db('payments').where({ booking_id: first.bookingId }).first();
    const charge = stripe.all.find((x) => x.source === first.chargeId)!;
    expect(payment).toMatchObject({ fee: charge.fee, net: charge.net, stripe_balance_transaction_id: charge.id, stripe_payout_id: payout.id });
    expect(charge.fee).toBe(Math.round(9500 * 0.015) + 20);
    const refund = await t.db('refunds').where({ booking_id: second.bookingId }).first();
    expect(refund.stripe_payout_id).toBe(payout.id);
    expect(await t.db('payouts').where({ id: payout.id }).first()).toMatchObject({ amount: payout.amount, status: 'paid' });
  });

  it('when it runs twice, then the second run changes nothing', async () => {
    await sync(t);
    const before = await mirrorRows(t);
    const report = await sync(t);
    expect(report.linked).toBe(0);
    expect(await mirrorRows(t)).toEqual(before);
  });

  it('when a sync is interrupted after its first page, then the next run resumes below it and ends with the same rows as an uninterrupted one', async () => {
    const event = await financeEvent(t);
    for (let i = 0; i < 4; i++) await paidBooking(t, event);
    const pages: number[] = [];
    await expect(
      sync(t, {
        pageSize: 3,
        afterPage: (page) => {
          pages.push(page.count);
          if (page.stream === 'balance_transactions' && pages.length === 1) t.sandbox.setDown(true);
        },
      }),
    ).rejects.toThrow();
    t.sandbox.setDown(false);
    const state = await t.db('stripe_sync_state').where({ name: 'balance_transactions' }).first();
    expect(state.run_oldest).not.toBeNull();
    expect(pages).toEqual([3]);
    const lease = await t.db('stripe_sync_state').where({ name: 'lease' }).first();
    expect(lease.lease_owner).toBeNull();
    expect(lease.last_error).toBeTruthy();

    const resumed = await sync(t, { pageSize: 3 });
    expect(resumed.balanceTransactions).toBeGreaterThan(0);
    const after = await mirrorRows(t);
    expect(after.txns.map((x: { id: string }) => x.id).sort()).toEqual((await stripeBalance(t.stripe)).all.map((x) => x.id).sort());
    await sync(t, { pageSize: 3 });
    expect(await mirrorRows(t)).toEqual(after);
    expect((await t.db('stripe_sync_state').where({ name: 'balance_transactions' }).first()).run_oldest).toBeNull();
  });

  it('when two syncs start at once, then only one runs and the other is skipped', async () => {
    const [a, b] = await Promise.all([sync(t), sync(t)]);
    expect([a.skipped, b.skipped].sort()).toEqual([false, true]);
  });

  it('when a lease has lapsed (its holder died), then the next sync takes it over', async () => {
    await t.db('stripe_sync_state').where({ name: 'lease' }).update({ lease_owner: 'dead-instance', lease_until: new Date(t.clock.now().getTime() - 1000).toISOString() });
    expect((await sync(t)).skipped).toBe(false);
    await t.db('stripe_sync_state').where({ name: 'lease' }).update({ lease_owner: 'live-instance', lease_until: new Date(t.clock.now().getTime() + 60_000).toISOString() });
    expect((await sync(t)).skipped).toBe(true);
    await t.db('stripe_sync_state').where({ name: 'lease' }).update({ lease_owner: null, lease_until: null });
  });

  it('when a sync fails and its lease cannot be released either, then the caller gets the sync\'s own error and the release failure is logged', async () => {
    await paidBooking(t, await financeEvent(t));
    t.logged.length = 0;
    // The lease row lives in stripe_sync_state: with the table out of the way, releasing the lease fails too.
    const failing = sync(t, {
      afterPage: async () => {
        await t.db.schema.renameTable('stripe_sync_state', 'stripe_sync_state_away');
        throw new Error('the treasurer pulled the plug');
      },
    });
    try {
      await expect(failing).rejects.toThrow('the treasurer pulled the plug');
    } finally {
      await t.db.schema.renameTable('stripe_sync_state_away', 'stripe_sync_state');
      await t.db('stripe_sync_state').where({ name: 'lease' }).update({ lease_owner: null, lease_until: null });
    }

    expect(t.logged).toEqual([
      { level: 'error', msg: 'stripe sync failed and its lease could not be released; it expires by itself', extra: expect.objectContaining({ owner: expect.any(String), syncError: 'the treasurer pulled the plug', error: expect.stringContaining('stripe_sync_state') }) },
    ]);
  });

  it('when a payout is pending at first and paid later, then a later sync updates it and fetches its transactions', async () => {
    const event = await financeEvent(t);
    await paidBooking(t, event);
    const payout = t.sandbox.createPayout();
    await sync(t);
    await t.db('payouts').where({ id: payout.id }).update({ status: 'pending', lines_synced_at: null });
    await t.db('balance_transactions').where({ payout_id: payout.id }).update({ payout_id: null });
    await sync(t);
    expect((await t.db('payouts').where({ id: payout.id }).first()).status).toBe('paid');
    expect(Number((await t.db('balance_transactions').where({ payout_id: payout.id }).count('* as n').first())!.n)).toBeGreaterThan(1);
  });
});

describe('npm run cli -- stripe:sync', () => {
  it('when run from the command line, then it syncs the same database and says what it stored', async () => {
    const { runCli } = await import('../../src/cli/main');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(`ERR ${l}`), prompt: async () => '' };
    const env = { NODE_ENV: 'test', DATABASE_URL: t.testDb.url, STRIPE_SECRET_KEY: 'sk_test_hsug', STRIPE_API_BASE: t.sandbox.url };
    await paidBooking(t, await financeEvent(t));
    expect(await runCli(['stripe:sync'], env, io)).toBe(0);
    expect(lines.at(-1)).toMatch(/^Synced \d+ balance transactions, \d+ payouts/);
    expect(await runCli(['stripe:sync'], { ...env, STRIPE_SECRET_KEY: '' }, io)).toBe(1);
    expect(lines.at(-1)).toContain('STRIPE_SECRET_KEY is not set');
  });
});
