import type { Knex } from 'knex';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { listTicketTypes } from '../events/queries';
import { contactEmailFor } from '../events/terms';
import type { EventRecord } from '../events/types';
import { normaliseEmail } from '../lib/email';
import { ConflictError, UnauthorizedError, ValidationError } from '../lib/errors';
import { joinTokenHash, seatTokenHash } from '../lib/links';
import { formatInstant } from '../lib/time';
import { tokenMatches } from '../lib/tokens';
import { cancelBookingSeats, cancellationMoney, moneyLeft, type CancellationMoney, type InvoiceCreditHook } from './cancel';
import { lockBooking } from './lifecycle';
import { queueNoticeFor } from './notify';
import { findBookingByReference, findEmailsAlreadyBooked, listWaitlist, updateSeatDetails } from './queries';
import type { SeatDetails } from './schemas';
import type { AttendeeRecord } from './types';
import { bookingNotFound, loadBookingView, type BookingView } from './view';

/**
 * Seats of their own: each attendee's private link to their own place (issue 15). The holder of a seat, or the buyer
 * with the booking's link, may change the attendee's details and cancel that one place until the event's seat cut-off.
 */

/** Who opened the seat page: the person holding the seat (its own link), or the buyer (the booking's link). */
export type SeatActor = 'holder' | 'buyer';

export interface SeatView extends BookingView {
  seat: AttendeeRecord;
  actor: SeatActor;
}

/**
 * Until when a single place may be changed or cancelled: the event's own cut-off (`events.seat_changes_until`), else its
 * refund deadline (so a paid place is cancelled within the refund policy), else its start (a free event); never after
 * the start. Source: issue 15, "Seats of their own".
 */
export function seatChangesCutoff(event: Pick<EventRecord, 'seatChangesUntil' | 'refundDeadlineAt' | 'startsAt'>): Date {
  const chosen = event.seatChangesUntil ?? event.refundDeadlineAt ?? event.startsAt;
  return chosen.getTime() < event.startsAt.getTime() ? chosen : event.startsAt;
}

/**
 * The seat, for whoever holds its own link or the booking's. An unknown booking or seat, a cancelled seat (unless
 * `allowCancelled`) and a wrong token are all refused alike, as a booking link is. Throws UnauthorizedError
 * `token_required` (no token), NotFoundError `booking_not_found`.
 */
export async function getSeatForHolder(ctx: ServiceContext, reference: string, attendeeId: number, token: string | undefined, options: { allowCancelled?: boolean } = {}): Promise<SeatView> {
  if (!token) throw new UnauthorizedError('token_required', 'This link needs its private token. Use the link from your email.');
  const booking = await findBookingByReference(ctx.db, reference);
  if (!booking) throw bookingNotFound();
  const view = await loadBookingView(ctx.db, booking.id);
  const seat = view.attendees.find((a) => a.id === attendeeId);
  if (!seat) throw bookingNotFound();
  const actor: SeatActor | null = seat.manageTokenHash && tokenMatches(token, seat.manageTokenHash) ? 'holder' : tokenMatches(token, booking.manageTokenHash) ? 'buyer' : null;
  if (!actor) throw bookingNotFound();
  if (seat.status !== 'active' && !options.allowCancelled) throw bookingNotFound();
  return { ...view, seat, actor };
}

/**
 * Why this seat's details may not be changed now, or null: 409 `seat_changes_closed` once the cut-off has passed (or the
 * event is cancelled), with the contact address to write to instead.
 */
export function seatChangeRefusal(ctx: ServiceContext, view: BookingView, now: Date): ConflictError | null {
  const { event, booking } = view;
  const contact = contactEmailFor(event, ctx.config);
  if (event.status === 'cancelled' || booking.status === 'cancelled' || booking.status === 'expired') {
    return new ConflictError('seat_changes_closed', `This place can no longer be changed: the ${event.status === 'cancelled' ? 'event' : 'booking'} is cancelled.`);
  }
  const cutoff = seatChangesCutoff(event);
  if (now >= cutoff) {
    const when = now >= event.startsAt ? 'The event has started' : `Changes to places closed on ${formatInstant(cutoff, event.timezone)}`;
    return new ConflictError('seat_changes_closed', `${when}, so this place can no longer be changed or cancelled here. Please write to ${contact}.`);
  }
  return null;
}

/** Why this one seat may not be cancelled now, or null: the cut-off, or a booking that is not confirmed (409). */
export function seatCancelRefusal(ctx: ServiceContext, view: BookingView, now: Date): ConflictError | null {
  const closed = seatChangeRefusal(ctx, view, now);
  if (closed) return closed;
  if (view.booking.status !== 'confirmed') {
    return new ConflictError('seat_not_cancellable', 'This place is not confirmed yet, so it cannot be cancelled on its own. The person who booked can cancel the whole booking from its link.');
  }
  return null;
}

export interface SeatUpdateOutcome {
  view: SeatView;
  /** The seat now belongs to another email: the new holder has their own link, and the one used no longer works. */
  isPassedOn: boolean;
}

/**
 * Changes a seat's name, email, organisation and needs. A new email is checked against the event's other places (409
 * `already_booked`, on the `email` field) and gets a fresh invitation and its own link; the old email gets a calendar
 * CANCEL with the seat's UID. In one write transaction under the event's lock, with a conditional update on the seat's
 * version (two saves at once: one wins, the other is told to look again). Throws as `getSeatForHolder`, and 409
 * `seat_changes_closed`.
 */
export async function changeSeatDetails(ctx: ServiceContext, reference: string, attendeeId: number, token: string | undefined, details: SeatDetails): Promise<SeatUpdateOutcome> {
  const before = await getSeatForHolder(ctx, reference, attendeeId, token);
  const now = ctx.clock.now();
  const isNewEmail = await writeTransaction(ctx.db, async (trx) => {
    const locked = await lockBooking(trx, before.booking.id);
    const seat = locked.attendees.find((a) => a.id === attendeeId && a.status === 'active');
    if (!seat) throw bookingNotFound();
    const refusal = seatChangeRefusal(ctx, locked, now);
    if (refusal) throw refusal;
    // Compared with the seat as it is under the lock: a repeat of a change already made passes nothing on again.
    const isNewEmail = normaliseEmail(details.email) !== normaliseEmail(seat.email);
    if (isUnchanged(seat, details)) return false;
    if (isNewEmail && (await findEmailsAlreadyBooked(trx, locked.event.id, [details.email], now)).length > 0) {
      throw new ConflictError('already_booked', 'This email address already has a place at this event.', [{ path: 'email', message: 'This email address already has a place at this event' }]);
    }
    // A place passed on gets new private links (its page, and its joining link): the old ones stop working.
    const changed = await updateSeatDetails(trx, seat, details, isNewEmail ? seatTokenHash(ctx.config, seat.icalUid, details.email) : seat.manageTokenHash, isNewEmail ? joinTokenHash(ctx.config, seat.icalUid, details.email) : undefined);
    if (!changed) throw new ConflictError('seat_changes_closed', 'This place was changed by someone else a moment ago. Look at it again before changing it.');
    if (isNewEmail) await queuePassedOn(trx, ctx, { ...locked, attendees: await reloadSeats(trx, locked.booking.id) }, seat);
    return isNewEmail;
  });
  ctx.kickOutbox();
  const after = await loadBookingView(ctx.db, before.booking.id);
  return { view: { ...after, seat: after.attendees.find((a) => a.id === attendeeId)!, actor: before.actor }, isPassedOn: isNewEmail };
}

/** Whether saving these details would change nothing (a form saved as it was shown, or a change sent twice). */
function isUnchanged(seat: AttendeeRecord, details: SeatDetails): boolean {
  const same = (a: string | null | undefined, b: string | null | undefined) => (a ?? '') === (b ?? '');
  return same(seat.name, details.name) && same(seat.email, details.email) && same(seat.organisation, details.organisation) && same(seat.dietary, details.dietary) && same(seat.accessibility, details.accessibility);
}

async function reloadSeats(trx: Knex.Transaction, bookingId: number): Promise<AttendeeRecord[]> {
  return (await loadBookingView(trx, bookingId)).attendees;
}

/**
 * The emails for a seat passed to a new email: the new holder is told as if booked now (an invitation and their own
 * link for a confirmed place, their waitlist place otherwise); the former holder gets a CANCEL with the seat's UID.
 */
async function queuePassedOn(trx: Knex.Transaction, ctx: ServiceContext, view: BookingView, former: AttendeeRecord): Promise<void> {
  const seat = view.attendees.find((a) => a.id === former.id)!;
  const suffix = `v${seat.detailsVersion}`;
  const hadPlace = view.booking.status === 'confirmed';
  if (view.booking.status === 'confirmed' || view.booking.status === 'waitlisted') {
    await queueNoticeFor(trx, ctx, view.booking.status === 'confirmed' ? 'confirmed' : 'waitlisted', view, { attendees: [seat], dedupeSuffix: suffix, onlyAttendees: true });
  }
  await queueNoticeFor(trx, ctx, 'passed_on', view, { attendees: [seat], dedupeSuffix: suffix, former: { name: former.name, email: former.email }, hadPlace });
}

/** What cancelling one seat would do, for its confirmation page: nothing is changed. */
export interface SeatCancelPreview {
  view: SeatView;
  /** What comes back (to the card, or off the invoice) and what the refund policy keeps: the same `cancellationMoney` the cancel uses. */
  money: CancellationMoney;
  isCard: boolean;
  isInvoice: boolean;
  waiting: number;
  ticketName: string;
}

/**
 * What cancelling this one place would give back and whom it frees a place for. Throws as `getSeatForHolder`, and 409
 * `seat_changes_closed` / `seat_not_cancellable`.
 */
export async function previewSeatCancel(ctx: ServiceContext, reference: string, attendeeId: number, token: string | undefined, invoiceCredit?: InvoiceCreditHook): Promise<SeatCancelPreview> {
  const view = await getSeatForHolder(ctx, reference, attendeeId, token);
  const now = ctx.clock.now();
  const refusal = seatCancelRefusal(ctx, view, now);
  if (refusal) throw refusal;
  const { booking } = view;
  const isInvoice = booking.paymentMethod === 'invoice' && booking.total > 0;
  const outstanding = isInvoice && invoiceCredit ? () => ctx.db.transaction((trx) => invoiceCredit.outstanding(trx, booking.id)) : undefined;
  const { isCard, left } = await moneyLeft(ctx.db, ctx, booking, outstanding);
  const types = (await listTicketTypes(ctx.db, [booking.eventId])).get(booking.eventId) ?? [];
  return {
    view,
    money: cancellationMoney(view, left, 'policy', now, [attendeeId]),
    isCard,
    isInvoice,
    waiting: (await listWaitlist(ctx.db, booking.eventId)).length,
    ticketName: types.find((t) => t.id === view.seat.ticketTypeId)?.name ?? 'Place',
  };
}

/**
 * Cancels one place under the refund policy: a card booking is refunded that seat's price less the event's fee (never
 * more than is left of the payment), an invoice booking's invoice is credited by the same rules (`invoiceCredit`), and
 * the place is offered to the waitlist. Cancelling the booking's last place cancels the booking. A second tap changes
 * nothing. Throws as `previewSeatCancel`.
 */
export async function cancelSeatAsHolder(ctx: ServiceContext, reference: string, attendeeId: number, token: string | undefined, invoiceCredit?: InvoiceCreditHook): Promise<SeatView> {
  const view = await getSeatForHolder(ctx, reference, attendeeId, token, { allowCancelled: true });
  if (view.seat.status !== 'active') return view;
  const refusal = seatCancelRefusal(ctx, view, ctx.clock.now());
  if (refusal) throw refusal;
  const isInvoice = view.booking.paymentMethod === 'invoice' && view.booking.total > 0;
  const reason = view.actor === 'holder' ? 'Place cancelled by its attendee' : 'Place cancelled by the buyer';
  try {
    await cancelBookingSeats(ctx, view.booking.id, { attendeeIds: [attendeeId], refund: 'policy', reason, initiatedBy: 'attendee', invoiceCredit: isInvoice ? invoiceCredit : undefined });
  } catch (error) {
    // Two taps: the second finds the place already cancelled, which is the answer it wanted.
    const isDone = (error instanceof ConflictError && error.code === 'booking_cancelled') || error instanceof ValidationError;
    if (!isDone) throw error;
  }
  const after = await loadBookingView(ctx.db, view.booking.id);
  return { ...after, seat: after.attendees.find((a) => a.id === attendeeId)!, actor: view.actor };
}
