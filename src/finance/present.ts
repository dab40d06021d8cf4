import { formatMoney } from '../lib/money';
import { inZone } from '../lib/time';
import type { BalanceLine } from './balance-queries';
import { categoryLabel } from './categories';
import { barChart } from './chart';
import type { Figures } from './figures';
import type { Freshness } from './freshness';
import type { LedgerRow } from './ledger-queries';
import type { ExplainedMismatch, Mismatch } from './mismatches';
import { payoutTitle } from './payout-title';
import type { BreakdownRow, PayoutSummary } from './payouts';
import type { EventSummary, FinanceSummary } from './summary';

/** Money is formatted here, at the edge, and nowhere earlier. */
export const money = (amount: number, currency = 'GBP') => formatMoney(amount, currency);
const moneyOrDash = (amount: number | null, currency: string) => (amount === null ? '—' : money(amount, currency));
export const shortDate = (date: Date, zone: string) => inZone(date, zone).toFormat('d LLL yyyy');
export const dateTime = (date: Date, zone: string) => inZone(date, zone).toFormat('d LLL yyyy, HH:mm');

export function figures(f: Figures, currency: string) {
  return { gross: money(f.gross, currency), refunds: money(f.refunds, currency), disputes: money(f.disputes, currency), other: money(f.other, currency), fees: money(f.fees, currency), net: money(f.net, currency) };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * What every finance page says about how current its figures are. `isBehind` turns it into a warning: the pages never
 * present Stripe's figures as complete when the sync has not run, failed, is old, or has not seen money recorded here.
 */
export function freshnessView(f: Freshness, zone: string) {
  const since = f.lastSuccessAt ? dateTime(f.lastSuccessAt, zone) : null;
  const waiting = [
    f.awaiting.payments ? `${plural(f.awaiting.payments, 'card payment', 'card payments')} (${money(f.awaiting.paymentsAmount)})` : '',
    f.awaiting.refunds ? `${plural(f.awaiting.refunds, 'refund', 'refunds')} (${money(f.awaiting.refundsAmount)})` : '',
  ].filter(Boolean);
  const total = f.awaiting.payments + f.awaiting.refunds;
  let headline: string;
  if (!f.hasStripe) headline = 'Stripe is not configured on this server, so card money cannot be checked against Stripe.';
  else if (!since) headline = 'Not synced with Stripe yet: card figures and mismatches cannot be checked until the first sync.';
  else headline = `Not synced with Stripe since ${since}.`;
  return {
    isBehind: f.isBehind,
    headline,
    lastSuccess: since,
    waiting: waiting.length ? `${waiting.join(' and ')} recorded here ${total === 1 ? 'is' : 'are'} not in Stripe's figures below yet, so ${total === 1 ? 'it is' : 'they are'} not matched yet.` : null,
    lastError: f.lastError,
    isRunning: f.isRunning,
    canSync: f.hasStripe,
  };
}

function eventRow(e: EventSummary, currency: string) {
  return {
    ...figures(e, currency),
    title: e.title,
    slug: e.slug,
    eventId: e.eventId,
    isUnmatched: e.notFromBooking === 'unmatched',
    isExplained: e.notFromBooking === 'explained',
    paidSeats: e.paidSeats,
    discounts: money(e.discounts, currency),
    invoicesOutstanding: e.invoicesOutstandingCount ? `${money(e.invoicesOutstanding, currency)} (${e.invoicesOutstandingCount})` : money(0, currency),
  };
}

export function overviewView(summary: FinanceSummary) {
  const c = summary.currency;
  const hasOther = summary.totals.other !== 0;
  const months = summary.months;
  const moving = summary.events.filter((e) => e.gross !== 0 || e.net !== 0);
  return {
    periodLabel: summary.period.label,
    events: summary.events.map((e) => eventRow(e, c)),
    totals: eventRow(summary.totals, c),
    hasEvents: summary.events.length > 0,
    hasOther,
    months: months.map((m) => ({ label: m.label, ...figures(m, c) })),
    monthRange: months.length === 0 ? null : months.length === 1 ? months[0].label : `${months[0].label} to ${months.at(-1)!.label}`,
    monthChart: barChart(months.map((m) => ({ label: m.label, value: m.net, valueLabel: money(m.net, c) }))),
    eventChart: barChart(moving.map((e) => ({ label: e.title, value: e.net, valueLabel: money(e.net, c) }))),
  };
}

export function ledgerRowView(r: LedgerRow, zone: string, payoutTitles: Map<string, string>) {
  return {
    kindLabel: r.kind === 'payment' ? 'Payment' : 'Refund',
    isRefund: r.kind === 'refund',
    reference: r.reference,
    eventTitle: r.eventTitle ?? '—',
    buyer: r.buyerName ?? '—',
    buyerEmail: r.buyerEmail,
    method: r.method === 'invoice' ? 'Invoice' : 'Card',
    status: r.status.replace(/_/g, ' '),
    amount: money(r.gross, r.currency),
    fee: moneyOrDash(r.fee, r.currency),
    net: moneyOrDash(r.net, r.currency),
    date: dateTime(r.at, zone),
    payoutId: r.payoutId,
    payoutTitle: r.payoutId ? (payoutTitles.get(r.payoutId) ?? r.payoutId) : null,
    bankReference: r.bankReference,
    discount: r.discount > 0 ? `${money(r.discount, r.currency)} off with ${r.discountCode ?? 'a code'}` : null,
  };
}

export function payoutRowView(p: PayoutSummary, zone: string) {
  return {
    id: p.id,
    title: payoutTitle(p, zone),
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
  return rows.map((r) => ({ label: r.label, count: r.count, ...figures(r, currency), isUnmatched: r.key === 'none', isExplained: r.isExplained }));
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
    isMatched: l.isMatched,
    isAttached: l.isAttached,
    explanationNote: l.explanation?.note ?? null,
    sourceId: l.sourceId,
  };
}

const stripePath = (id: string) => encodeURIComponent(id);

export function mismatchView(m: Mismatch, zone: string, canManage: boolean) {
  return {
    kind: m.kind,
    title: m.title,
    detail: m.detail,
    amount: money(m.amount, m.currency),
    date: dateTime(m.at, zone),
    href: m.link.href,
    linkLabel: m.link.label,
    isExternal: m.link.href.startsWith('http'),
    dueBy: m.dueBy ? dateTime(m.dueBy, zone) : null,
    isDispute: m.kind === 'dispute_open' || m.kind === 'dispute_not_recorded',
    explainHref: canManage && m.explainableId ? `/admin/finance/mismatches/${stripePath(m.explainableId)}/explain` : null,
    attachHref: canManage && m.explainableId && m.attachCandidates.length ? `/admin/finance/mismatches/${stripePath(m.explainableId)}/attach` : null,
    attachCount: m.attachCandidates.length,
  };
}

export function explainedView(m: ExplainedMismatch, zone: string, canManage: boolean) {
  return {
    ...mismatchView(m, zone, false),
    isAttached: m.explanation.kind === 'attached',
    bookingReference: m.explanation.bookingReference,
    note: m.explanation.note,
    by: m.explanation.createdBy,
    on: dateTime(m.explanation.createdAt, zone),
    withdrawAction: canManage ? `/admin/finance/mismatches/${stripePath(m.explainableId!)}/withdraw` : null,
    stripeId: m.explainableId,
  };
}

/** The JSON API's form: integer minor units, ISO instants. */
export function mismatchJson(m: Mismatch) {
  return {
    kind: m.kind,
    title: m.title,
    detail: m.detail,
    amount: m.amount,
    currency: m.currency,
    at: m.at.toISOString(),
    bookingReference: m.bookingReference,
    stripeId: m.stripeId,
    link: m.link.href,
    dueBy: m.dueBy?.toISOString() ?? null,
    paidOutIn: m.paidOutIn?.id ?? null,
  };
}

export function explainedJson(m: ExplainedMismatch) {
  return { ...mismatchJson(m), explanation: { kind: m.explanation.kind, note: m.explanation.note, bookingReference: m.explanation.bookingReference, by: m.explanation.createdBy, at: m.explanation.createdAt.toISOString() } };
}
