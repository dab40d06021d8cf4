import { z } from 'zod';
import { manageUrl } from '../lib/links';
import { eventSummary } from './notifications';
import { findBookingById } from './queries';
import type { BookingRecord } from './types';
import type { ServiceContext } from '../context';
import { findEventById } from '../events/queries';
import { contactEmailFor, priceBasis, refundTerms } from '../events/terms';
import type { EventRecord } from '../events/types';
import { formatMoney } from '../lib/money';
import type { EmailContent, OutgoingEmail } from '../mail/outbox';
import { defineTemplate } from '../mail/templates';

export type PaymentNoticeKind = 'receipt' | 'pro_forma' | 'refunded_after_expiry' | 'refunded_event_cancelled' | 'refunded_duplicate' | 'payment_failed' | 'refund_issued' | 'invoice_paid' | 'invoice_credited';

interface NoticeInput {
  kind: PaymentNoticeKind;
  event: EventRecord;
  booking: BookingRecord;
  lines: Array<{ label: string; amount: number }>;
  amount?: number;
  /** Refund notices: what the refund policy kept (minor units). */
  feeKept?: number;
  /** Invoice notices: what the invoice still asks for after this payment or credit (minor units). */
  outstanding?: number;
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
  invoice_credited: (t, r) => `Invoice credited for booking ${r}: ${t}`,
};

export const PAYMENT_NOTICE_TEMPLATE = 'payment_notice';

const minor = z.number().int();

/**
 * What the outbox keeps of a payment notice: the money, as it was when the notice was decided (the lines
 * and total of a receipt, the amount refunded or received). The buyer's name, the event's details and the
 * bank details are read when it is sent.
 */
const payloadSchema = z.object({
  kind: z.enum(Object.keys(SUBJECTS) as [PaymentNoticeKind, ...PaymentNoticeKind[]]),
  bookingId: z.number().int(),
  eventId: z.number().int(),
  currency: z.string().min(3),
  lines: z.array(z.object({ label: z.string(), amount: minor })),
  total: minor,
  amount: minor.optional(),
  /** What the refund policy kept, on a refund notice; absent on older rows and when nothing was kept. */
  feeKept: minor.optional(),
  /** What the invoice still asks for after an `invoice_paid` or `invoice_credited` notice; absent on older rows. */
  outstanding: minor.optional(),
});

export type PaymentNoticePayload = z.infer<typeof payloadSchema>;

/**
 * Emails to the buyer about money: receipts, pro-formas, refunds and failed payments. Queued in the
 * caller's transaction to be rendered when sent, so nothing is rendered while the event is locked.
 */
export function paymentNotice(_ctx: ServiceContext, input: NoticeInput): OutgoingEmail {
  const { booking, event } = input;
  const payload: PaymentNoticePayload = {
    kind: input.kind,
    bookingId: booking.id,
    eventId: event.id,
    currency: booking.currency,
    // Only the label and amount: callers may pass richer line objects that do not belong in the outbox.
    lines: input.lines.map((l) => ({ label: l.label, amount: l.amount })),
    total: booking.total,
    amount: input.amount,
    ...(input.feeKept ? { feeKept: input.feeKept } : {}),
    ...(input.outstanding !== undefined ? { outstanding: input.outstanding } : {}),
  };
  return {
    dedupeKey: `booking:${booking.id}:${input.kind}${input.dedupeSuffix ? `:${input.dedupeSuffix}` : ''}`,
    kind: input.kind,
    eventId: event.id,
    bookingId: booking.id,
    to: booking.buyerEmail,
    toName: booking.buyerName,
    subject: SUBJECTS[input.kind](event.title, booking.reference),
    deferred: { template: PAYMENT_NOTICE_TEMPLATE, payload },
  };
}

/** Renders a queued payment notice with the booking and event as they are now. */
export async function renderPaymentNotice(ctx: ServiceContext, payload: PaymentNoticePayload): Promise<EmailContent> {
  const booking = await findBookingById(ctx.db, payload.bookingId);
  const event = await findEventById(ctx.db, payload.eventId);
  if (!booking || !event) throw new Error(`booking ${payload.bookingId} or event ${payload.eventId} is gone: the ${payload.kind} notice cannot be rendered`);
  const money = (n: number) => formatMoney(n, payload.currency);
  const contactEmail = contactEmailFor(event, ctx.config);
  // An invoice's own number is what the payer quotes (finance/ issues it; read through the documents port).
  const invoiceNumber = booking.paymentMethod === 'invoice' ? ((await ctx.documents.ofBooking(booking.id)).find((d) => d.kind === 'invoice')?.number ?? null) : null;
  const terms = refundTerms(event, contactEmail);
  return ctx.emails.render('payment-notice', {
    kind: payload.kind,
    name: booking.buyerName,
    reference: booking.reference,
    event: eventSummary(ctx, event),
    lines: payload.lines.map((l) => ({ label: l.label, amount: money(l.amount) })),
    total: money(payload.total),
    amount: payload.amount !== undefined ? money(payload.amount) : null,
    feeKept: payload.feeKept ? money(payload.feeKept) : null,
    // The terms the buyer agreed to, repeated where they keep the record of paying (the receipt, the pro-forma).
    terms: payload.kind === 'receipt' ? terms.card : payload.kind === 'pro_forma' ? terms.invoice : null,
    priceBasis: payload.kind === 'receipt' || payload.kind === 'pro_forma' ? priceBasis(ctx.config) : null,
    outstanding: payload.outstanding !== undefined ? money(payload.outstanding) : null,
    // "Nothing more is due" only when the notice knows that nothing is.
    isSettled: payload.outstanding === 0,
    hasOutstanding: payload.outstanding !== undefined && payload.outstanding > 0,
    purchaseOrder: booking.purchaseOrder,
    invoiceNumber,
    organisation: booking.buyerOrganisation,
    billingContact: booking.billingContact,
    bank: ctx.config.bank,
    contactEmail,
    manageUrl: manageUrl(ctx.config, booking.reference),
    isReceipt: payload.kind === 'receipt',
    isProForma: payload.kind === 'pro_forma',
    isRefundedAfterExpiry: payload.kind === 'refunded_after_expiry',
    isRefundedEventCancelled: payload.kind === 'refunded_event_cancelled',
    isRefundedDuplicate: payload.kind === 'refunded_duplicate',
    isPaymentFailed: payload.kind === 'payment_failed',
    isRefundIssued: payload.kind === 'refund_issued',
    isInvoicePaid: payload.kind === 'invoice_paid',
    isInvoiceCredited: payload.kind === 'invoice_credited',
  });
}

export const paymentNoticeTemplate = defineTemplate<ServiceContext, PaymentNoticePayload>({
  name: PAYMENT_NOTICE_TEMPLATE,
  schema: payloadSchema,
  render: renderPaymentNotice,
});
