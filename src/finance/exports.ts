import type { ServiceContext } from '../context';
import { decimalAmount, toCsv } from '../lib/csv';
import { inZone } from '../lib/time';
import { listBalanceLinesBetween, listBalanceLinesOfPayouts, type BalanceLine } from './balance-queries';
import { bucketOf, categoryLabel } from './categories';
import { documentNumbersForLedger } from './documents/queries';
import { figuresOf } from './figures';
import { payoutTitle } from './payout-title';
import { iterateLedger, type LedgerFilter } from './ledger-queries';
import type { Period } from './period';
import { listPayoutSummaries } from './payouts';
import { summariseFinance } from './summary';

const amountOrBlank = (n: number | null) => (n === null ? '' : decimalAmount(n));

type Cell = string | number | null;

/** The payments CSV's columns: the overview's (gross before refunds), then where the money went. */
const PAYMENT_HEADERS = ['Date', 'Kind', 'Booking reference', 'Event', 'Buyer', 'Buyer email', 'Method', 'Status', 'Currency', 'Gross', 'Refunds', 'Disputes', 'Other', 'Stripe fee', 'Net', 'Payout', 'Bank reference', 'Matched', 'Note', 'Discount', 'Discount code', 'Documents'];

const blankOrAmount = (n: number) => (n === 0 ? '' : decimalAmount(n));

function matchesFilter(line: BalanceLine, filter: LedgerFilter): boolean {
  if (filter.method === 'invoice') return false;
  if (filter.eventId && line.eventId !== filter.eventId) return false;
  if (filter.hasPayout === 'yes' && !line.payoutId) return false;
  if (filter.hasPayout === 'no' && line.payoutId) return false;
  if (filter.search) {
    const q = filter.search.toLowerCase();
    if (![line.reference, line.sourceId, line.id].some((v) => v?.toLowerCase().includes(q))) return false;
  }
  return true;
}

/**
 * Stripe's own movements that no payments or refunds row stands for: payments with no booking (explained, attached or
 * not), refunds made in the dashboard and not recorded here, disputes and their reversals, and other adjustments.
 * With them, the rows of one payout add up to it.
 */
async function stripeOnlyRows(ctx: ServiceContext, filter: LedgerFilter): Promise<Array<{ at: Date; cells: Cell[] }>> {
  const zone = ctx.config.timezone;
  const lines = (await listBalanceLinesBetween(ctx.db, filter.start, filter.end)).filter((l) => {
    const bucket = bucketOf(l.reportingCategory);
    if (bucket === 'payout') return false;
    if ((bucket === 'gross' || bucket === 'refunds') && l.isRecorded) return false;
    return matchesFilter(l, filter);
  });
  return lines.map((l) => {
    const f = figuresOf(l);
    const bucket = bucketOf(l.reportingCategory);
    const kind = bucket === 'gross' ? 'payment' : bucket === 'refunds' ? 'refund' : bucket === 'disputes' ? 'dispute' : 'adjustment';
    const matched = l.isRecorded ? 'yes' : l.explanation ? l.explanation.kind : 'no';
    const note = l.explanation?.note ?? (l.isRecorded ? categoryLabel(l.reportingCategory) : `${categoryLabel(l.reportingCategory)}: not recorded here (see Mismatches)`);
    const object = l.chargeId && l.chargeId !== l.sourceId ? `${l.sourceId ?? l.id} on ${l.chargeId}` : (l.sourceId ?? l.id);
    return {
      at: l.createdAt,
      cells: [inZone(l.createdAt, zone).toFormat('yyyy-LL-dd HH:mm'), kind, l.reference, l.eventTitle, null, null, 'card', l.reportingCategory.replace(/_/g, ' '), l.currency, blankOrAmount(f.gross), blankOrAmount(f.refunds), blankOrAmount(f.disputes), blankOrAmount(f.other), decimalAmount(f.fees), decimalAmount(f.net), l.payoutId, null, matched, `${object}: ${note}`, '', '', null],
    };
  });
}

/**
 * Every movement of money in the period, oldest first, in the overview's columns: our payments and refunds, plus
 * Stripe's movements that no record of ours stands for (`stripeOnlyRows`). The Net of the rows of one payout adds up
 * to the payout. Amounts are decimal pounds.
 */
export async function paymentsCsv(ctx: ServiceContext, filter: LedgerFilter): Promise<string> {
  const zone = ctx.config.timezone;
  const rows: Array<{ at: Date; cells: Cell[] }> = [];
  const documents = await documentNumbersForLedger(ctx.db);
  for await (const batch of iterateLedger(ctx.db, filter)) {
    for (const r of batch) {
      const isRefund = r.kind === 'refund';
      // The documents this movement stands for: a payment's receipt (and an invoice payment's invoice), a refund's credit note.
      const numbers = isRefund ? [documents.byRefund.get(r.id)] : [r.method === 'invoice' && r.reference ? documents.invoiceByReference.get(r.reference) : undefined, documents.byPayment.get(r.id)];
      rows.push({
        at: r.at,
        cells: [
          inZone(r.at, zone).toFormat('yyyy-LL-dd HH:mm'),
          r.kind,
          r.reference,
          r.eventTitle,
          r.buyerName,
          r.buyerEmail,
          r.method,
          r.status,
          r.currency,
          isRefund ? '' : decimalAmount(r.gross),
          isRefund ? decimalAmount(-r.gross) : '',
          '',
          '',
          amountOrBlank(r.fee),
          amountOrBlank(r.net),
          r.payoutId,
          r.bankReference,
          'yes',
          null,
          // What the booking's code took off its list prices: Gross + Discount is what the places cost before it.
          isRefund ? '' : blankOrAmount(r.discount),
          isRefund ? '' : r.discountCode,
          numbers.filter(Boolean).join(' '),
        ],
      });
    }
  }
  rows.push(...(await stripeOnlyRows(ctx, filter)));
  rows.sort((a, b) => a.at.getTime() - b.at.getTime());
  return toCsv(PAYMENT_HEADERS, rows.map((r) => r.cells));
}

/** Each payout arriving in the period, titled as the bank shows it, then one row per balance transaction it is made of. */
export async function payoutsCsv(ctx: ServiceContext, period: Period): Promise<string> {
  const zone = ctx.config.timezone;
  const payouts = await listPayoutSummaries(ctx, period);
  const lines = await listBalanceLinesOfPayouts(ctx.db, payouts.map((p) => p.id));
  const rows: Cell[][] = [];
  for (const p of payouts) {
    const arrival = inZone(p.arrivalDate, zone).toFormat('yyyy-LL-dd');
    const title = payoutTitle(p, zone);
    rows.push([p.id, title, arrival, p.status, p.currency, decimalAmount(p.amount), 'payout', '', '', '', '', '', '', '', '', '', '', '', decimalAmount(p.difference)]);
    for (const l of lines.filter((x) => x.payoutId === p.id && bucketOf(x.reportingCategory) !== 'payout')) {
      const f = figuresOf(l);
      rows.push([p.id, title, arrival, p.status, l.currency, '', 'line', l.id, inZone(l.createdAt, zone).toFormat('yyyy-LL-dd HH:mm'), categoryLabel(l.reportingCategory), blankOrAmount(f.gross), blankOrAmount(f.refunds), blankOrAmount(f.disputes), blankOrAmount(f.other), decimalAmount(f.fees), decimalAmount(f.net), l.reference, l.eventTitle, '']);
    }
  }
  return toCsv(['Payout', 'Payout title', 'Arrival date', 'Payout status', 'Currency', 'Payout amount', 'Row', 'Balance transaction', 'Created', 'Category', 'Gross', 'Refunds', 'Disputes', 'Other', 'Stripe fee', 'Net', 'Booking reference', 'Event', 'Difference'], rows);
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
    decimalAmount(e.discounts),
  ];
  return toCsv(
    ['Event', 'Event address', 'Gross', 'Refunds', 'Disputes', 'Other adjustments', 'Stripe fees', 'Net', 'Paid seats', 'Invoices outstanding', 'Invoices outstanding (count)', 'Discounts'],
    [...summary.events.map(row), row(summary.totals)],
  );
}
