import type { Response } from 'express';
import { renderAdmin } from '../admin/render';
import type { GuardedRouter } from '../admin/route-table';
import { can } from '../admin/auth/roles';
import { staffOf } from '../admin/auth/middleware';
import type { ServiceContext } from '../context';
import { NotFoundError } from '../lib/errors';
import type { Views } from '../web/views';
import { bookingPageModel } from './booking-page';
import { getFinanceBooking } from './booking';
import { paymentsCsv, payoutsCsv, summaryCsv } from './exports';
import { listInvoicesOutstanding } from './invoices';
import { ledgerFilter, parseLedgerQuery } from './ledger';
import { ledgerPageModel } from './ledger-page';
import { readFreshness } from './freshness';
import { reviewMismatches } from './mismatches';
import { documentStaffRoutes } from './documents/routes';
import { financeMismatchRoutes } from './routes-mismatches';
import { todayIn } from './period';
import { choosePeriod, parsePeriod, periodQueryString } from './period-input';
import { getPayoutDetail, listPayoutSummaries } from './payouts';
import { breakdownView, explainedView, freshnessView, lineView, mismatchView, money, overviewView, payoutRowView, shortDate } from './present';
import { payoutIdSchema } from './schemas';
import { referenceParam, sendCsv } from './http';
import { summariseFinance } from './summary';

/** Notices after a form succeeds: fixed texts, so a link cannot put words on the page. */
export const NOTICES: Record<string, string> = {
  refunded: 'Refund recorded and requested from Stripe. It shows as "requested" until Stripe confirms it, and the buyer is emailed only then.',
  invoice_paid: 'Bank payment recorded; the invoice is paid.',
  invoice_part_paid: 'Bank payment recorded; the rest of the invoice is still outstanding, as shown under Money.',
  written_off: 'Invoice written off.',
  refreshed: 'Brought up to date from Stripe: refunds and disputes made in the Stripe dashboard are now recorded.',
  synced: 'Stripe sync finished.',
  sync_running: 'Another sync with Stripe is running; its figures will appear shortly.',
  explained: 'Marked as explained. It is kept below under "Explained", with your note; undo it there if it was a mistake.',
  attached: 'Attached to the booking. It is kept below under "Explained", with your note; undo it there if it was a mistake.',
  withdrawn: 'Undone: it is listed as a mismatch again.',
};

/** The treasurer's pages: everything here reads; the forms post to routes-actions. */
export function financeRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  const zone = ctx.config.timezone;
  /** Every finance page says how current its figures are (`freshness.ts`), and warns when they are behind. */
  const page = async (res: Response, name: string, model: Record<string, unknown>, status = 200) =>
    renderAdmin(views, res, `finance/${name}`, { notice: NOTICES[String(res.req.query.notice)] ?? null, ...model, freshness: freshnessView(await readFreshness(ctx), zone), syncBack: res.req.path.startsWith('/finance') ? `/admin${res.req.path}` : '/admin/finance', canManage: can(staffOf(res).role, 'finance:manage') }, status);

  routes.get('/finance', 'finance:read', async (req, res) => {
    const choice = choosePeriod(ctx, req.query as Record<string, unknown>);
    const summary = await summariseFinance(ctx, choice.period);
    await page(res, 'overview', { title: 'Finance', nav: { overview: true }, choice, ...overviewView(summary), periodQuery: periodQueryString(choice.period) }, choice.errors ? 422 : 200);
  });

  routes.get('/finance/payments', 'finance:read', async (req, res) => {
    const model = await ledgerPageModel(ctx, req.query as Record<string, unknown>);
    await page(res, 'ledger', model, model.hasErrors ? 422 : 200);
  });

  routes.get('/finance/payouts', 'finance:read', async (req, res) => {
    const choice = choosePeriod(ctx, req.query as Record<string, unknown>);
    const payouts = await listPayoutSummaries(ctx, choice.period);
    await page(res, 'payouts', { title: 'Payouts', nav: { payouts: true }, choice, payouts: payouts.map((p) => payoutRowView(p, zone)), periodQuery: periodQueryString(choice.period) }, choice.errors ? 422 : 200);
  });

  routes.get('/finance/payouts/:id', 'finance:read', async (req, res) => {
    const id = payoutIdSchema.safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('payout_not_found', 'No payout with that id.');
    const detail = await getPayoutDetail(ctx, id.data);
    const c = detail.payout.currency;
    const payout = payoutRowView(detail.payout, zone);
    await page(res, 'payout', {
      title: `Payout of ${payout.title}`,
      nav: { payouts: true },
      payout,
      hasOther: detail.total.other !== 0,
      byEvent: breakdownView(detail.byEvent, c),
      byCategory: breakdownView(detail.byCategory, c),
      total: breakdownView([detail.total], c)[0],
      lines: detail.lines.map((l) => lineView(l, zone)),
    });
  });

  routes.get('/finance/mismatches', 'finance:read', async (_req, res) => {
    const review = await reviewMismatches(ctx);
    const canManage = can(staffOf(res).role, 'finance:manage');
    await page(res, 'mismatches', {
      title: 'Mismatches',
      nav: { mismatches: true },
      mismatches: review.open.map((m) => mismatchView(m, zone, canManage)),
      count: review.open.length,
      explained: review.explained.map((m) => explainedView(m, zone, canManage)),
    });
  });

  routes.get('/finance/invoices', 'finance:read', async (_req, res) => {
    const invoices = await listInvoicesOutstanding(ctx);
    const outstanding = invoices.reduce((s, i) => s + i.outstanding, 0);
    await page(res, 'invoices', {
      title: 'Invoices outstanding',
      nav: { invoices: true },
      invoices: invoices.map((i) => ({
        ...i,
        total: money(i.total, i.currency),
        credited: i.credited ? money(i.credited, i.currency) : null,
        received: i.received ? money(i.received, i.currency) : null,
        outstanding: money(i.outstanding, i.currency),
        bookedAt: shortDate(i.bookedAt, zone),
        isCancelled: i.bookingStatus === 'cancelled',
        isOld: i.ageDays > 30,
      })),
      total: money(outstanding),
      count: invoices.length,
    });
  });

  routes.get('/finance/bookings/:reference', 'finance:read', async (req, res) => {
    const view = await getFinanceBooking(ctx, referenceParam(req));
    const model = bookingPageModel(view, zone, todayIn(ctx.clock.now(), zone), undefined, can(staffOf(res).role, 'finance:manage'));
    await page(res, 'booking', model);
  });

  routes.get('/finance/exports', 'finance:read', async (req, res) => {
    const choice = choosePeriod(ctx, req.query as Record<string, unknown>);
    await page(res, 'exports', { title: 'Exports', nav: { exports: true }, choice, periodQuery: periodQueryString(choice.period) }, choice.errors ? 422 : 200);
  });

  routes.get('/finance/exports/payments.csv', 'finance:read', async (req, res) => {
    const period = parsePeriod(ctx, req.query as Record<string, unknown>);
    const query = parseLedgerQuery(req.query as Record<string, unknown>);
    sendCsv(res, `hsug-payments-${period.fromDate}-to-${period.toDate}.csv`, await paymentsCsv(ctx, ledgerFilter(period, query)));
  });

  routes.get('/finance/exports/payouts.csv', 'finance:read', async (req, res) => {
    const period = parsePeriod(ctx, req.query as Record<string, unknown>);
    sendCsv(res, `hsug-payouts-${period.fromDate}-to-${period.toDate}.csv`, await payoutsCsv(ctx, period));
  });

  routes.get('/finance/exports/summary.csv', 'finance:read', async (req, res) => {
    const period = parsePeriod(ctx, req.query as Record<string, unknown>);
    sendCsv(res, `hsug-events-summary-${period.fromDate}-to-${period.toDate}.csv`, await summaryCsv(ctx, period));
  });

  financeMismatchRoutes(ctx, views, routes, page);
  documentStaffRoutes(ctx, routes, page);
}
