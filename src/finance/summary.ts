import type { ServiceContext } from '../context';
import { listBalanceLinesBetween } from './balance-queries';
import { bucketOf } from './categories';
import { monthKeyOf, monthsOf, type Period } from './period';
import { listEventFigures, listInvoicePaymentsBetween } from './summary-queries';
import { readSyncStatus, type SyncStatus } from './sync-queries';

export interface Figures {
  gross: number;
  refunds: number;
  disputes: number;
  other: number;
  fees: number;
  net: number;
}

export interface EventSummary extends Figures {
  eventId: number | null;
  slug: string | null;
  title: string;
  paidSeats: number;
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

const zero = (): Figures => ({ gross: 0, refunds: 0, disputes: 0, other: 0, fees: 0, net: 0 });

const FIGURES: Array<keyof Figures> = ['gross', 'refunds', 'disputes', 'other', 'fees', 'net'];

function add(into: Figures, from: Figures): void {
  for (const key of FIGURES) into[key] += from[key];
}

/** One balance transaction in the treasurer's columns: net = gross − refunds − disputes + other − fees, exactly Stripe's net. */
function figuresOf(category: string, amount: number, fee: number, net: number): Figures {
  const f = zero();
  const bucket = bucketOf(category);
  if (bucket === 'gross') f.gross = amount;
  else if (bucket === 'refunds') f.refunds = -amount;
  else if (bucket === 'disputes') f.disputes = -amount;
  else f.other = amount;
  f.fees = fee;
  f.net = net;
  return f;
}

/**
 * What each event took in the period: card money from the mirror of Stripe's balance (so it adds up to
 * Stripe's own figures), invoices from the bank payments recorded here. Money Stripe holds that no
 * booking explains is its own row, so the totals still match Stripe.
 */
export async function summariseFinance(ctx: ServiceContext, period: Period): Promise<FinanceSummary> {
  const zone = ctx.config.timezone;
  const lines = (await listBalanceLinesBetween(ctx.db, period.start, period.end)).filter((l) => bucketOf(l.reportingCategory) !== 'payout');
  const invoices = await listInvoicePaymentsBetween(ctx.db, period.start, period.end);
  const byEvent = new Map<number | null, Figures>();
  const months = new Map(monthsOf(period, zone).map((m) => [m.key, { ...m, ...zero() }]));
  const count = (eventId: number | null, at: Date, figures: Figures) => {
    if (!byEvent.has(eventId)) byEvent.set(eventId, zero());
    add(byEvent.get(eventId)!, figures);
    const month = months.get(monthKeyOf(at, zone));
    if (month) add(month, figures);
  };
  for (const l of lines) count(l.eventId, l.createdAt, figuresOf(l.reportingCategory, l.amount, l.fee, l.net));
  for (const p of invoices) count(p.eventId, p.paidAt, { ...zero(), gross: p.amount, net: p.amount });

  const known = [...byEvent.keys()].filter((id): id is number => id !== null);
  const events: EventSummary[] = (await listEventFigures(ctx.db, known, period.start, period.end)).map((e) => ({
    eventId: e.id,
    slug: e.slug,
    title: e.title,
    paidSeats: e.paidSeats,
    invoicesOutstanding: e.invoicesOutstanding,
    invoicesOutstandingCount: e.invoicesOutstandingCount,
    ...(byEvent.get(e.id) ?? zero()),
  }));
  if (byEvent.has(null)) {
    events.push({ eventId: null, slug: null, title: 'Not matched to a booking', paidSeats: 0, invoicesOutstanding: 0, invoicesOutstandingCount: 0, ...byEvent.get(null)! });
  }
  const totals: EventSummary = { eventId: null, slug: null, title: 'Total', paidSeats: 0, invoicesOutstanding: 0, invoicesOutstandingCount: 0, ...zero() };
  for (const e of events) {
    add(totals, e);
    totals.paidSeats += e.paidSeats;
    totals.invoicesOutstanding += e.invoicesOutstanding;
    totals.invoicesOutstandingCount += e.invoicesOutstandingCount;
  }
  return { period, currency: 'GBP', events, totals, months: [...months.values()], sync: await readSyncStatus(ctx.db, ctx.clock.now()) };
}
