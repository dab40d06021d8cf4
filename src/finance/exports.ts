import type { ServiceContext } from '../context';
import { decimalAmount, toCsv } from '../lib/csv';
import { inZone } from '../lib/time';
import { listBalanceLinesOfPayouts } from './balance-queries';
import { bucketOf, categoryLabel } from './categories';
import { iterateLedger, type LedgerFilter } from './ledger-queries';
import type { Period } from './period';
import { listPayoutSummaries } from './payouts';
import { summariseFinance } from './summary';

const amountOrBlank = (n: number | null) => (n === null ? '' : decimalAmount(n));

/** Every payment and refund in the period, oldest first; amounts as decimal pounds. */
export async function paymentsCsv(ctx: ServiceContext, filter: LedgerFilter): Promise<string> {
  const zone = ctx.config.timezone;
  const rows: Array<Array<string | number | null>> = [];
  for await (const batch of iterateLedger(ctx.db, filter)) {
    for (const r of batch) {
      rows.push([
        inZone(r.at, zone).toFormat('yyyy-LL-dd HH:mm'),
        r.kind,
        r.reference,
        r.eventTitle,
        r.buyerName,
        r.buyerEmail,
        r.method,
        r.status,
        r.currency,
        decimalAmount(r.gross),
        amountOrBlank(r.fee),
        amountOrBlank(r.net),
        r.payoutId,
        r.bankReference,
      ]);
    }
  }
  return toCsv(['Date', 'Kind', 'Booking reference', 'Event', 'Buyer', 'Buyer email', 'Method', 'Status', 'Currency', 'Gross', 'Stripe fee', 'Net', 'Payout', 'Bank reference'], rows);
}

/** Each payout arriving in the period, then one row per balance transaction it is made of. */
export async function payoutsCsv(ctx: ServiceContext, period: Period): Promise<string> {
  const zone = ctx.config.timezone;
  const payouts = await listPayoutSummaries(ctx, period);
  const lines = await listBalanceLinesOfPayouts(ctx.db, payouts.map((p) => p.id));
  const rows: Array<Array<string | number | null>> = [];
  for (const p of payouts) {
    const arrival = inZone(p.arrivalDate, zone).toFormat('yyyy-LL-dd');
    rows.push([p.id, arrival, p.status, p.currency, decimalAmount(p.amount), 'payout', '', '', '', '', '', '', '', '', decimalAmount(p.difference)]);
    for (const l of lines.filter((x) => x.payoutId === p.id && bucketOf(x.reportingCategory) !== 'payout')) {
      rows.push([p.id, arrival, p.status, l.currency, '', 'line', l.id, inZone(l.createdAt, zone).toFormat('yyyy-LL-dd HH:mm'), categoryLabel(l.reportingCategory), decimalAmount(l.amount), decimalAmount(l.fee), decimalAmount(l.net), l.reference, l.eventTitle, '']);
    }
  }
  return toCsv(['Payout', 'Arrival date', 'Payout status', 'Currency', 'Payout amount', 'Row', 'Balance transaction', 'Created', 'Category', 'Gross', 'Stripe fee', 'Net', 'Booking reference', 'Event', 'Difference'], rows);
}

/** One row per event, then the total: the overview as a spreadsheet. */
export async function summaryCsv(ctx: ServiceContext, period: Period): Promise<string> {
  const summary = await summariseFinance(ctx, period);
  const row = (e: (typeof summary.events)[number]) => [
    e.title,
    e.slug,
    decimalAmount(e.gross),
    decimalAmount(e.refunds),
    decimalAmount(e.disputes),
    decimalAmount(e.other),
    decimalAmount(e.fees),
    decimalAmount(e.net),
    e.paidSeats,
    decimalAmount(e.invoicesOutstanding),
    e.invoicesOutstandingCount,
  ];
  return toCsv(
    ['Event', 'Event address', 'Gross', 'Refunds', 'Disputes', 'Other adjustments', 'Stripe fees', 'Net', 'Paid seats', 'Invoices outstanding', 'Invoices outstanding (count)'],
    [...summary.events.map(row), row(summary.totals)],
  );
}
