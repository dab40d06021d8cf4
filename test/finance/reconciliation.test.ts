import request from 'supertest';
import { getPayoutDetail } from '../../src/finance/payouts';
import { createStaff, createToken, signIn, type SignedIn } from '../admin/helpers';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { confirmThroughReview, csvRecords, financeEvent, invoiceBooking, paidBooking, pence, stripeBalance, sumOf, sync } from './support';

let t: PaymentsTestApp;
let treasurer: SignedIn;
let token: string;
const events = {} as Record<'seminar' | 'conference' | 'invoiced', { id: number; slug: string; ticketTypeIds: number[] }>;
let invoiceRef: string;
let partial: Awaited<ReturnType<typeof paidBooking>>;
let full: Awaited<ReturnType<typeof paidBooking>>;

async function refundThroughForm(reference: string, amount: string, reason: string, attendeeIds: number[] = []) {
  const page = await treasurer.agent.get(`/admin/finance/bookings/${reference}`).expect(200);
  expect(page.text).toContain('Review the refund');
  const { review, done } = await confirmThroughReview(treasurer.agent, `/admin/finance/bookings/${reference}/refund`, { _csrf: treasurer.csrf, amount, reason, attendeeIds: attendeeIds.map(String) });
  expect(review.text).toContain('What will happen');
  return done;
}

/**
 * A season of HSUG money: three events, card payments with fees, a partial and a full refund made by the
 * treasurer, a dashboard refund, a dispute, two payouts and an invoice paid by bank transfer.
 */
beforeAll(async () => {
  t = await startPaymentsTestApp();
  const staff = await createStaff(t, 'treasurer');
  treasurer = await signIn(t.server, staff.email);
  token = await createToken(t, staff.id);
  events.seminar = await financeEvent(t, 'Autumn seminar: survival analysis');
  events.conference = await financeEvent(t, 'Spring conference', 15000);
  events.invoiced = await financeEvent(t, 'NHS data day');

  await paidBooking(t, events.seminar);
  partial = await paidBooking(t, events.seminar, 2);
  full = await paidBooking(t, events.conference);
  const disputed = await paidBooking(t, events.conference);
  expect((await refundThroughForm(partial.reference, '50.00', 'Goodwill: room too hot')).status).toBe(303);
  const fullAttendees = await t.db('attendees').where({ booking_id: full.bookingId }).pluck('id');
  expect((await refundThroughForm(full.reference, '150.00', 'Cannot attend', fullAttendees)).status).toBe(303);
  t.sandbox.dispute(disputed.chargeId);
  await t.sandbox.flush();
  t.sandbox.createPayout();

  const late = await paidBooking(t, events.seminar);
  await paidBooking(t, events.conference, 3);
  t.sandbox.refundFromDashboard(late.paymentIntentId, 1000);
  await t.sandbox.flush();
  t.sandbox.createPayout();

  invoiceRef = (await invoiceBooking(t, events.invoiced)).reference;
  const page = await treasurer.agent.get(`/admin/finance/bookings/${invoiceRef}`).expect(200);
  expect(page.text).toContain('Review the payment');
  expect((await confirmThroughReview(treasurer.agent, `/admin/finance/bookings/${invoiceRef}/invoice-payment`, { _csrf: treasurer.csrf, paidOn: '2026-03-02', amount: '95.00', bankReference: 'NHS TRUST BACS 4471' })).done.status).toBe(303);
  await sync(t);
});
afterAll(async () => {
  await t.close();
});

describe('reconciliation against the sandbox, to the penny', () => {
  it('when the summary is read, then its totals are Stripe’s own figures plus the invoice paid by bank transfer', async () => {
    const stripe = await stripeBalance(t.stripe);
    const res = await request(t.server).get('/api/v1/admin/finance/summary').set('Authorization', `Bearer ${token}`).expect(200);
    const { totals, events: rows } = res.body;
    expect(totals).toMatchObject({ gross: stripe.gross + 9500, refunds: stripe.refunds, disputes: stripe.disputes, fees: stripe.fees, net: stripe.net + 9500 });
    expect(stripe.refunds).toBe(5000 + 15000 + 1000);
    expect(stripe.disputes).toBe(15000);
    for (const key of ['gross', 'refunds', 'disputes', 'fees', 'net', 'paidSeats']) expect(sumOf(rows, (r: Record<string, number>) => r[key])).toBe(totals[key]);
    expect(rows.map((r: { title: string }) => r.title)).not.toContain('Not matched to a booking');
    const seminar = rows.find((r: { slug: string }) => r.slug === events.seminar.slug);
    expect(seminar).toMatchObject({ gross: 4 * 9500, refunds: 6000, disputes: 0, paidSeats: 4 });
    const invoiced = rows.find((r: { slug: string }) => r.slug === events.invoiced.slug);
    expect(invoiced).toMatchObject({ gross: 9500, fees: 0, net: 9500, paidSeats: 1, invoicesOutstanding: 0 });
    const walk = (value: unknown): void => {
      if (typeof value === 'number') expect(Number.isInteger(value)).toBe(true);
      else if (value && typeof value === 'object') Object.values(value).forEach(walk);
    };
    walk(res.body);
  });

  it('when each payout is taken apart, then by event and by category it adds up exactly to the amount Stripe paid out', async () => {
    const payouts = (await t.stripe.payouts.list({ limit: 100 })).data;
    expect(payouts).toHaveLength(2);
    for (const payout of payouts) {
      const detail = await getPayoutDetail(t.ctx, payout.id);
      expect(detail.total.net).toBe(payout.amount);
      expect(sumOf(detail.byEvent, (r) => r.net)).toBe(payout.amount);
      expect(sumOf(detail.byCategory, (r) => r.net)).toBe(payout.amount);
      expect(detail.payout.difference).toBe(0);
      const lines = (await t.stripe.balanceTransactions.list({ payout: payout.id, limit: 100 })).data.filter((x) => x.type !== 'payout');
      expect(detail.lines.map((l) => l.id).sort()).toEqual(lines.map((l) => l.id).sort());
      const page = await treasurer.agent.get(`/admin/finance/payouts/${payout.id}`).expect(200);
      expect(page.text).toContain('add up exactly to the payout');
    }
    const [second, first] = payouts;
    const firstDetail = await getPayoutDetail(t.ctx, first.id);
    expect(firstDetail.byCategory.map((r) => r.key).sort()).toEqual(['charge', 'dispute', 'refund']);
    expect(sumOf(firstDetail.byEvent.filter((r) => r.label === 'Spring conference'), (r) => r.net)).toBe(sumOf(firstDetail.lines.filter((l) => l.eventId === events.conference.id), (l) => l.net));
    expect((await getPayoutDetail(t.ctx, second.id)).lines.every((l) => l.isRecorded)).toBe(true);
  });

  it('when the CSVs are downloaded, then their amounts add up to the same figures', async () => {
    const stripe = await stripeBalance(t.stripe);
    const payments = await treasurer.agent.get('/admin/finance/exports/payments.csv').expect(200);
    expect(payments.headers['content-type']).toContain('text/csv');
    expect(payments.headers['cache-control']).toBe('no-store');
    const rows = csvRecords(payments.text);
    const charges = stripe.all.filter((x) => x.reporting_category === 'charge');
    expect(sumOf(rows.filter((r) => r.Kind === 'payment'), (r) => pence(r.Gross))).toBe(stripe.gross + 9500);
    expect(sumOf(rows.filter((r) => r.Kind === 'refund'), (r) => pence(r.Refunds))).toBe(stripe.refunds);
    expect(sumOf(rows.filter((r) => r.Kind === 'dispute'), (r) => pence(r.Disputes))).toBe(stripe.disputes);
    // Every movement of money is in it, so the whole file nets to Stripe's net plus the invoice.
    expect(sumOf(rows, (r) => pence(r.Net))).toBe(stripe.net + 9500);
    expect(sumOf(rows.filter((r) => r.Kind === 'payment'), (r) => pence(r['Stripe fee']))).toBe(sumOf(charges, (x) => x.fee));
    expect(rows.find((r) => r['Bank reference'] === 'NHS TRUST BACS 4471')).toMatchObject({ Method: 'invoice', Gross: '95.00', 'Stripe fee': '0.00', Net: '95.00' });

    for (const payout of (await t.stripe.payouts.list({ limit: 100 })).data) {
      expect(sumOf(rows.filter((r) => r.Payout === payout.id), (r) => pence(r.Net))).toBe(payout.amount);
    }

    const payouts = csvRecords((await treasurer.agent.get('/admin/finance/exports/payouts.csv').expect(200)).text);
    for (const payout of (await t.stripe.payouts.list({ limit: 100 })).data) {
      const head = payouts.find((r) => r.Payout === payout.id && r.Row === 'payout')!;
      expect(pence(head['Payout amount'])).toBe(payout.amount);
      expect(head.Difference).toBe('0.00');
      expect(sumOf(payouts.filter((r) => r.Payout === payout.id && r.Row === 'line'), (r) => pence(r.Net))).toBe(payout.amount);
    }

    const summary = csvRecords((await treasurer.agent.get('/admin/finance/exports/summary.csv').expect(200)).text);
    const total = summary.at(-1)!;
    expect(total.Event).toBe('Total');
    expect(pence(total.Net)).toBe(stripe.net + 9500);
    expect(pence(total['Stripe fees'])).toBe(stripe.fees);
    expect(sumOf(summary.slice(0, -1), (r) => pence(r.Gross))).toBe(pence(total.Gross));

    const api = await request(t.server).get('/api/v1/admin/finance/payments.csv').set('Authorization', `Bearer ${token}`).expect(200);
    expect(api.text).toBe(payments.text);
  });

  it('when the treasurer refunds, then it is recorded, audited and the buyer is emailed through the outbox', async () => {
    const refunds = await t.db('refunds').where({ booking_id: partial.bookingId });
    expect(refunds).toEqual([expect.objectContaining({ amount: 5000, initiated_by: 'staff', status: 'succeeded', reason: 'Goodwill: room too hot' })]);
    expect(await t.db('attendees').where({ booking_id: partial.bookingId, status: 'active' })).toHaveLength(2);
    expect((await t.db('bookings').where({ id: full.bookingId }).first()).status).toBe('cancelled');
    const audit = await t.db('audit_log').where({ action: 'refund_requested' }).orderBy('id');
    expect(audit.map((a) => JSON.parse(a.details).reference)).toEqual([partial.reference, full.reference]);
    expect(await t.db('audit_log').where({ action: 'invoice_payment_recorded' })).toHaveLength(1);
    await t.sendMail();
    const mail = t.smtp.messages.find((m) => JSON.stringify(m.to).includes(partial.buyerEmail) && m.subject?.startsWith('Refund for booking'));
    expect(mail?.text).toContain('Refunded £50.00. Your refund for booking');
  });

  it('when the dispute is open, then it is the only mismatch; when it closes, then there are none', async () => {
    const open = await request(t.server).get('/api/v1/admin/finance/mismatches').set('Authorization', `Bearer ${token}`).expect(200);
    expect(open.body.mismatches.map((m: { kind: string }) => m.kind)).toEqual(['dispute_open']);
    const dispute = await t.db('disputes').first();
    t.sandbox.closeDispute(dispute.stripe_dispute_id, 'lost');
    await t.sandbox.flush();
    await sync(t);
    const none = await request(t.server).get('/api/v1/admin/finance/mismatches').set('Authorization', `Bearer ${token}`).expect(200);
    expect(none.body.mismatches).toEqual([]);
    const page = await treasurer.agent.get('/admin/finance/mismatches').expect(200);
    expect(page.text).toContain('Everything matches');
  });
});
