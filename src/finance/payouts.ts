import type { ServiceContext } from '../context';
import { NotFoundError } from '../lib/errors';
import { findPayout, listBalanceLinesOfPayouts, listPayoutsArrivingBetween, type BalanceLine, type PayoutRecord } from './balance-queries';
import { bucketOf, categoryLabel } from './categories';
import type { Period } from './period';

export interface BreakdownRow {
  key: string;
  label: string;
  count: number;
  amount: number;
  fee: number;
  net: number;
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
  return { ...payout, lineCount: own.length, unrecordedCount: own.filter((l) => !l.isRecorded).length, difference: payout.linesSyncedAt ? payout.amount - own.reduce((s, l) => s + l.net, 0) : 0 };
}

function breakdown(lines: BalanceLine[], keyOf: (l: BalanceLine) => [string, string]): BreakdownRow[] {
  const rows = new Map<string, BreakdownRow>();
  for (const l of lines) {
    const [key, label] = keyOf(l);
    const row = rows.get(key) ?? { key, label, count: 0, amount: 0, fee: 0, net: 0 };
    row.count += 1;
    row.amount += l.amount;
    row.fee += l.fee;
    row.net += l.net;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => b.net - a.net);
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
  const total: BreakdownRow = { key: 'total', label: 'Total', count: lines.length, amount: 0, fee: 0, net: 0 };
  for (const l of lines) {
    total.amount += l.amount;
    total.fee += l.fee;
    total.net += l.net;
  }
  return {
    payout: summarise(payout, all),
    lines,
    byEvent: breakdown(lines, (l) => (l.eventId ? [`event-${l.eventId}`, l.eventTitle ?? ''] : ['none', 'Not matched to a booking'])),
    byCategory: breakdown(lines, (l) => [l.reportingCategory, categoryLabel(l.reportingCategory)]),
    total,
  };
}
