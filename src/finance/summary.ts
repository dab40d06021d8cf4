import type { ServiceContext } from '../context';
import { listBalanceLinesBetween } from './balance-queries';
import { bucketOf } from './categories';
import { addFigures as add, figuresOf, zeroFigures as zero, type Figures } from './figures';
import { monthKeyOf, monthsOf, type Period } from './period';
import { listEventFigures, listInvoicePaymentsBetween } from './summary-queries';
import { readSyncStatus, type SyncStatus } from './sync-queries';

export type { Figures } from './figures';

export interface EventSummary extends Figures {
  eventId: number | null;
  /** A row of money not from a booking: `unmatched` still to look at, `explained` by the treasurer (a donation, say). */
  notFromBooking: 'unmatched' | 'explained' | null;
  slug: string | null;
  title: string;
  paidSeats: number;
  /** What discount codes took off list prices (not money: gross is already after them). */
  discounts: number;
  invoicesOutstanding: number;
  invoicesOutstandingCount: number;
}

export interface FinanceSummary {
  period: Period;
  currency: string;
  events: EventSummary[];
  totals: EventSummary;
  months: Array<Figures & { key: string; label: string }>;
  sync: SyncStatus;
}

type RowKey = number | 'unmatched' | 'explained';

/**
 * What each event took in the period: card money from the mirror of Stripe's balance (so it adds up to
 * Stripe's own figures), invoices from the bank payments recorded here. Money Stripe holds that no
 * booking explains is its own row, so the totals still match Stripe.
 */
export async function summariseFinance(ctx: ServiceContext, period: Period): Promise<FinanceSummary> {
  const zone = ctx.config.timezone;
  const lines = (await listBalanceLinesBetween(ctx.db, period.start, period.end)).filter((l) => bucketOf(l.reportingCategory) !== 'payout');
  const invoices = await listInvoicePaymentsBetween(ctx.db, period.start, period.end);
  const byEvent = new Map<RowKey, Figures>();
  const months = new Map(monthsOf(period, zone).map((m) => [m.key, { ...m, ...zero() }]));
  const count = (key: RowKey, at: Date, figures: Figures) => {
    if (!byEvent.has(key)) byEvent.set(key, zero());
    add(byEvent.get(key)!, figures);
    const month = months.get(monthKeyOf(at, zone));
    if (month) add(month, figures);
  };
  for (const l of lines) count(l.eventId ?? (l.explanation ? 'explained' : 'unmatched'), l.createdAt, figuresOf(l));
  for (const p of invoices) count(p.eventId ?? 'unmatched', p.paidAt, { ...zero(), gross: p.amount, net: p.amount });

  const known = [...byEvent.keys()].filter((id): id is number => typeof id === 'number');
  const events: EventSummary[] = (await listEventFigures(ctx.db, known, period.start, period.end)).map((e) => ({
    eventId: e.id,
    notFromBooking: null,
    slug: e.slug,
    title: e.title,
    paidSeats: e.paidSeats,
    discounts: e.discounts,
    invoicesOutstanding: e.invoicesOutstanding,
    invoicesOutstandingCount: e.invoicesOutstandingCount,
    ...(byEvent.get(e.id) ?? zero()),
  }));
  const apart = { eventId: null, slug: null, paidSeats: 0, discounts: 0, invoicesOutstanding: 0, invoicesOutstandingCount: 0 };
  if (byEvent.has('explained')) events.push({ ...apart, notFromBooking: 'explained', title: 'Not from a booking (explained)', ...byEvent.get('explained')! });
  if (byEvent.has('unmatched')) events.push({ ...apart, notFromBooking: 'unmatched', title: 'Not matched to a booking', ...byEvent.get('unmatched')! });
  const totals: EventSummary = { eventId: null, notFromBooking: null, slug: null, title: 'Total', paidSeats: 0, discounts: 0, invoicesOutstanding: 0, invoicesOutstandingCount: 0, ...zero() };
  for (const e of events) {
    add(totals, e);
    totals.paidSeats += e.paidSeats;
    totals.discounts += e.discounts;
    totals.invoicesOutstanding += e.invoicesOutstanding;
    totals.invoicesOutstandingCount += e.invoicesOutstandingCount;
  }
  return { period, currency: 'GBP', events, totals, months: activeMonths([...months.values()]), sync: await readSyncStatus(ctx.db, ctx.clock.now()) };
}

/** From the first month in which money moved to the last: a year with one busy month is one month, not twelve. */
function activeMonths<T extends Figures>(months: T[]): T[] {
  const moved = (m: T) => m.gross !== 0 || m.refunds !== 0 || m.disputes !== 0 || m.other !== 0 || m.fees !== 0;
  const first = months.findIndex(moved);
  if (first === -1) return [];
  const last = months.length - 1 - [...months].reverse().findIndex(moved);
  return months.slice(first, last + 1);
}
