import type { ServiceContext } from '../context';
import { formatMoney } from '../lib/money';
import { inZone } from '../lib/time';
import { listBalanceLinesOfPayouts, listPaidPayouts, listUnrecordedLines, type BalanceLine, type LineExplanation, type PayoutRecord } from './balance-queries';
import { bucketOf } from './categories';
import { listExplanationsInForce, type ExplanationRecord } from './explanation-queries';
import { syncedBeforeOf } from './freshness';
import { listAmountDifferences, listOpenDisputes, listPaidBookingsWithoutPayment, listPaymentsMissingInStripe, listRefundsMissingInStripe, type BookingIssue } from './mismatch-queries';
import { payoutTitle } from './payout-title';
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
  /** The Stripe object the treasurer may mark as explained (with a note), when this kind allows it. */
  explainableId: string | null;
  /** A Stripe payment with no booking: bookings it may honestly be attached to (marked paid by card, nothing recorded, same amount). */
  attachCandidates: BookingIssue[];
  /** An open dispute's response deadline (Stripe's `evidence_details.due_by`), when known. */
  dueBy: Date | null;
  /** The payout its money went out in, as the bank statement shows it. */
  paidOutIn: { id: string; title: string } | null;
}

export interface ExplainedMismatch extends Mismatch {
  explanation: LineExplanation & { bookingReference: string | null };
}

export interface MismatchReview {
  /** What still needs the treasurer, newest first. */
  open: Mismatch[];
  /** What the treasurer has explained or attached: kept visible, each with its note, and reversible. */
  explained: ExplainedMismatch[];
}

/** A refund made here waits this long for Stripe before it is called stuck. */
const GRACE_MS = 60 * 60_000;

export const bookingLink = (reference: string) => ({ href: `/admin/finance/bookings/${encodeURIComponent(reference)}`, label: `Open booking ${reference}` });
const payoutLink = (id: string, title: string) => ({ href: `/admin/finance/payouts/${encodeURIComponent(id)}`, label: `Open the payout of ${title}` });
const stripeLink = (id: string) => ({ href: `https://dashboard.stripe.com/search?query=${encodeURIComponent(id)}`, label: 'Find it in the Stripe dashboard' });

const blank = { explainableId: null, attachCandidates: [] as BookingIssue[], dueBy: null, paidOutIn: null };

/** "Respond by 9 Mar 2026 (7 days left)": the deadline Stripe gives, in the group's zone. */
export function deadlineText(dueBy: Date | null, now: Date, zone: string): string {
  if (!dueBy) return 'Its response deadline shows here after the next sync with Stripe.';
  const day = inZone(dueBy, zone).toFormat('d LLL yyyy, HH:mm');
  const days = Math.floor((dueBy.getTime() - now.getTime()) / 86_400_000);
  if (dueBy <= now) return `The deadline to respond was ${day}.`;
  return `Respond in the Stripe dashboard by ${day} (${days < 1 ? 'less than a day' : `${days} ${days === 1 ? 'day' : 'days'}`} left).`;
}

function fromUnrecordedLine(line: BalanceLine, payouts: Map<string, PayoutRecord>, candidates: BookingIssue[], now: Date, zone: string): Mismatch | null {
  const bucket = bucketOf(line.reportingCategory);
  const stripeId = line.sourceId ?? line.id;
  const payout = line.payoutId ? payouts.get(line.payoutId) : undefined;
  const paidOutIn = payout ? { id: payout.id, title: payoutTitle(payout, zone) } : null;
  const paidOut = paidOutIn ? ` It went out in the payout of ${paidOutIn.title} (${paidOutIn.id}).` : '';
  const base = { ...blank, amount: Math.abs(line.amount), currency: line.currency, at: line.createdAt, bookingReference: line.reference, stripeId, explainableId: stripeId, paidOutIn };
  const link = line.reference ? bookingLink(line.reference) : stripeLink(stripeId);
  const on = line.reference ? ` on booking ${line.reference}${line.isAttached ? ' (attached by the treasurer)' : ''}` : '';
  if (bucket === 'gross') {
    const matching = candidates.filter((b) => b.amount === line.amount && b.currency === line.currency);
    return { ...base, kind: 'payment_without_booking', title: 'A Stripe payment with no booking', detail: `${stripeId} took ${formatMoney(line.amount, line.currency)}, but no booking here is paid by it.${paidOut}`, link: stripeLink(stripeId), attachCandidates: matching };
  }
  if (bucket === 'refunds') return { ...base, kind: 'refund_not_recorded', title: 'A refund in Stripe not recorded here', detail: `${line.sourceId} refunded ${formatMoney(-line.amount, line.currency)}${on}; it is not in our refunds.${paidOut}`, link };
  if (bucket === 'disputes') {
    const deadline = line.reportingCategory === 'dispute' ? ` ${deadlineText(line.disputeDueBy, now, zone)}` : '';
    return { ...base, kind: 'dispute_not_recorded', title: 'A dispute in Stripe not recorded here', detail: `${line.sourceId} moved ${formatMoney(line.amount, line.currency)}${on}.${deadline}${paidOut}`, link, dueBy: line.reportingCategory === 'dispute' ? line.disputeDueBy : null };
  }
  return null;
}

/**
 * Paid payouts that do not add up, or hold lines that are not matched and not listed on their own. A line that is
 * already its own mismatch (a payment with no booking, say) is not listed again under its payout: the same money
 * appears once, and its own entry says which payout it went out in.
 */
async function payoutMismatches(ctx: ServiceContext, payouts: PayoutRecord[], explanations: Map<string, ExplanationRecord>): Promise<{ open: Mismatch[]; explained: ExplainedMismatch[] }> {
  const zone = ctx.config.timezone;
  const synced = payouts.filter((p) => p.status === 'paid' && p.linesSyncedAt);
  const lines = await listBalanceLinesOfPayouts(ctx.db, synced.map((p) => p.id));
  const open: Mismatch[] = [];
  const explained: ExplainedMismatch[] = [];
  for (const payout of synced) {
    const own = lines.filter((l) => l.payoutId === payout.id && bucketOf(l.reportingCategory) !== 'payout');
    const unmatched = own.filter((l) => !l.isMatched);
    const listedAlone = unmatched.filter((l) => ['gross', 'refunds', 'disputes'].includes(bucketOf(l.reportingCategory)));
    const rest = unmatched.length - listedAlone.length;
    const difference = payout.amount - own.reduce((s, l) => s + l.net, 0);
    if (rest === 0 && difference === 0) continue;
    const title = payoutTitle(payout, zone);
    const parts = [
      rest ? `${rest} of its ${own.length} transactions ${rest === 1 ? 'is' : 'are'} not matched to our records` : '',
      difference ? `its transactions differ from the payout by ${formatMoney(difference, payout.currency)}` : '',
      listedAlone.length ? `${listedAlone.length} more ${listedAlone.length === 1 ? 'is' : 'are'} listed on ${listedAlone.length === 1 ? 'its' : 'their'} own` : '',
    ].filter(Boolean);
    const mismatch: Mismatch = { ...blank, kind: 'payout_unmatched', title: 'A payout not fully matched', detail: `The payout of ${title} (${payout.id}): ${parts.join('; ')}.`, amount: payout.amount, currency: payout.currency, at: payout.arrivalDate, bookingReference: null, stripeId: payout.id, link: payoutLink(payout.id, title), explainableId: payout.id };
    const statement = explanations.get(payout.id);
    if (statement) explained.push({ ...mismatch, explanation: { id: statement.id, kind: statement.kind, note: statement.note, bookingId: null, createdBy: statement.createdBy, createdAt: statement.createdAt, bookingReference: null } });
    else open.push(mismatch);
  }
  return { open, explained };
}

/**
 * Everything that does not add up between Stripe, the bank and our bookings, split into what is still open and what
 * the treasurer has explained (`explanations.ts`). Computed on every view, never stored.
 */
export async function reviewMismatches(ctx: ServiceContext): Promise<MismatchReview> {
  const now = ctx.clock.now();
  const zone = ctx.config.timezone;
  const syncedBefore = syncedBeforeOf((await readStreamState(ctx.db, 'balance_transactions')).lastSuccessAt);
  const statements = await listExplanationsInForce(ctx.db);
  const byObject = new Map(statements.map((s) => [s.stripeObjectId, s]));
  const attachedBookings = new Set(statements.filter((s) => s.kind === 'attached').map((s) => s.bookingId));
  const payouts = await listPaidPayouts(ctx.db);
  const payoutById = new Map(payouts.map((p) => [p.id, p]));
  const waitingForPayment = (await listPaidBookingsWithoutPayment(ctx.db)).filter((b) => !attachedBookings.has(b.bookingId));

  const open: Mismatch[] = [];
  const explained: ExplainedMismatch[] = [];
  for (const line of await listUnrecordedLines(ctx.db)) {
    const m = fromUnrecordedLine(line, payoutById, waitingForPayment, now, zone);
    if (!m) continue;
    if (line.explanation) explained.push({ ...m, attachCandidates: [], explanation: { ...line.explanation, bookingReference: byObject.get(m.explainableId!)?.bookingReference ?? null } });
    else open.push(m);
  }
  for (const b of waitingForPayment) {
    open.push({ ...blank, kind: 'paid_without_payment', title: 'A booking marked paid with no payment', detail: `${b.reference} (${b.eventTitle}) is confirmed as paid by card for ${formatMoney(b.amount, b.currency)}, but no succeeded charge is recorded.`, amount: b.amount, currency: b.currency, at: b.at, bookingReference: b.reference, stripeId: null, link: bookingLink(b.reference) });
  }
  if (syncedBefore) {
    for (const b of await listPaymentsMissingInStripe(ctx.db, syncedBefore)) {
      open.push({ ...blank, kind: 'payment_not_in_stripe', title: 'A payment recorded here that Stripe does not have', detail: `${b.reference}: charge ${b.detail ?? '(none)'} is not in Stripe's balance.`, amount: b.amount, currency: b.currency, at: b.at, bookingReference: b.reference, stripeId: b.detail, link: bookingLink(b.reference) });
    }
  }
  for (const a of await listAmountDifferences(ctx.db)) {
    const against = a.stripeAmount !== null && a.stripeAmount !== a.amount ? `Stripe charged ${formatMoney(a.stripeAmount, a.currency)}` : `the booking total is ${formatMoney(a.bookingTotal, a.currency)}`;
    open.push({ ...blank, kind: 'amount_differs', title: 'An amount that differs', detail: `${a.reference}: the ${a.method} payment recorded is ${formatMoney(a.amount, a.currency)}, but ${against}.`, amount: a.amount, currency: a.currency, at: a.at, bookingReference: a.reference, stripeId: null, link: bookingLink(a.reference) });
  }
  for (const r of await listRefundsMissingInStripe(ctx.db, new Date(now.getTime() - GRACE_MS), syncedBefore)) {
    open.push({ ...blank, kind: 'refund_not_in_stripe', title: 'A refund recorded here that Stripe does not have', detail: `${r.reference}: ${formatMoney(r.amount, r.currency)}. ${r.detail}.`, amount: r.amount, currency: r.currency, at: r.at, bookingReference: r.reference, stripeId: null, link: bookingLink(r.reference) });
  }
  for (const d of await listOpenDisputes(ctx.db)) {
    open.push({
      ...blank,
      kind: 'dispute_open',
      title: 'A dispute is open',
      detail: `${d.reference ?? 'No booking'}: ${d.detail}. ${deadlineText(d.dueBy, now, zone)}`,
      amount: d.amount,
      currency: d.currency,
      at: d.at,
      bookingReference: d.reference,
      stripeId: d.stripeDisputeId,
      link: d.reference ? bookingLink(d.reference) : { href: 'https://dashboard.stripe.com/disputes', label: 'Open disputes in Stripe' },
      dueBy: d.dueBy,
    });
  }
  const fromPayouts = await payoutMismatches(ctx, payouts, byObject);
  open.push(...fromPayouts.open);
  explained.push(...fromPayouts.explained);
  const newestFirst = (a: Mismatch, b: Mismatch) => b.at.getTime() - a.at.getTime();
  return { open: open.sort(newestFirst), explained: explained.sort((a, b) => b.explanation.createdAt.getTime() - a.explanation.createdAt.getTime()) };
}

/** The open mismatches (what the API lists). */
export async function findMismatches(ctx: ServiceContext): Promise<Mismatch[]> {
  return (await reviewMismatches(ctx)).open;
}
