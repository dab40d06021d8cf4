import type { Knex } from 'knex';
import { attendanceModes, bookingState, isOnSale, type ModeSeats } from '../events/availability';
import { ATTENDANCE_LABELS, type AttendanceMode, type EventRecord, type TicketTypeRecord } from '../events/types';
import { ConflictError, NotFoundError, ValidationError } from '../lib/errors';
import { formatMoney } from '../lib/money';
import { todayIn } from '../members/dates';
import { emailsWithoutCurrentMembership } from '../members/queries';
import type { BookingRequest } from './schemas';
import type { AttendeeRecord, BookingRecord } from './types';

/** The booking rules: who may book what, at what price, and what cancelling gives back. Pure, or reads only. */

const STATE_ERRORS = {
  cancelled: () => new ConflictError('event_cancelled', 'This event has been cancelled.'),
  started: () => new ConflictError('event_past', 'This event has already taken place, so it no longer takes bookings.'),
  not_yet_open: () => new ConflictError('booking_not_open', 'Booking for this event has not opened yet.'),
  closed: () => new ConflictError('booking_closed', 'Booking for this event has closed.'),
  unpublished: () => new NotFoundError('event_not_found', 'No event with that address.'),
};

/** Throws the event's state as a booking error (`event_cancelled`, `event_past`, `booking_not_open`, `booking_closed`, 404). */
export function assertBookable(event: EventRecord, now: Date): void {
  const state = bookingState(event, now);
  if (state !== 'open') throw STATE_ERRORS[state]();
}

/** Works out each item's ticket type; a free event with one registration type needs none named. Throws ValidationError. */
export function resolveTicketTypes(request: BookingRequest, types: TicketTypeRecord[], now: Date, revealedTypeId: number | null = null): TicketTypeRecord[] {
  // A hidden ticket type (a speaker ticket) is bookable only with the code that reveals it; to anyone else it does not exist.
  const visible = types.filter((t) => !t.isHidden || t.id === revealedTypeId);
  const onSale = visible.filter((t) => isOnSale(t, now) && !t.isHidden);
  const problems: Array<{ path: string; message: string }> = [];
  const resolved = request.items.map((item, index) => {
    if (item.ticketTypeId === undefined) {
      const defaults = onSale.filter((t) => !t.membersOnly);
      if (defaults.length === 1) return defaults[0];
      problems.push({ path: `items.${index}.ticketTypeId`, message: 'Choose a ticket type' });
      return undefined;
    }
    const type = visible.find((t) => t.id === item.ticketTypeId);
    if (!type) problems.push({ path: `items.${index}.ticketTypeId`, message: 'No such ticket type for this event' });
    else if (!isOnSale(type, now)) problems.push({ path: `items.${index}.ticketTypeId`, message: `${type.name} tickets are not on sale now` });
    return type;
  });
  if (problems.length) throw new ValidationError(problems);
  return resolved as TicketTypeRecord[];
}

/**
 * How each item's attendee takes part: chosen for a hybrid event (`attendee.mode`, required), the event's one way
 * otherwise (a different one named is refused). Throws ValidationError naming each item's field.
 */
export function resolveSeatModes(request: BookingRequest, event: Pick<EventRecord, 'mode'>): AttendanceMode[] {
  const allowed = attendanceModes(event);
  const problems: Array<{ path: string; message: string }> = [];
  const modes = request.items.map((item, index) => {
    const asked = item.attendee.mode;
    if (asked === undefined) {
      if (allowed.length === 1) return allowed[0];
      problems.push({ path: `items.${index}.attendee.mode`, message: 'Choose how this attendee will take part: in person or online' });
      return allowed[0];
    }
    if (!allowed.includes(asked)) problems.push({ path: `items.${index}.attendee.mode`, message: `This event is ${ATTENDANCE_LABELS[allowed[0]].toLowerCase()} only` });
    return asked;
  });
  if (problems.length) throw new ValidationError(problems);
  return modes;
}

/** Seats by way of taking part. */
export function modeSeats(modes: Array<AttendanceMode | { mode: AttendanceMode }>): ModeSeats {
  const seats: ModeSeats = {};
  for (const m of modes) {
    const mode = typeof m === 'string' ? m : m.mode;
    seats[mode] = (seats[mode] ?? 0) + 1;
  }
  return seats;
}

/** Seats asked for, by ticket type id. */
export function wantedSeats(types: TicketTypeRecord[]): Map<number, number> {
  const wanted = new Map<number, number>();
  for (const t of types) wanted.set(t.id, (wanted.get(t.id) ?? 0) + 1);
  return wanted;
}

/** Seats held by these attendees, by ticket type id. */
export function seatsOf(attendees: AttendeeRecord[]): Map<number, number> {
  const seats = new Map<number, number>();
  for (const a of attendees) seats.set(a.ticketTypeId, (seats.get(a.ticketTypeId) ?? 0) + 1);
  return seats;
}

/** A booking snapshots its prices: if one changed under the buyer, the booking is refused (pretix `price_changed`, 409). */
export function checkPrices(request: BookingRequest, types: TicketTypeRecord[]): void {
  const changed = request.items
    .map((item, index) => ({ item, index, type: types[index] }))
    .filter(({ item, type }) => item.expectedPrice !== undefined && item.expectedPrice !== type.price);
  if (changed.length) {
    throw new ConflictError(
      'price_changed',
      'A price has changed since the page was loaded. Please check the new prices and book again.',
      changed.map(({ index, type }) => ({ path: `items.${index}.expectedPrice`, message: `${type.name} now costs ${type.price} (minor units)` })),
    );
  }
}

/**
 * Members-only prices need a current membership on the imported member list, on the event's local date (409
 * `membership_required`, one detail per refused place on `items.N.attendee.email`; the message names `contactEmail`).
 */
export async function checkMembership(trx: Knex.Transaction, request: BookingRequest, types: TicketTypeRecord[], event: EventRecord, now: Date, contactEmail: string): Promise<void> {
  const memberItems = request.items.map((item, index) => ({ item, index })).filter(({ index }) => types[index].membersOnly);
  if (memberItems.length === 0) return;
  const missing = new Set(await emailsWithoutCurrentMembership(trx, memberItems.map(({ item }) => item.attendee.email), todayIn(now, event.timezone)));
  const problems = memberItems.filter(({ item }) => missing.has(item.attendee.email));
  if (problems.length) {
    throw new ConflictError(
      'membership_required',
      `Member prices are for current HSUG members. We could not find a current membership for the email address given; choose the non-member ticket, or write to ${contactEmail} if you think this is wrong.`,
      problems.map(({ index, item }) => ({ path: `items.${index}.attendee.email`, message: `${item.attendee.email} is not on the current member list` })),
    );
  }
}

/**
 * An invoice booking needs the event to allow invoices (409 `invoice_not_available`) and what an accounts-payable team
 * needs to pay it: the organisation, a purchase-order number, the billing email and the billing postal address (422
 * naming each one missing). The billing contact's name is optional: the invoice is addressed to the organisation.
 */
export function checkInvoiceDetails(request: BookingRequest, event: EventRecord): void {
  if (request.paymentMethod !== 'invoice') return;
  if (!event.allowsInvoice) throw new ConflictError('invoice_not_available', 'This event cannot be paid by invoice; please pay by card.');
  const problems = [
    !request.buyer.organisation && { path: 'buyer.organisation', message: 'Enter the organisation to invoice' },
    !request.purchaseOrder && { path: 'purchaseOrder', message: 'Enter the purchase order number' },
    !request.billingEmail && { path: 'billingEmail', message: 'Enter the billing email address the invoice should go to' },
    !request.billingAddress && { path: 'billingAddress', message: 'Enter the billing postal address for the invoice' },
  ].filter((p): p is { path: string; message: string } => !!p);
  if (problems.length) throw new ValidationError(problems);
}

export interface PriceLine {
  label: string;
  /** Minor units per seat before the code, and the code's discount per seat (0 without one). */
  listPrice: number;
  discount: number;
  /** Minor units: unit price × quantity. */
  amount: number;
  quantity: number;
  /** Minor units. */
  unitPrice: number;
  ticketTypeId: number;
}

/** One line per ticket type and price, from the seats' own snapshotted prices (a discounted seat is a line of its own). */
export function priceLines(seats: Array<{ ticketTypeId: number; unitPrice: number; listPrice?: number; discountAmount?: number }>, types: TicketTypeRecord[]): PriceLine[] {
  const lines = new Map<string, PriceLine>();
  for (const seat of seats) {
    const key = `${seat.ticketTypeId}:${seat.unitPrice}:${seat.discountAmount ?? 0}`;
    const line = lines.get(key) ?? { label: types.find((t) => t.id === seat.ticketTypeId)?.name ?? 'Ticket', listPrice: seat.listPrice ?? seat.unitPrice, discount: seat.discountAmount ?? 0, amount: 0, quantity: 0, unitPrice: seat.unitPrice, ticketTypeId: seat.ticketTypeId };
    line.quantity += 1;
    line.amount += seat.unitPrice;
    lines.set(key, line);
  }
  return [...lines.values()];
}

/**
 * A price line's words for a receipt, an invoice or a checkout: "Member (code SPEAKER: £50.00 off £120.00 each)".
 * Without a discount, the ticket type's name alone.
 */
export function priceLineLabel(line: Pick<PriceLine, 'label' | 'listPrice' | 'discount'>, currency: string, code: string | null): string {
  if (line.discount <= 0) return line.label;
  return `${line.label} (${code ? `code ${code}: ` : ''}${formatMoney(line.discount, currency)} off ${formatMoney(line.listPrice, currency)} each)`;
}

/** Whether cancelling now is within the event's refund policy: before its refund deadline (if any) and its start. */
export function isWithinRefundPolicy(event: Pick<EventRecord, 'refundDeadlineAt' | 'startsAt'>, now: Date): boolean {
  return (event.refundDeadlineAt === null || now < event.refundDeadlineAt) && now < event.startsAt;
}

export interface RefundPolicy {
  /** Whether the holder may cancel and be refunded online now: a confirmed card booking within the refund policy. */
  allowed: boolean;
  /** The refund deadline has passed: cancelling now gives nothing back. */
  isPastDeadline: boolean;
  /** The event has started: nothing can be cancelled. */
  hasStarted: boolean;
}

/**
 * Where a booking stands against its event's refund policy now. What cancelling gives back is `cancellationMoney`
 * (cancel.ts), the one computation the confirmation page and the cancel both use.
 */
export function refundPolicyFor(view: { booking: BookingRecord; event: EventRecord }, now: Date): RefundPolicy {
  const { booking, event } = view;
  return {
    allowed: booking.status === 'confirmed' && booking.paymentMethod === 'stripe' && isWithinRefundPolicy(event, now),
    isPastDeadline: event.refundDeadlineAt !== null && now >= event.refundDeadlineAt,
    hasStarted: now >= event.startsAt,
  };
}
