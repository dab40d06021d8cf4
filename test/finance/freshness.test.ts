import { EventEmitter } from 'node:events';
import request from 'supertest';
import { financeJobs } from '../../src/finance/jobs';
import { debounce, startJobs, wireSignals, type JobRunner } from '../../src/jobs/runner';
import { createStaff, createToken, signIn, type SignedIn } from '../admin/helpers';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { financeEvent, paidBooking, sync } from './support';

let t: PaymentsTestApp;
let treasurer: SignedIn;
let token: string;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  const staff = await createStaff(t, 'treasurer');
  treasurer = await signIn(t.server, staff.email);
  token = await createToken(t, staff.id);
});
afterAll(async () => {
  await t.close();
});

const visible = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');

describe('finance pages before and after the sync', () => {
  it('when card payments were taken and Stripe was never synced, then the overview and mismatches say so prominently and never "Everything matches"', async () => {
    const event = await financeEvent(t, 'Spring seminar before any sync');
    await paidBooking(t, event);
    await paidBooking(t, event, 2);

    const overview = visible((await treasurer.agent.get('/admin/finance').expect(200)).text);
    expect(overview).toContain('Not synced with Stripe yet: card figures and mismatches cannot be checked until the first sync.');
    expect(overview).toContain("2 card payments (£285.00) recorded here are not in Stripe's figures below yet, so they are not matched yet.");
    expect(overview).toContain('Sync with Stripe now');

    const mismatches = visible((await treasurer.agent.get('/admin/finance/mismatches').expect(200)).text);
    expect(mismatches).not.toContain('Everything matches');
    expect(mismatches).toContain('No mismatch is listed, but that does not mean everything matches');
    expect(mismatches).toContain('2 card payments (£285.00)');

    const api = await request(t.server).get('/api/v1/admin/finance/summary').set('Authorization', `Bearer ${token}`).expect(200);
    expect(api.body).toMatchObject({ lastSyncedAt: null, isBehind: true, awaitingSync: { payments: 2, paymentsAmount: 28500, refunds: 0, refundsAmount: 0 } });
  });

  it('when the treasurer presses "Sync with Stripe now" on the mismatches page, then they come back to it, the warning is gone and everything matches', async () => {
    const page = await treasurer.agent.get('/admin/finance/mismatches').expect(200);
    expect(page.text).toContain('name="back" value="/admin/finance/mismatches"');
    const res = await treasurer.agent.post('/admin/finance/sync').type('form').send({ _csrf: treasurer.csrf, back: '/admin/finance/mismatches' }).expect(303);
    expect(res.headers.location).toBe('/admin/finance/mismatches?notice=synced');
    const after = visible((await treasurer.agent.get(res.headers.location).expect(200)).text);
    expect(after).toContain('Stripe sync finished.');
    expect(after).toContain("Card figures are Stripe's, as of the last sync: 2 Mar 2026, 12:00.");
    expect(after).not.toContain('Not synced with Stripe');
    expect(after).toContain('Everything matches');
    const overview = visible((await treasurer.agent.get('/admin/finance').expect(200)).text);
    expect(overview).toContain('£285.00');
  });

  it('when "back" names somewhere outside finance, then the sync still returns to the overview', async () => {
    const res = await treasurer.agent.post('/admin/finance/sync').type('form').send({ _csrf: treasurer.csrf, back: 'https://evil.example/' }).expect(303);
    expect(res.headers.location).toBe('/admin/finance?notice=synced');
  });

  it('when a payment arrives after the last sync, then the pages say "not synced since" with the payment waiting, and the mismatches page does not say everything matches', async () => {
    t.clock.advance(10 * 60_000);
    await paidBooking(t, await financeEvent(t, 'Late payer seminar'));
    const overview = visible((await treasurer.agent.get('/admin/finance').expect(200)).text);
    expect(overview).toContain('Not synced with Stripe since 2 Mar 2026, 12:00.');
    expect(overview).toContain("1 card payment (£95.00) recorded here is not in Stripe's figures below yet, so it is not matched yet.");
    const mismatches = visible((await treasurer.agent.get('/admin/finance/mismatches').expect(200)).text);
    expect(mismatches).not.toContain('Everything matches');
    await sync(t);
    expect(visible((await treasurer.agent.get('/admin/finance/mismatches').expect(200)).text)).toContain('Everything matches');
  });

  it('when the last sync is more than half an hour old, then every finance page warns, though nothing is waiting', async () => {
    t.clock.advance(31 * 60_000);
    for (const path of ['/admin/finance', '/admin/finance/payments', '/admin/finance/payouts', '/admin/finance/mismatches', '/admin/finance/exports']) {
      const page = visible((await treasurer.agent.get(path).expect(200)).text);
      expect(page).toContain('Not synced with Stripe since 2 Mar 2026, 12:10.');
    }
    expect(visible((await treasurer.agent.get('/admin/finance/mismatches').expect(200)).text)).toContain('the figures have not been checked against Stripe recently');
    await sync(t);
  });

  it('when the last sync failed, then the warning says why', async () => {
    t.sandbox.setDown(true);
    await expect(sync(t)).rejects.toThrow();
    t.sandbox.setDown(false);
    const page = visible((await treasurer.agent.get('/admin/finance').expect(200)).text);
    expect(page).toContain('The last sync failed:');
    await sync(t);
    expect(visible((await treasurer.agent.get('/admin/finance').expect(200)).text)).not.toContain('The last sync failed');
  });
});

describe('when the sync runs', () => {
  it('when a payment webhook is processed, then the app signals the Stripe sync (once per event, not for a repeat)', async () => {
    const kicks = jest.fn();
    const original = t.ctx.kickStripeSync;
    t.ctx.kickStripeSync = kicks;
    try {
      await paidBooking(t, await financeEvent(t, 'Webhook kick seminar'));
      expect(kicks).toHaveBeenCalled();
      const delivered = kicks.mock.calls.length;
      const [last] = t.sandbox.events().slice(-1);
      t.sandbox.resendEvent(last.id);
      await t.sandbox.flush();
      expect(kicks.mock.calls.length).toBe(delivered);
    } finally {
      t.ctx.kickStripeSync = original;
    }
  });

  it('when the service starts, then the Stripe sync runs at once, before any 15-minute interval', async () => {
    await paidBooking(t, await financeEvent(t, 'Start-up seminar'));
    const before = await t.db('stripe_sync_state').where({ name: 'lease' }).first();
    t.clock.advance(60_000);
    const runner = startJobs(financeJobs(t.ctx), t.ctx.logger);
    try {
      for (let i = 0; i < 100; i++) {
        const now = await t.db('stripe_sync_state').where({ name: 'lease' }).first();
        if (String(now.last_success_at) !== String(before.last_success_at) && now.lease_owner === null) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await runner.stop();
    }
    const after = await t.db('stripe_sync_state').where({ name: 'lease' }).first();
    expect(new Date(after.last_success_at).toISOString()).toBe(t.clock.now().toISOString());
    const mismatches = await request(t.server).get('/api/v1/admin/finance/mismatches').set('Authorization', `Bearer ${token}`).expect(200);
    expect(mismatches.body).toMatchObject({ mismatches: [], isBehind: false, awaitingSync: { payments: 0 } });
  });

  it('when webhooks arrive in a burst, then the signal runs the sync once, after things go quiet', () => {
    jest.useFakeTimers();
    try {
      const signals = new EventEmitter();
      const triggered: string[] = [];
      const runner: JobRunner = { trigger: (name) => triggered.push(name), stop: async () => undefined };
      wireSignals(signals, runner, { stripeSyncQuietMs: 5_000, stripeSyncMaxWaitMs: 60_000 });
      for (let i = 0; i < 5; i++) {
        signals.emit('stripe-sync');
        jest.advanceTimersByTime(1_000);
      }
      expect(triggered).toEqual([]);
      jest.advanceTimersByTime(4_000);
      expect(triggered).toEqual(['stripe-sync']);
      signals.emit('outbox');
      expect(triggered).toEqual(['stripe-sync', 'outbox']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('when webhooks never stop, then the sync still runs once the longest wait has passed', () => {
    jest.useFakeTimers();
    try {
      const fired = jest.fn();
      const d = debounce(fired, 5_000, 20_000);
      for (let i = 0; i < 30; i++) {
        d.call();
        jest.advanceTimersByTime(1_000);
      }
      expect(fired).toHaveBeenCalledTimes(1);
      d.cancel();
      jest.advanceTimersByTime(60_000);
      expect(fired).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
