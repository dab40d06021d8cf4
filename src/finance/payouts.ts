import type { ServiceContext } from '../context';
import { NotFoundError } from '../lib/errors';
import { findPayout, listBalanceLinesOfPayouts, listPayoutsArrivingBetween, type BalanceLine, type PayoutRecord } from './balance-queries';
import { bucketOf, categoryLabel } from './categories';
import { addFigures, figuresOf, zeroFigures, type Figures } from './figures';
import type { Period } from './period';

/** One group of a payout's transactions, in the same columns as the overview (gross before refunds). */
export interface BreakdownRow extends Figures {
  key: string;
  label: string;
  count: number;
  /** Money not from a booking that the treasurer has explained (a donation). */
  isExplained: boolean;
}

export interface PayoutSummary extends PayoutRecord {
  lineCount: number;
  unrecordedCount: number;
  /** The payout amount less the sum of its transactions' nets: 0 when it adds up. */
  difference: number;
}

export interface PayoutDetail {
  payout: PayoutSummary;
  lines: BalanceLine[];
  byEvent: BreakdownRow[];
  byCategory: BreakdownRow[];
  total: BreakdownRow;
}

function summarise(payout: PayoutRecord, lines: BalanceLine[]): PayoutSummary {
  const own = lines.filter((l) => l.payoutId === payout.id && bucketOf(l.reportingCategory) !== 'payout');
  return { ...payout, lineCount: own.length, unrecordedCount: own.filter((l) => !l.isMatched).length, difference: payout.linesSyncedAt ? payout.amount - own.reduce((s, l) => s + l.net, 0) : 0 };
}

function breakdown(lines: BalanceLine[], keyOf: (l: BalanceLine) => [string, string]): BreakdownRow[] {
  const rows = new Map<string, BreakdownRow>();
  for (const l of lines) {
    const [key, label] = keyOf(l);
    const row = rows.get(key) ?? { key, label, count: 0, isExplained: key === 'explained', ...zeroFigures() };
    row.count += 1;
    addFigures(row, figuresOf(l));
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.net - a.net);
}

function eventKey(l: BalanceLine): [string, string] {
  if (l.eventId) return [`event-${l.eventId}`, l.eventTitle ?? ''];
  return l.explanation ? ['explained', 'Not from a booking (explained)'] : ['none', 'Not matched to a booking'];
}

export async function listPayoutSummaries(ctx: ServiceContext, period: Period): Promise<PayoutSummary[]> {
  const payouts = await listPayoutsArrivingBetween(ctx.db, period.start, period.end);
  const lines = await listBalanceLinesOfPayouts(ctx.db, payouts.map((p) => p.id));
  return payouts.map((p) => summarise(p, lines));
}

/** One payout taken apart: by event and by reporting category, each adding up to the payout amount. */
export async function getPayoutDetail(ctx: ServiceContext, payoutId: string): Promise<PayoutDetail> {
  const payout = await findPayout(ctx.db, payoutId);
  if (!payout) throw new NotFoundError('payout_not_found', 'No payout with that id has been synced from Stripe.');
  const all = await listBalanceLinesOfPayouts(ctx.db, [payout.id]);
  const lines = all.filter((l) => bucketOf(l.reportingCategory) !== 'payout');
  const total: BreakdownRow = { key: 'total', label: 'Total', count: lines.length, isExplained: false, ...zeroFigures() };
  for (const l of lines) addFigures(total, figuresOf(l));
  return {
    payout: summarise(payout, all),
    lines,
    byEvent: breakdown(lines, eventKey),
    byCategory: breakdown(lines, (l) => [l.reportingCategory, categoryLabel(l.reportingCategory)]),
    total,
  };
}
