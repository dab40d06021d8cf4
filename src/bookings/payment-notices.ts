import { manageUrl } from '../lib/links';
import { eventSummary } from './notifications';
import type { BookingRecord } from './types';
import type { ServiceContext } from '../context';
import type { EventRecord } from '../events/types';
import { formatMoney } from '../lib/money';
import type { OutgoingEmail } from '../mail/outbox';

export type PaymentNoticeKind = 'receipt' | 'pro_forma' | 'refunded_after_expiry' | 'refunded_event_cancelled' | 'refunded_duplicate' | 'payment_failed' | 'refund_issued' | 'invoice_paid';

interface NoticeInput {
  kind: PaymentNoticeKind;
  event: EventRecord;
  booking: BookingRecord;
  lines: Array<{ label: string; amount: number }>;
  amount?: number;
  dedupeSuffix?: string;
}

const SUBJECTS: Record<PaymentNoticeKind, (title: string, ref: string) => string> = {
  receipt: (t, r) => `Receipt for booking ${r}: ${t}`,
  pro_forma: (t, r) => `Pro-forma invoice for booking ${r}: ${t}`,
  refunded_after_expiry: (t) => `Your payment has been refunded: ${t}`,
  refunded_event_cancelled: (t) => `Your payment has been refunded: ${t}`,
  refunded_duplicate: (t, r) => `Second payment refunded for booking ${r}: ${t}`,
  payment_failed: (t) => `Your payment did not go through: ${t}`,
  refund_issued: (t, r) => `Refund for booking ${r}: ${t}`,
  invoice_paid: (t, r) => `Payment received for booking ${r}: ${t}`,
};

/** Emails to the buyer about money: receipts, pro-formas, refunds and failed payments. */
export function paymentNotice(ctx: ServiceContext, input: NoticeInput): OutgoingEmail {
  const { booking, event } = input;
  const money = (n: number) => formatMoney(n, booking.currency);
  const body = ctx.emails.render('payment-notice', {
    kind: input.kind,
    name: booking.buyerName,
    reference: booking.reference,
    event: eventSummary(ctx, event),
    lines: input.lines.map((l) => ({ label: l.label, amount: money(l.amount) })),
    total: money(booking.total),
    amount: input.amount !== undefined ? money(input.amount) : null,
    purchaseOrder: booking.purchaseOrder,
    organisation: booking.buyerOrganisation,
    billingContact: booking.billingContact,
    bank: ctx.config.bank,
    contactEmail: event.contactEmail,
    manageUrl: manageUrl(ctx.config, booking.reference),
    isReceipt: input.kind === 'receipt',
    isProForma: input.kind === 'pro_forma',
    isRefundedAfterExpiry: input.kind === 'refunded_after_expiry',
    isRefundedEventCancelled: input.kind === 'refunded_event_cancelled',
    isRefundedDuplicate: input.kind === 'refunded_duplicate',
    isPaymentFailed: input.kind === 'payment_failed',
    isRefundIssued: input.kind === 'refund_issued',
    isInvoicePaid: input.kind === 'invoice_paid',
  });
  return {
    dedupeKey: `booking:${booking.id}:${input.kind}${input.dedupeSuffix ? `:${input.dedupeSuffix}` : ''}`,
    kind: input.kind,
    eventId: event.id,
    bookingId: booking.id,
    to: booking.buyerEmail,
    toName: booking.buyerName,
    subject: SUBJECTS[input.kind](event.title, booking.reference),
    ...body,
  };
}
