import { formatMoney } from '../lib/money';
import type { RefundSummary } from './payment-gateway';

/**
 * What a booking's refunds come to, said the same way on the booking page, in the cancellation email and in the API:
 * "Refunded £145.00 (£10.00 cancellation fee kept)" once the card payment provider has taken them, and "Refund of
 * £145.00 requested (…)" while it has not (a refund is `requested` until Stripe confirms it). Null when there is none.
 */
export interface RefundStatus {
  /** Minor units the provider has confirmed. */
  refunded: number;
  /** Minor units recorded but not yet confirmed by the provider. */
  requested: number;
  /** Minor units the refund policy kept. */
  feeKept: number;
  currency: string;
  line: string;
}

export function refundStatusOf(refunds: RefundSummary[], currency: string): RefundStatus | null {
  if (refunds.length === 0) return null;
  const sum = (list: RefundSummary[], pick: (r: RefundSummary) => number) => list.reduce((s, r) => s + pick(r), 0);
  const refunded = sum(refunds.filter((r) => r.isConfirmed), (r) => r.amount);
  const requested = sum(refunds.filter((r) => !r.isConfirmed), (r) => r.amount);
  const feeKept = sum(refunds, (r) => r.feeKept);
  const money = (n: number) => formatMoney(n, currency);
  const parts = [refunded > 0 ? `Refunded ${money(refunded)}` : null, requested > 0 ? `${refunded > 0 ? 'refund' : 'Refund'} of ${money(requested)} requested` : null].filter(Boolean);
  const line = `${parts.join('; ')}${feeKept > 0 ? ` (${money(feeKept)} cancellation fee kept)` : ''}`;
  return { refunded, requested, feeKept, currency, line };
}

/** The refunds that gave up any of these seats (the ones a cancellation email is about). */
export function refundsForSeats(refunds: RefundSummary[], attendeeIds: number[]): RefundSummary[] {
  return refunds.filter((r) => r.attendeeIds.some((id) => attendeeIds.includes(id)));
}
