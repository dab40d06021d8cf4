import type { ServiceContext } from '../context';
import { formatMoney } from '../lib/money';
import { listBalanceLinesOfPayouts, listPaidPayouts, listUnrecordedLines, type BalanceLine } from './balance-queries';
import { bucketOf } from './categories';
import { listAmountDifferences, listOpenDisputes, listPaidBookingsWithoutPayment, listPaymentsMissingInStripe, listRefundsMissingInStripe } from './mismatch-queries';
import { readStreamState } from './sync-queries';

export type MismatchKind =
  | 'payment_without_booking'
  | 'paid_without_payment'
  | 'payment_not_in_stripe'
  | 'amount_differs'
  | 'refund_not_recorded'
  | 'refund_not_in_stripe'
  | 'dispute_not_recorded'
  | 'dispute_open'
  | 'payout_unmatched';

export interface Mismatch {
  kind: MismatchKind;
  title: string;
  detail: string;
  amount: number;
  currency: string;
  at: Date;
  bookingReference: string | null;
  stripeId: string | null;
  link: { href: string; label: string };
}

/** A refund made here waits this long for Stripe before it is called stuck; the sync's own overlap is allowed for too. */
const GRACE_MS = 60 * 60_000;
const SYNC_MARGIN_MS = 15 * 60_000;

export const bookingLink = (reference: string) => ({ href: `/admin/finance/bookings/${encodeURIComponent(reference)}`, label: `Open booking ${reference}` });
const payoutLink = (id: string) => ({ href: `/admin/finance/payouts/${encodeURIComponent(id)}`, label: `Open payout ${id}` });
const stripeLink = (id: string) => ({ href: `https://dashboard.stripe.com/search?query=${encodeURIComponent(id)}`, label: 'Find it in the Stripe dashboard' });

function fromUnrecordedLine(line: BalanceLine): Mismatch | null {
  const bucket = bucketOf(line.reportingCategory);
  const base = { amount: Math.abs(line.amount), currency: line.currency, at: line.createdAt, bookingReference: line.reference, stripeId: line.sourceId ?? line.id };
  const link = line.reference ? bookingLink(line.reference) : stripeLink(line.sourceId ?? line.id);
  if (bucket === 'gross') return { ...base, kind: 'payment_without_booking', title: 'A Stripe payment with no booking', detail: `${line.sourceId ?? line.id} took ${formatMoney(line.amount, line.currency)}, but no booking here is paid by it.`, link: stripeLink(line.sourceId ?? line.id) };
  if (bucket === 'refunds') return { ...base, kind: 'refund_not_recorded', title: 'A refund in Stripe not recorded here', detail: `${line.sourceId} refunded ${formatMoney(-line.amount, line.currency)}${line.reference ? ` on booking ${line.reference}` : ''}; it is not in our refunds.`, link };
  if (bucket === 'disputes') return { ...base, kind: 'dispute_not_recorded', title: 'A dispute in Stripe not recorded here', detail: `${line.sourceId} moved ${formatMoney(line.amount, line.currency)}${line.reference ? ` on booking ${line.reference}` : ''}.`, link };
  return null;
}

/** Paid payouts whose transactions are not all explained, or do not add up to what reached the bank. */
async function payoutMismatches(ctx: ServiceContext): Promise<Mismatch[]> {
  const payouts = (await listPaidPayouts(ctx.db)).filter((p) => p.linesSyncedAt);
  const lines = await listBalanceLinesOfPayouts(ctx.db, payouts.map((p) => p.id));
  const found: Mismatch[] = [];
  for (const payout of payouts) {
    const own = lines.filter((l) => l.payoutId === payout.id && bucketOf(l.reportingCategory) !== 'payout');
    const unrecorded = own.filter((l) => !l.isRecorded);
    const difference = payout.amount - own.reduce((s, l) => s + l.net, 0);
    if (unrecorded.length === 0 && difference === 0) continue;
    const parts = [unrecorded.length ? `${unrecorded.length} of its ${own.length} transactions ${unrecorded.length === 1 ? 'is' : 'are'} not matched to our records` : '', difference ? `its transactions differ from the payout by ${formatMoney(difference, payout.currency)}` : ''].filter(Boolean);
    found.push({ kind: 'payout_unmatched', title: 'A payout not fully matched', detail: `${payout.id}: ${parts.join('; ')}.`, amount: payout.amount, currency: payout.currency, at: payout.arrivalDate, bookingReference: null, stripeId: payout.id, link: payoutLink(payout.id) });
  }
  return found;
}

/** Everything that does not add up between Stripe, the bank and our bookings, newest first. */
export async function findMismatches(ctx: ServiceContext): Promise<Mismatch[]> {
  const now = ctx.clock.now();
  const synced = (await readStreamState(ctx.db, 'balance_transactions')).lastSuccessAt;
  const syncedBefore = synced ? new Date(synced.getTime() - SYNC_MARGIN_MS) : null;
  const found: Mismatch[] = [];
  for (const line of await listUnrecordedLines(ctx.db)) {
    const m = fromUnrecordedLine(line);
    if (m) found.push(m);
  }
  for (const b of await listPaidBookingsWithoutPayment(ctx.db)) {
    found.push({ kind: 'paid_without_payment', title: 'A booking marked paid with no payment', detail: `${b.reference} (${b.eventTitle}) is confirmed as paid by card for ${formatMoney(b.amount, b.currency)}, but no succeeded charge is recorded.`, amount: b.amount, currency: b.currency, at: b.at, bookingReference: b.reference, stripeId: null, link: bookingLink(b.reference) });
  }
  if (syncedBefore) {
    for (const b of await listPaymentsMissingInStripe(ctx.db, syncedBefore)) {
      found.push({ kind: 'payment_not_in_stripe', title: 'A payment recorded here that Stripe does not have', detail: `${b.reference}: charge ${b.detail ?? '(none)'} is not in Stripe's balance.`, amount: b.amount, currency: b.currency, at: b.at, bookingReference: b.reference, stripeId: b.detail, link: bookingLink(b.reference) });
    }
  }
  for (const a of await listAmountDifferences(ctx.db)) {
    const against = a.stripeAmount !== null && a.stripeAmount !== a.amount ? `Stripe charged ${formatMoney(a.stripeAmount, a.currency)}` : `the booking total is ${formatMoney(a.bookingTotal, a.currency)}`;
    found.push({ kind: 'amount_differs', title: 'An amount that differs', detail: `${a.reference}: the ${a.method} payment recorded is ${formatMoney(a.amount, a.currency)}, but ${against}.`, amount: a.amount, currency: a.currency, at: a.at, bookingReference: a.reference, stripeId: null, link: bookingLink(a.reference) });
  }
  for (const r of await listRefundsMissingInStripe(ctx.db, new Date(now.getTime() - GRACE_MS), syncedBefore)) {
    found.push({ kind: 'refund_not_in_stripe', title: 'A refund recorded here that Stripe does not have', detail: `${r.reference}: ${formatMoney(r.amount, r.currency)}. ${r.detail}.`, amount: r.amount, currency: r.currency, at: r.at, bookingReference: r.reference, stripeId: null, link: bookingLink(r.reference) });
  }
  for (const d of await listOpenDisputes(ctx.db)) {
    found.push({ kind: 'dispute_open', title: 'A dispute is open', detail: `${d.reference || 'No booking'}: ${d.detail}. Respond in the Stripe dashboard before the deadline.`, amount: d.amount, currency: d.currency, at: d.at, bookingReference: d.reference || null, stripeId: null, link: d.reference ? bookingLink(d.reference) : { href: 'https://dashboard.stripe.com/disputes', label: 'Open disputes in Stripe' } });
  }
  found.push(...(await payoutMismatches(ctx)));
  return found.sort((a, b) => b.at.getTime() - a.at.getTime());
}
