import type { Config } from '../config';
import { KIND_LABELS } from '../events/types';
import { formatMoney } from '../lib/money';
import { formatInstant, formatRange } from '../lib/time';
import { manageUrl } from './links';
import type { BookingView } from './service';

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
    attendees: attendees.map((a) => ({
      name: a.name,
      email: a.email,
      organisation: a.organisation,
      status: a.status,
      ticketTypeId: a.ticketTypeId,
      unitPrice: a.unitPrice,
    })),
  };
}

export function toManagePage(view: BookingView, token: string, now: Date) {
  const { booking, event, attendees } = view;
  const isActive = booking.status === 'confirmed' || booking.status === 'waitlisted';
  return {
    reference: booking.reference,
    status: booking.status,
    statusLabel: STATUS_LABELS[booking.status],
    isConfirmed: booking.status === 'confirmed',
    isWaitlisted: booking.status === 'waitlisted',
    isCancelled: booking.status === 'cancelled',
    waitlistPosition: view.waitlistPosition,
    canCancel: isActive && booking.total === 0 && now < event.startsAt,
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
