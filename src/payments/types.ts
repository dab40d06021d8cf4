export type PaymentStatus = 'succeeded' | 'partially_refunded' | 'refunded' | 'disputed' | 'outstanding' | 'written_off';
export type RefundStatus = 'requested' | 'pending' | 'succeeded' | 'failed' | 'canceled';
export type RefundInitiator = 'attendee' | 'staff' | 'dashboard' | 'system';
export type InvoiceStatus = 'outstanding' | 'paid' | 'written_off';

/** What Stripe says about one booking's checkout, fetched before any transaction opens. */
export interface StripeState {
  sessionId: string;
  sessionStatus: 'open' | 'complete' | 'expired';
  paymentStatus: 'paid' | 'unpaid' | 'no_payment_required';
  amountTotal: number;
  currency: string;
  paymentIntentId: string | null;
  paymentIntentStatus: string | null;
  chargeId: string | null;
  balanceTransactionId: string | null;
  paidAt: Date | null;
  refunds: Array<{ id: string; amount: number; status: string; reason: string | null; ourRefundId: number | null; attendeeIds: number[] | null; created: Date }>;
  disputes: Array<{ id: string; amount: number; status: string; reason: string | null; created: Date }>;
}

/** Stripe dispute statuses while the money is still in question (a refund is refused meanwhile). */
export const OPEN_DISPUTE_STATUSES = ['warning_needs_response', 'warning_under_review', 'needs_response', 'under_review'];
