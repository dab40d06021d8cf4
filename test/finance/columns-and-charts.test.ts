import { barChart } from '../../src/finance/chart';
import { getPayoutDetail } from '../../src/finance/payouts';
import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { csvRecords, financeEvent, paidBooking, sync } from './support';

let t: PaymentsTestApp;
let treasurer: SignedIn;
let payoutId: string;
let payoutAmount: number;
const LONG = 'Annual conference 2026: measuring waiting times, outcomes and inequalities across the four nations';

/** February: two events paid for. March: the first is refunded in full in the Stripe dashboard, then Stripe pays out. */
beforeAll(async () => {
  t = await startPaymentsTestApp({ now: '2026-02-10T12:00:00.000Z' });
  const refunded = await paidBooking(t, await financeEvent(t, 'Winter seminar'));
  await paidBooking(t, await financeEvent(t, LONG, 15000));
  t.clock.set('2026-03-02T12:00:00.000Z');
  t.sandbox.refundFromDashboard(refunded.paymentIntentId);
  await t.sandbox.flush();
  const payout = t.sandbox.createPayout();
  payoutId = payout.id;
  payoutAmount = payout.amount;
  await sync(t);
  treasurer = await signIn(t.server, (await createStaff(t, 'treasurer')).email);
});
afterAll(async () => {
  await t.close();
});

const visible = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/\s+/g, ' ');
const cells = (html: string, rowLabel: string) => {
  const row = html.split('<tr').find((r) => r.includes(`>${rowLabel}<`));
  return row ? [...row.matchAll(/<td class="num">(?:<strong>)?([^<]*)/g)].map((m) => m[1]) : null;
};

describe('"Gross" means one thing everywhere', () => {
  it('when the overview and the payout are read, then both say Gross £95.00 and Refunds £95.00 for the refunded event (gross is before refunds on both)', async () => {
    const overview = (await treasurer.agent.get('/admin/finance').expect(200)).text;
    const payout = (await treasurer.agent.get(`/admin/finance/payouts/${payoutId}`).expect(200)).text;
    const header = '<th scope="col" class="num">Gross</th><th scope="col" class="num">Refunds</th><th scope="col" class="num">Disputes</th>';
    expect(payout).toContain(header);
    // Overview: gross, refunds, disputes, fees, net, seats, invoices. Payout: count, gross, refunds, disputes, fees, net.
    expect(cells(overview, 'Winter seminar')!.slice(0, 2)).toEqual(['£95.00', '£95.00']);
    expect(cells(payout, 'Winter seminar')!.slice(1, 3)).toEqual(['£95.00', '£95.00']);
    const detail = await getPayoutDetail(t.ctx, payoutId);
    const winter = detail.byEvent.find((r) => r.label === 'Winter seminar')!;
    expect(winter).toMatchObject({ gross: 9500, refunds: 9500, net: -Math.round(9500 * 0.015) - 20 });
    expect(detail.total.net).toBe(payoutAmount);
  });

  it('when the ledger lists a refund, then its column is "Amount" (a refund negative), not "Gross"', async () => {
    const ledger = (await treasurer.agent.get('/admin/finance/payments').expect(200)).text;
    expect(ledger).toContain('<th scope="col" class="num">Amount</th>');
    expect(ledger).not.toContain('<th scope="col" class="num">Gross</th>');
  });

  it('when the payouts CSV is read, then a refund line is under Refunds, not a negative Gross', async () => {
    const rows = csvRecords((await treasurer.agent.get('/admin/finance/exports/payouts.csv').expect(200)).text);
    const refund = rows.find((r) => r.Category === 'Refunds')!;
    expect(refund).toMatchObject({ Gross: '', Refunds: '95.00', Net: '-95.00' });
  });
});

describe('payouts are named as the bank statement shows them', () => {
  it('when the payouts list, the payout page and the ledger show a payout, then it is "£X paid on 3 Mar 2026", with Stripe’s id underneath', async () => {
    const title = `£${(payoutAmount / 100).toFixed(2)} paid on 3 Mar 2026`;
    const list = (await treasurer.agent.get('/admin/finance/payouts').expect(200)).text;
    expect(list).toContain(`<a href="/admin/finance/payouts/${payoutId}">${title}</a><br><code class="details">${payoutId}</code>`);
    const page = (await treasurer.agent.get(`/admin/finance/payouts/${payoutId}`).expect(200)).text;
    expect(page).toContain(`<h1>Payout of ${title}</h1>`);
    expect(page).toContain(`<title>Payout of ${title} · HSUG staff</title>`);
    expect(page).toContain(`<code class="details">${payoutId}</code>`);
    const ledger = (await treasurer.agent.get('/admin/finance/payments').expect(200)).text;
    expect(ledger).toContain(`<a href="/admin/finance/payouts/${payoutId}">${title}</a>`);
  });
});

describe('charts', () => {
  it('when money moved in February and March only, then the month chart has those two bars of net, fully labelled, and no empty months', async () => {
    const html = (await treasurer.agent.get('/admin/finance').expect(200)).text;
    const chart = html.slice(html.indexOf('<ul class="bar-chart" aria-label="Net by month">'), html.indexOf('</ul>', html.indexOf('aria-label="Net by month"')));
    const labels = [...chart.matchAll(/<span class="bar-label">([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(labels).toEqual(['Feb 2026', 'Mar 2026']);
    const values = [...chart.matchAll(/<span class="bar-value">([^<]*)<\/span>/g)].map((m) => m[1]);
    const febNet = 9500 + 15000 - (Math.round(9500 * 0.015) + 20) - (Math.round(15000 * 0.015) + 20);
    expect(values).toEqual([`£${(febNet / 100).toFixed(2)}`, '-£95.00']);
    expect(chart).toContain('class="bar-row is-negative"');
    expect(visible(html)).not.toContain('Apr 2025');
    expect(visible(html)).toContain('Net each month (after refunds, disputes and Stripe fees), Feb 2026 to Mar 2026.');
  });

  it('when an event has a long title, then the event chart shows it in full', async () => {
    const html = (await treasurer.agent.get('/admin/finance').expect(200)).text;
    expect(html).toContain(`<span class="bar-label">${LONG}</span>`);
    expect(html).not.toContain('…</span>');
  });

  it('when values are negative or tiny, then bars start at the zero line and stay visible; one bar is not worth a chart', () => {
    const chart = barChart([
      { label: 'a', value: 300, valueLabel: '£3.00' },
      { label: 'b', value: -100, valueLabel: '-£1.00' },
      { label: 'c', value: 1, valueLabel: '£0.01' },
    ]);
    expect(chart.zeroX).toBe(250);
    expect(chart.rows.map((r) => [r.x, r.width, r.isNegative])).toEqual([
      [250, 750, false],
      [0, 250, true],
      [250, 3, false],
    ]);
    expect(barChart([{ label: 'a', value: 5, valueLabel: '' }]).isWorthDrawing).toBe(false);
    expect(barChart([]).rows).toEqual([]);
  });
});
