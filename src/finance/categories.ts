/** Where a balance transaction's reporting category goes in the treasurer's columns. */
export type Bucket = 'gross' | 'refunds' | 'disputes' | 'other' | 'payout';

const BUCKETS: Record<string, Bucket> = {
  charge: 'gross',
  payment: 'gross',
  refund: 'refunds',
  refund_failure: 'refunds',
  payment_refund: 'refunds',
  dispute: 'disputes',
  dispute_reversal: 'disputes',
  payout: 'payout',
  payout_reversal: 'payout',
};

export function bucketOf(reportingCategory: string): Bucket {
  return BUCKETS[reportingCategory] ?? 'other';
}

const LABELS: Record<string, string> = {
  charge: 'Card payments',
  payment: 'Payments',
  refund: 'Refunds',
  refund_failure: 'Failed refunds (returned)',
  dispute: 'Disputes (chargebacks)',
  dispute_reversal: 'Disputes won (returned)',
  payout: 'Payout',
  fee: 'Stripe fees billed separately',
  other_adjustment: 'Other adjustments',
};

export function categoryLabel(reportingCategory: string): string {
  return LABELS[reportingCategory] ?? reportingCategory.replace(/_/g, ' ');
}

/** Balance transaction types that are money taken from a card (`payment` for some payment methods). */
export const CHARGE_TYPES = ['charge', 'payment'];

/** Payments rows that are money received (not an invoice written off). */
export const RECEIVED_STATUSES = ['succeeded', 'partially_refunded', 'refunded', 'disputed'];

/** Refunds that have moved money or are on their way at Stripe. */
export const LIVE_REFUND_STATUSES = ['succeeded', 'pending', 'requested'];

export { OPEN_DISPUTE_STATUSES } from '../payments/types';
