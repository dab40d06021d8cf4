import type { Config } from '../config';
import { contactEmailFor } from '../events/terms';
import { formatMoney } from '../lib/money';
import { formatInstant, formatRange } from '../lib/time';
import type { RefundSummary } from './payment-gateway';
import { refundStatusOf, refundsForSeats } from './refund-status';
import { seatChangesCutoff, type SeatCancelPreview, type SeatView } from './seats';

/** The seat page's links, carrying the token the page was opened with (the seat's own, or the booking's). */
function seatLinks(reference: string, seatId: number, token: string) {
  const t = encodeURIComponent(token);
  return {
    seatUrl: `/bookings/${reference}/seats/${seatId}?token=${t}`,
    cancelUrl: `/bookings/${reference}/seats/${seatId}/cancel?token=${t}`,
    bookingUrl: `/bookings/${reference}?token=${t}`,
    action: `/bookings/${reference}/seats/${seatId}`,
  };
}

/** A form field of the seat page: its input id, name, value (the visitor's, when re-shown) and error. */
function field(name: string, value: string | null, form: Record<string, unknown> | null, errors: Record<string, string>) {
  const typed = form && typeof form[name] === 'string' ? (form[name] as string) : null;
  return { id: `field-${name}`, name, value: typed ?? value ?? '', error: errors[name] };
}

/**
 * The seat page: the place (ticket type, price), the form for its details while changes are open, or why they are
 * closed. `form` and `errors` re-show what the visitor typed after a refusal; `refusal` is why nothing can change now.
 */
export function toSeatPage(view: SeatView, token: string, ctx: { config: Config; now: Date; ticketName: string; refusal: string | null; cancelRefusal: string | null }, form: Record<string, unknown> | null = null, errors: Record<string, string> = {}) {
  const { booking, event, seat } = view;
  const cutoff = seatChangesCutoff(event);
  return {
    ...seatLinks(booking.reference, seat.id, token),
    reference: booking.reference,
    token,
    isBuyer: view.actor === 'buyer',
    buyerName: booking.buyerName,
    event: { title: event.title, slug: event.slug, when: formatRange(event.startsAt, event.endsAt, event.timezone), venue: event.venue, address: event.address },
    seat: { name: seat.name, email: seat.email, ticketName: ctx.ticketName, price: seat.unitPrice > 0 ? formatMoney(seat.unitPrice, seat.currency) : 'Free' },
    isConfirmed: booking.status === 'confirmed',
    isWaitlisted: booking.status === 'waitlisted',
    cutoffLabel: formatInstant(cutoff, event.timezone),
    closed: ctx.refusal,
    canCancel: !ctx.refusal && !ctx.cancelRefusal,
    cancelRefusal: ctx.refusal ? null : ctx.cancelRefusal,
    contactEmail: contactEmailFor(event, ctx.config),
    fields: {
      name: field('name', seat.name, form, errors),
      email: field('email', seat.email, form, errors),
      organisation: field('organisation', seat.organisation, form, errors),
      dietary: field('dietary', seat.dietary, form, errors),
      accessibility: field('accessibility', seat.accessibility, form, errors),
    },
    errors,
    hasErrors: Object.keys(errors).length > 0,
  };
}

/** The one-seat cancel confirmation: what comes back and whom the place goes to, from `previewSeatCancel`. */
export function toSeatCancelPage(preview: SeatCancelPreview, token: string) {
  const { view, money, isCard, isInvoice, waiting } = preview;
  const { booking, event, seat } = view;
  const price = money.amount + money.feeKept;
  const amount = formatMoney(money.amount, booking.currency);
  return {
    ...seatLinks(booking.reference, seat.id, token),
    reference: booking.reference,
    token,
    isBuyer: view.actor === 'buyer',
    buyerName: booking.buyerName,
    event: { title: event.title, when: formatRange(event.startsAt, event.endsAt, event.timezone) },
    seat: { name: seat.name, email: seat.email, ticketName: preview.ticketName, price: seat.unitPrice > 0 ? formatMoney(seat.unitPrice, booking.currency) : null },
    money: isCard || isInvoice
      ? { amount, price: formatMoney(price, booking.currency), fee: money.feeKept > 0 ? formatMoney(money.feeKept, booking.currency) : null, isNothing: money.amount === 0, isCard, isInvoice }
      : null,
    isFree: seat.unitPrice === 0,
    waitlist: waiting > 0 ? `${waiting} ${waiting === 1 ? 'booking is' : 'bookings are'} on the waitlist: the place will be offered to the first in line.` : 'Nobody is on the waitlist, so the place will become free for others to book.',
    confirmLabel: isCard && money.amount > 0 ? `Yes, cancel this place and refund ${amount}` : 'Yes, cancel this place',
  };
}

/** After a seat is cancelled: what its holder sees (the refund, if any, went to the buyer's card or invoice). */
export function toSeatCancelledPage(view: SeatView, refunds: RefundSummary[]) {
  const { booking, event, seat } = view;
  const refund = refundStatusOf(refundsForSeats(refunds, [seat.id]), booking.currency);
  return {
    event: { title: event.title, slug: event.slug, when: formatRange(event.startsAt, event.endsAt, event.timezone) },
    seatName: seat.name,
    isBuyer: view.actor === 'buyer',
    buyerName: booking.buyerName,
    refund: refund?.line ?? null,
  };
}
