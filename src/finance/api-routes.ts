import type { GuardedRouter } from '../admin/route-table';
import type { ServiceContext } from '../context';
import { documentApiRoutes } from './documents/routes';
import { paymentsCsv } from './exports';
import { sendCsv } from './http';
import { ledgerFilter, parseLedgerQuery } from './ledger';
import { readFreshness } from './freshness';
import { reviewMismatches } from './mismatches';
import { parsePeriod } from './period-input';
import { explainedJson, mismatchJson } from './present';
import { summariseFinance, type EventSummary } from './summary';

const eventJson = (e: EventSummary) => ({
  eventId: e.eventId,
  notFromBooking: e.notFromBooking,
  slug: e.slug,
  title: e.title,
  gross: e.gross,
  refunds: e.refunds,
  disputes: e.disputes,
  otherAdjustments: e.other,
  fees: e.fees,
  net: e.net,
  paidSeats: e.paidSeats,
  discounts: e.discounts,
  invoicesOutstanding: e.invoicesOutstanding,
  invoicesOutstandingCount: e.invoicesOutstandingCount,
});

/** /api/v1/admin/finance: integer minor units and ISO instants; a bad query is a 422 naming the field. */
export function financeApiRoutes(ctx: ServiceContext, routes: GuardedRouter): void {
  routes.get('/finance/summary', 'finance:read', async (req, res) => {
    const summary = await summariseFinance(ctx, parsePeriod(ctx, req.query as Record<string, unknown>));
    const freshness = await readFreshness(ctx);
    res.json({
      period: { from: summary.period.fromDate, to: summary.period.toDate, start: summary.period.start.toISOString(), end: summary.period.end.toISOString() },
      currency: summary.currency,
      events: summary.events.map(eventJson),
      totals: eventJson(summary.totals),
      lastSyncedAt: summary.sync.lastSuccessAt?.toISOString() ?? null,
      // Card money recorded here that Stripe's figures above do not include yet (the sync has not seen it).
      awaitingSync: freshness.awaiting,
      isBehind: freshness.isBehind,
    });
  });

  routes.get('/finance/mismatches', 'finance:read', async (_req, res) => {
    const review = await reviewMismatches(ctx);
    const freshness = await readFreshness(ctx);
    res.json({ mismatches: review.open.map(mismatchJson), explained: review.explained.map(explainedJson), awaitingSync: freshness.awaiting, isBehind: freshness.isBehind });
  });

  documentApiRoutes(ctx, routes);

  routes.get('/finance/payments.csv', 'finance:read', async (req, res) => {
    const period = parsePeriod(ctx, req.query as Record<string, unknown>);
    const filter = ledgerFilter(period, parseLedgerQuery(req.query as Record<string, unknown>));
    sendCsv(res, `hsug-payments-${period.fromDate}-to-${period.toDate}.csv`, await paymentsCsv(ctx, filter));
  });
}
