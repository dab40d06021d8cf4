import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ServiceContext } from '../context';
import { remainingForMode, remainingSeats, seatsFit } from '../events/availability';
import type { EventRecord, TicketTypeRecord } from '../events/types';
import { AppError, ConflictError, NotFoundError } from '../lib/errors';
import { joinTokenHash, manageTokenHash, publicHost, seatTokenHash } from '../lib/links';
import { newReference } from '../lib/tokens';
import { eventQuestions, lockEventBySlug, seatsTaken, takeSeats } from './booking-scope';
import { codeForEvent, priceSeats, type DiscountCodeRecord, type SeatPrice } from './discounts';
import { assertHoldsUnderCap } from './holds';
import { assertAnswers, insertAnswers, type CheckedAnswers } from './questions';
import { queueNoticeFor, receiptFor } from './notify';
import { findEmailsAlreadyBooked, insertAttendees, insertBooking, waitlistPosition, type NewBooking } from './queries';
import { contactEmailFor } from '../events/terms';
import { assertBookable, checkInvoiceDetails, checkMembership, checkPrices, modeSeats, resolveSeatModes, resolveTicketTypes, wantedSeats } from './rules';
import type { AttendanceMode } from '../events/types';
import type { BookingRequest } from './schemas';
import type { AttendeeRecord, BookingRecord, BookingStatus } from './types';
import type { BookingView } from './view';

/**
 * Placing a booking: the first transition of its life, in the caller's write transaction under the event's lock
 * (shared by the bookings for one event that arrive together: group commit).
 */

export interface LockedEvent {
  event: EventRecord;
  types: TicketTypeRecord[];
  itemTypes: TicketTypeRecord[];
  /** How each item's attendee takes part (in person, online). */
  itemModes: AttendanceMode[];
  /** The discount code named, if the event takes it (not yet checked for dates, tickets or uses: priceSeats does). */
  code?: DiscountCodeRecord;
  /** The answers to the event's questions, checked. */
  answers: CheckedAnswers;
}

/** Locks the event for a booking, checks it takes bookings now, and works out each item's ticket type. Throws 404 `event_not_found`, 409 state codes, 422. */
export async function lockEventForBooking(trx: Knex.Transaction, slug: string, request: BookingRequest, now: Date): Promise<LockedEvent> {
  const found = await lockEventBySlug(trx, slug);
  if (!found) throw new NotFoundError('event_not_found', 'No event with that address.');
  const { event, types } = found;
  assertBookable(event, now);
  // The code first: it may reveal a hidden ticket type.
  const code = request.discountCode ? await codeForEvent(trx, request.discountCode, event) : undefined;
  const itemTypes = resolveTicketTypes(request, types, now, code?.revealsTicketTypeId ?? null);
  return { event, types, itemTypes, itemModes: resolveSeatModes(request, event), code, answers: assertAnswers(await eventQuestions(trx, event), request) };
}

/** Inserts a booking with a fresh reference, drawing again in the rare case the random one is taken. */
async function insertBookingWithReference(trx: Knex.Transaction, ctx: ServiceContext, make: (reference: string, tokenHash: string) => NewBooking): Promise<BookingRecord> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const reference = newReference();
    const booking = await insertBooking(trx, make(reference, manageTokenHash(ctx.config, reference)));
    if (booking) return booking;
  }
  throw new Error('Could not draw an unused booking reference');
}

/**
 * One attendee row per requested place, at its price now (the ticket type's, less any discount code), each with its
 * own calendar UID, manage token and joining-link token; then the booking's answers.
 */
async function insertSeats(trx: Knex.Transaction, ctx: ServiceContext, booking: BookingRecord, request: BookingRequest, locked: LockedEvent, prices: SeatPrice[], now: Date): Promise<AttendeeRecord[]> {
  const host = publicHost(ctx.config);
  const { itemTypes, itemModes } = locked;
  const seats = request.items.map((item, i) => {
    const icalUid = `${randomUUID()}@${host}`;
    const email = item.attendee.email;
    const price = prices[i];
    return { ...item.attendee, mode: itemModes[i], ticketTypeId: itemTypes[i].id, unitPrice: price.unitPrice, listPrice: price.listPrice, discountAmount: price.discount, discountCodeId: price.codeId, currency: itemTypes[i].currency, icalUid, manageTokenHash: seatTokenHash(ctx.config, icalUid, email), joinTokenHash: joinTokenHash(ctx.config, icalUid, email) };
  });
  const attendees = await insertAttendees(trx, booking.id, booking.eventId, seats, now);
  await insertAnswers(trx, booking.id, attendees.map((a) => a.id), locked.answers, now);
  return attendees;
}

/** The booking's record of its code: which, and what it took off in all; none when no seat was discounted. */
function discountOf(code: DiscountCodeRecord | undefined, prices: SeatPrice[]): { codeId: number; code: string; total: number } | undefined {
  if (!code) return undefined;
  return { codeId: code.id, code: code.code, total: prices.reduce((sum, p) => sum + p.discount, 0) };
}

async function refuseDuplicates(trx: Knex.Transaction, event: EventRecord, request: BookingRequest, now: Date, message: string): Promise<void> {
  if ((await findEmailsAlreadyBooked(trx, event.id, request.items.map((i) => i.attendee.email), now)).length > 0) {
    throw new ConflictError('already_booked', message);
  }
}

/** A free registration: confirmed while there is room, waitlisted after. Throws 409 `already_booked`. */
export async function registerFreeBooking(trx: Knex.Transaction, ctx: ServiceContext, locked: LockedEvent, request: BookingRequest, now: Date): Promise<BookingView> {
  const { event, types, itemTypes } = locked;
  const prices = await priceSeats(trx, event, types, itemTypes, locked.code, now);
  await refuseDuplicates(trx, event, request, now, 'This email address is already registered for this event.');
  const wanted = wantedSeats(itemTypes);
  const modes = modeSeats(locked.itemModes);
  const status: BookingStatus = seatsFit(event, types, await seatsTaken(trx, event, now), wanted, modes) ? 'confirmed' : 'waitlisted';
  if (status === 'confirmed') takeSeats(trx, event, wanted, modes);
  const booking = await insertBookingWithReference(trx, ctx, (reference, tokenHash) => ({
    reference,
    eventId: event.id,
    status,
    buyer: request.buyer,
    total: 0,
    currency: event.currency,
    paymentMethod: 'none',
    manageTokenHash: tokenHash,
    discount: discountOf(locked.code, prices),
    now,
  }));
  const attendees = await insertSeats(trx, ctx, booking, request, locked, prices, now);
  const view: BookingView = { booking, attendees, event, waitlistPosition: status === 'waitlisted' ? await waitlistPosition(trx, booking) : undefined };
  await queueNoticeFor(trx, ctx, status === 'confirmed' ? 'confirmed' : 'waitlisted', view);
  return view;
}

/**
 * A paid booking: a card booking holds its seats as `pending_payment` until the hold expires (its checkout is started
 * after the commit), an invoice booking is confirmed at once with the invoice outstanding, and a full event takes a
 * waitlist. `clientKey` (the pseudonym of the client address) is kept on a card hold while it is one, for the cap on
 * open holds. A discount code takes its discount off each seat's price (discounts.ts, the precedence rule); a booking
 * that comes to nothing is confirmed at once with nothing to pay, like a free registration. Throws 409 `price_changed`,
 * `membership_required`, `invoice_not_available`, `already_booked`, `sold_out`, `too_many_holds`, `discount_code_*`,
 * `payment_unavailable` (503, card payments not configured); 422 for missing invoice details.
 */
export async function holdPaidBooking(trx: Knex.Transaction, ctx: ServiceContext, locked: LockedEvent, request: BookingRequest, now: Date, clientKey?: string): Promise<BookingView> {
  const { event, types, itemTypes } = locked;
  checkPrices(request, itemTypes);
  await checkMembership(trx, request, itemTypes, event, now, contactEmailFor(event, ctx.config));
  const prices = await priceSeats(trx, event, types, itemTypes, locked.code, now);
  const total = prices.reduce((sum, p) => sum + p.unitPrice, 0);
  const isFree = total === 0;
  const isInvoice = !isFree && request.paymentMethod === 'invoice';
  if (!isFree && !isInvoice && !ctx.payments.isAvailable) throw new AppError('payment_unavailable', 'Card payments are not available at the moment.');
  if (!isFree) checkInvoiceDetails(request, event);
  await refuseDuplicates(trx, event, request, now, 'One of these email addresses already has a place at this event.');
  const counts = await seatsTaken(trx, event, now);
  const wanted = wantedSeats(itemTypes);
  const modes = modeSeats(locked.itemModes);
  const fits = seatsFit(event, types, counts, wanted, modes);
  // A full event (or a full mode of a hybrid one) takes a waitlist (offered a place to pay for when one frees); a
  // sold-out ticket type does not.
  const modeFull = (['in_person', 'online'] as const).some((m) => (modes[m] ?? 0) > remainingForMode(event, counts, m));
  const waitlist = !fits && (remainingSeats(event, counts) < itemTypes.length || modeFull);
  if (!fits && !waitlist) throw new ConflictError('sold_out', 'Sorry, there are not enough places of that ticket type left for this booking.');
  const isHold = fits && !isInvoice && !isFree;
  if (isHold) await assertHoldsUnderCap(trx, ctx.config.limits, { buyerEmail: request.buyer.email, clientKey }, ctx.config.holdMinutes, now);
  if (fits) takeSeats(trx, event, wanted, modes);

  const booking = await insertBookingWithReference(trx, ctx, (reference, manageTokenHash) => ({
    reference,
    eventId: event.id,
    status: waitlist ? 'waitlisted' : isHold ? 'pending_payment' : 'confirmed',
    clientKey: isHold ? clientKey : undefined,
    buyer: request.buyer,
    total,
    currency: event.currency,
    paymentMethod: isFree ? 'none' : isInvoice ? 'invoice' : 'stripe',
    holdExpiresAt: isHold ? new Date(now.getTime() + ctx.config.holdMinutes * 60_000) : undefined,
    purchaseOrder: request.purchaseOrder,
    billingContact: request.billingContact,
    billingEmail: request.billingEmail,
    billingAddress: request.billingAddress,
    manageTokenHash,
    discount: discountOf(locked.code, prices),
    now,
  }));
  const attendees = await insertSeats(trx, ctx, booking, request, locked, prices, now);
  const view: BookingView = { booking, attendees, event, waitlistPosition: waitlist ? await waitlistPosition(trx, booking) : undefined };
  if (waitlist) {
    await queueNoticeFor(trx, ctx, 'waitlisted', view);
  } else if (isInvoice) {
    // The confirmation (with the calendar invitation) says an invoice follows; the invoice goes in its own email.
    await queueNoticeFor(trx, ctx, 'confirmed', view, { money: await receiptFor(trx, 'pro_forma', booking.id) });
    await ctx.documents.invoiceConfirmed(trx, booking.id);
  } else if (isFree) {
    // The code made it free: confirmed now, nothing to pay, one email like a free registration's.
    await queueNoticeFor(trx, ctx, 'confirmed', view);
  }
  return view;
}
