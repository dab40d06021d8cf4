import type { Config } from '../config';
import { KIND_LABELS } from '../events/types';
import { formatMoney } from '../lib/money';
import { formatInstant, formatRange } from '../lib/time';
import { refundPolicyFor } from './rules';
import { manageUrl } from '../lib/links';
import type { EventWithAvailability } from '../events/service';
import type { BookingView } from './view';

const STATUS_LABELS = {
  pending_payment: 'Awaiting payment',
  confirmed: 'Confirmed',
  waitlisted: 'On the waitlist',
  cancelled: 'Cancelled',
  expired: 'Expired (not paid in time)',
} as const;

export function toApiBooking(view: BookingView, config: Config, extra: { checkoutUrl?: string } = {}) {
  const { booking, event, attendees } = view;
  return {
    reference: booking.reference,
    status: booking.status,
    total: booking.total,
    currency: booking.currency,
    manageUrl: manageUrl(config, booking.reference),
    ...(extra.checkoutUrl ? { checkoutUrl: extra.checkoutUrl } : {}),
    ...(booking.holdExpiresAt && booking.status === 'pending_payment' ? { holdExpiresAt: booking.holdExpiresAt.toISOString() } : {}),
    ...(view.waitlistPosition ? { waitlistPosition: view.waitlistPosition } : {}),
    paymentMethod: booking.paymentMethod,
    createdAt: booking.createdAt.toISOString(),
    event: { slug: event.slug, title: event.title, startsAt: event.startsAt.toISOString(), endsAt: event.endsAt.toISOString(), timezone: event.timezone },
    ...(booking.paymentProcessingSince ? { paymentProcessing: true } : {}),
    attendees: attendees.map((a) => ({
      id: a.id,
      name: a.name,
      email: a.email,
      organisation: a.organisation,
      status: a.status,
      ticketTypeId: a.ticketTypeId,
      unitPrice: a.unitPrice,
    })),
  };
}

function paymentLabel({ booking }: BookingView): string | null {
  if (booking.total === 0) return null;
  if (booking.paymentMethod === 'invoice') return booking.invoiceStatus === 'paid' ? 'Invoice paid' : booking.invoiceStatus === 'credited' ? 'Invoice credited: nothing to pay' : 'Invoice to be paid';
  if (booking.status === 'pending_payment') return booking.paymentProcessingSince ? 'Payment processing' : 'Awaiting card payment';
  if (booking.refundedTotal >= booking.total) return 'Paid by card, refunded';
  if (booking.refundedTotal > 0) return 'Paid by card, partly refunded';
  return booking.status === 'confirmed' ? 'Paid by card' : null;
}

export function toManagePage(view: BookingView, token: string, now: Date) {
  const { booking, event, attendees } = view;
  const policy = refundPolicyFor(view, now);
  const isActive = booking.status === 'confirmed' || booking.status === 'waitlisted';
  // A payment in flight (a bank debit) settles by itself: no second payment, no cancelling meanwhile.
  const isProcessing = booking.status === 'pending_payment' && booking.paymentProcessingSince !== null;
  return {
    reference: booking.reference,
    status: booking.status,
    statusLabel: isProcessing ? 'Payment processing' : STATUS_LABELS[booking.status],
    isProcessing,
    isConfirmed: booking.status === 'confirmed',
    isWaitlisted: booking.status === 'waitlisted',
    isCancelled: booking.status === 'cancelled',
    hadPlace: booking.confirmedAt !== null,
    // A hold given up before paying: never confirmed, but it held places (a waitlist entry never had a hold).
    wasHold: booking.status === 'cancelled' && booking.confirmedAt === null && booking.holdExpiresAt !== null,
    waitlistPosition: view.waitlistPosition,
    canCancel: (isActive && (booking.total === 0 || booking.status === 'waitlisted') && now < event.startsAt) || policy.allowed || (booking.status === 'pending_payment' && !isProcessing),
    isPaid: booking.total > 0,
    isPending: booking.status === 'pending_payment' && !isProcessing,
    payUrl: booking.status === 'pending_payment' && !isProcessing ? `/bookings/${booking.reference}/pay?token=${encodeURIComponent(token)}` : null,
    isExpired: booking.status === 'expired',
    heldUntil: booking.holdExpiresAt ? formatInstant(booking.holdExpiresAt, event.timezone) : null,
    paymentLabel: paymentLabel(view),
    refund: booking.total > 0 && booking.status === 'confirmed' ? { ...policy, amountLabel: formatMoney(policy.amount, booking.currency), feeLabel: formatMoney(policy.fee, booking.currency) } : null,
    refundedLabel: booking.refundedTotal > 0 ? formatMoney(booking.refundedTotal, booking.currency) : null,
    total: booking.total > 0 ? formatMoney(booking.total, booking.currency) : null,
    buyerName: booking.buyerName,
    buyerEmail: booking.buyerEmail,
    bookedAt: formatInstant(booking.createdAt, event.timezone),
    token,
    event: {
      slug: event.slug,
      title: event.title,
      kindLabel: KIND_LABELS[event.kind],
      when: formatRange(event.startsAt, event.endsAt, event.timezone),
      venue: event.venue,
      address: event.address,
      isCancelled: event.status === 'cancelled',
      contactEmail: event.contactEmail,
    },
    attendees: attendees.map((a) => ({
      id: a.id,
      name: a.name,
      email: a.email,
      organisation: a.organisation,
      dietary: a.dietary,
      accessibility: a.accessibility,
      isActive: a.status === 'active',
      icsUrl: `/bookings/${booking.reference}/attendees/${a.id}/invite.ics?token=${encodeURIComponent(token)}`,
    })),
  };
}

export interface SeatChoice {
  ticketTypeId: number;
}

/** The booking form's view-model: one block per place, with the visitor's input and errors kept. */
export function toBookPage(item: EventWithAvailability, seats: SeatChoice[], form: Record<string, unknown>, errors: Record<string, string>, holdMinutes: number) {
  const { event } = item;
  const value = (key: string) => (typeof form[key] === 'string' ? (form[key] as string) : '');
  const seatViews = seats.map((seat, index) => {
    const type = item.ticketTypes.find((t) => t.id === seat.ticketTypeId);
    const field = (name: string) => ({ id: `field-seat_${index}_${name}`, name: `seat_${index}_${name}`, value: value(`seat_${index}_${name}`), error: errors[`seat_${index}_${name}`] });
    return {
      index,
      number: index + 1,
      isFirst: index === 0,
      ticketTypeId: seat.ticketTypeId,
      ticketName: type?.name ?? 'Unknown ticket',
      membersOnly: type?.membersOnly ?? false,
      amount: type?.price ?? 0,
      price: type ? formatMoney(type.price, type.currency) : '',
      typeError: errors[`seat_${index}_type`] ?? errors[`seat_${index}_price`],
      name: field('name'),
      email: field('email'),
      organisation: field('organisation'),
      dietary: field('dietary'),
      accessibility: field('accessibility'),
    };
  });
  const total = seatViews.reduce((s, v) => s + v.amount, 0);
  return {
    slug: event.slug,
    title: event.title,
    when: formatRange(event.startsAt, event.endsAt, event.timezone),
    allowsInvoice: event.allowsInvoice,
    seats: seatViews,
    total: formatMoney(total, event.currency),
    holdMinutes,
    joinsWaitlist: item.remaining < seats.length,
    isInvoice: form.payment_method === 'invoice',
    buyer: {
      name: { id: 'field-buyer_name', name: 'buyer_name', value: value('buyer_name'), error: errors.buyer_name },
      email: { id: 'field-buyer_email', name: 'buyer_email', value: value('buyer_email'), error: errors.buyer_email },
      organisation: { id: 'field-buyer_organisation', name: 'buyer_organisation', value: value('buyer_organisation'), error: errors.buyer_organisation },
      purchaseOrder: { id: 'field-purchase_order', name: 'purchase_order', value: value('purchase_order'), error: errors.purchase_order },
      billingContact: { id: 'field-billing_contact', name: 'billing_contact', value: value('billing_contact'), error: errors.billing_contact },
    },
  };
}
