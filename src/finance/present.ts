import { formatMoney } from '../lib/money';
import { inZone } from '../lib/time';
import type { BalanceLine } from './balance-queries';
import { categoryLabel } from './categories';
import { columnChart, rowChart } from './chart';
import type { LedgerRow } from './ledger-queries';
import type { Mismatch } from './mismatches';
import type { BreakdownRow, PayoutSummary } from './payouts';
import type { EventSummary, FinanceSummary, Figures } from './summary';
import type { SyncStatus } from './sync-queries';

/** Money is formatted here, at the edge, and nowhere earlier. */
export const money = (amount: number, currency = 'GBP') => formatMoney(amount, currency);
const moneyOrDash = (amount: number | null, currency: string) => (amount === null ? '—' : money(amount, currency));
export const shortDate = (date: Date, zone: string) => inZone(date, zone).toFormat('d LLL yyyy');
export const dateTime = (date: Date, zone: string) => inZone(date, zone).toFormat('d LLL yyyy, HH:mm');

function figures(f: Figures, currency: string) {
  return { gross: money(f.gross, currency), refunds: money(f.refunds, currency), disputes: money(f.disputes, currency), other: money(f.other, currency), fees: money(f.fees, currency), net: money(f.net, currency) };
}

export function syncView(sync: SyncStatus, zone: string) {
  return {
    lastSuccess: sync.lastSuccessAt ? dateTime(sync.lastSuccessAt, zone) : null,
    lastError: sync.lastError,
    isRunning: sync.isRunning,
  };
}

function eventRow(e: EventSummary, currency: string) {
  return {
    ...figures(e, currency),
    title: e.title,
    slug: e.slug,
    eventId: e.eventId,
    isUnmatched: e.eventId === null,
    paidSeats: e.paidSeats,
    invoicesOutstanding: e.invoicesOutstandingCount ? `${money(e.invoicesOutstanding, currency)} (${e.invoicesOutstandingCount})` : money(0, currency),
  };
}

export function overviewView(summary: FinanceSummary, zone: string) {
  const c = summary.currency;
  const hasOther = summary.totals.other !== 0;
  return {
    periodLabel: summary.period.label,
    events: summary.events.map((e) => eventRow(e, c)),
    totals: eventRow(summary.totals, c),
    hasEvents: summary.events.length > 0,
    hasOther,
    months: summary.months.map((m) => ({ label: m.label, ...figures(m, c) })),
    monthChart: columnChart(summary.months.map((m) => ({ label: m.label.slice(0, 3), value: m.gross, valueLabel: m.gross ? compactMoney(m.gross) : '' }))),
    eventChart: rowChart(summary.events.filter((e) => e.gross > 0).map((e) => ({ label: e.title, value: e.gross, valueLabel: money(e.gross, c) }))),
    sync: syncView(summary.sync, zone),
  };
}

/** "£1.2k" under a column, where space is short; the table beside it has the exact figure. */
function compactMoney(amount: number): string {
  const pounds = (amount - (amount % 100)) / 100;
  if (pounds < 1000) return `£${pounds}`;
  const tenths = (pounds - (pounds % 100)) / 100;
  return `£${(tenths - (tenths % 10)) / 10}.${tenths % 10}k`;
}

export function ledgerRowView(r: LedgerRow, zone: string) {
  return {
    kindLabel: r.kind === 'payment' ? 'Payment' : 'Refund',
    isRefund: r.kind === 'refund',
    reference: r.reference,
    eventTitle: r.eventTitle ?? '—',
    buyer: r.buyerName ?? '—',
    buyerEmail: r.buyerEmail,
    method: r.method === 'invoice' ? 'Invoice' : 'Card',
    status: r.status.replace(/_/g, ' '),
    gross: money(r.gross, r.currency),
    fee: moneyOrDash(r.fee, r.currency),
    net: moneyOrDash(r.net, r.currency),
    date: dateTime(r.at, zone),
    payoutId: r.payoutId,
    bankReference: r.bankReference,
  };
}

export function payoutRowView(p: PayoutSummary, zone: string) {
  return {
    id: p.id,
    arrival: shortDate(p.arrivalDate, zone),
    amount: money(p.amount, p.currency),
    status: p.status.replace(/_/g, ' '),
    lineCount: p.lineCount,
    hasLines: p.linesSyncedAt !== null,
    unrecordedCount: p.unrecordedCount,
    difference: p.difference ? money(p.difference, p.currency) : null,
  };
}

export function breakdownView(rows: BreakdownRow[], currency: string) {
  return rows.map((r) => ({ label: r.label, count: r.count, amount: money(r.amount, currency), fee: money(r.fee, currency), net: money(r.net, currency), isUnmatched: r.key === 'none' }));
}

export function lineView(l: BalanceLine, zone: string) {
  return {
    id: l.id,
    date: dateTime(l.createdAt, zone),
    category: categoryLabel(l.reportingCategory),
    reference: l.reference,
    eventTitle: l.eventTitle,
    amount: money(l.amount, l.currency),
    fee: money(l.fee, l.currency),
    net: money(l.net, l.currency),
    isRecorded: l.isRecorded,
    sourceId: l.sourceId,
  };
}

export function mismatchView(m: Mismatch, zone: string) {
  return { kind: m.kind, title: m.title, detail: m.detail, amount: money(m.amount, m.currency), date: dateTime(m.at, zone), href: m.link.href, linkLabel: m.link.label, isExternal: m.link.href.startsWith('http') };
}

/** The JSON API's form: integer minor units, ISO instants. */
export function mismatchJson(m: Mismatch) {
  return { kind: m.kind, title: m.title, detail: m.detail, amount: m.amount, currency: m.currency, at: m.at.toISOString(), bookingReference: m.bookingReference, stripeId: m.stripeId, link: m.link.href };
}
