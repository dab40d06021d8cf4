import type { Knex } from 'knex';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import type { EventRecord } from '../events/types';
import { ConflictError, ValidationError } from '../lib/errors';
import { listTicketTypes } from '../events/queries';
import { contactEmailFor } from '../events/terms';
import { formatMoney } from '../lib/money';
import { cancelSeats, lockBooking, releaseHold } from './lifecycle';
import type { RefundInitiator, RefundNotice } from './payment-gateway';
import { listWaitlist } from './queries';
import { isWithinRefundPolicy, refundPolicyFor } from './rules';
import type { AttendeeRecord, BookingRecord } from './types';
import { getBookingForHolder, loadBookingView, type BookingView } from './view';

/** How a cancelled card payment is refunded: under the event's refund policy (deadline, fee kept), in full, or not at all. */
export type RefundChoice = 'policy' | 'full' | 'none';

/** A credit that lowers what an invoice booking's invoice asks for; amounts in minor units. */
export interface InvoiceCredit {
  bookingId: number;
  amount: number;
  currency: string;
  /** What the refund policy kept on these seats. */
  feeKept: number;
  /** The seats given up. */
  attendeeIds: number[];
  reason: string;
}

/**
 * How cancelling an invoice booking lowers its invoice. finance/ owns invoices (what one still asks for, and the
 * credits); bookings/ works out the amount with the same rules as a card refund and calls this in its transaction.
 */
export interface InvoiceCreditHook {
  /** What the invoice still asks for (total − credits − payments received), minor units; 0 once it is settled. */
  outstanding(trx: Knex.Transaction, bookingId: number): Promise<number>;
  /** Records the credit in the cancellation's transaction. */
  record(trx: Knex.Transaction, credit: InvoiceCredit): Promise<void>;
  /**
   * Recording tells the buyer (the places cancelled, the credit, what is still due): the cancellation then sends no
   * note of its own to a buyer who is not among the places cancelled, so the buyer gets one email for the moment.
   */
  notifiesBuyer?: boolean;
}

export interface CancelRequest {
  /** The seats to cancel; all active seats when omitted. */
  attendeeIds?: number[];
  /** A card booking: how its payment is refunded. An invoice booking: how its invoice is credited (same rules). */
  refund: RefundChoice;
  reason: string;
  initiatedBy: RefundInitiator;
  /** The email the buyer gets once the refund is confirmed (default: `refund_issued`). */
  notice?: RefundNotice;
  /** Needed to cancel a confirmed invoice booking with a refund other than `none`. */
  invoiceCredit?: InvoiceCreditHook;
  /** Runs in the cancellation's transaction (an audit entry commits with the change, or neither does). */
  within?: (trx: Knex.Transaction, outcome: CancelOutcome) => Promise<void>;
}

export interface CancelOutcome {
  cancelled: AttendeeRecord[];
  /** Minor units refunded (requested from Stripe; confirmed later). */
  refundAmount: number;
  /** Minor units credited to an invoice booking's invoice. */
  creditAmount: number;
  /** Minor units kept under the refund policy. */
  feeKept: number;
  refundId?: number;
}

export interface CancellationMoney {
  /** What is given back: refunded to the card, or credited to the invoice (minor units). */
  amount: number;
  /** What the refund policy keeps (minor units). */
  feeKept: number;
}

/** `attendeeIds` naming every active seat is the whole booking; undefined means the whole booking too. */
function someSeats(active: AttendeeRecord[], attendeeIds?: number[]): number[] | undefined {
  return attendeeIds && attendeeIds.length < active.length ? attendeeIds : undefined;
}

/**
 * What cancelling these seats (the whole booking when omitted) gives back out of `left`, what there is to give back
 * (a card payment less its refunds, or what an invoice still asks for): the seats' prices, or all that is left for the
 * whole booking; under the policy less the event's fee, and nothing once its refund deadline or its start has passed.
 * Pure: the staff confirmation page shows it before anything is done.
 */
export function cancellationMoney(view: { event: EventRecord; attendees: AttendeeRecord[] }, left: number, refund: RefundChoice, now: Date, attendeeIds?: number[]): CancellationMoney {
  if (refund === 'none' || left <= 0) return { amount: 0, feeKept: 0 };
  const { event } = view;
  const active = view.attendees.filter((a) => a.status === 'active');
  const ids = someSeats(active, attendeeIds);
  const price = ids ? Math.min(left, active.filter((a) => ids.includes(a.id)).reduce((s, a) => s + a.unitPrice, 0)) : left;
  if (refund === 'full') return { amount: price, feeKept: 0 };
  const feeKept = isWithinRefundPolicy(event, now) ? Math.min(event.refundFee, price) : price;
  return { amount: price - feeKept, feeKept };
}

/**
 * What there is to give back on a booking (minor units): its card payment less the refunds that stand, or what its
 * invoice still asks for (through the hook; 0 without one). Nothing for a free booking, a hold or a waitlist entry.
 */
export async function moneyLeft(db: Knex | Knex.Transaction, ctx: ServiceContext, booking: BookingRecord, invoiceOutstanding?: () => Promise<number>): Promise<{ isCard: boolean; left: number }> {
  if (booking.status !== 'confirmed') return { isCard: false, left: 0 };
  if (booking.paymentMethod === 'stripe') {
    const payment = await ctx.payments.cardPayment(db, booking.id);
    return payment ? { isCard: true, left: payment.amount - payment.refunded } : { isCard: false, left: 0 };
  }
  if (booking.paymentMethod === 'invoice' && booking.total > 0 && invoiceOutstanding) return { isCard: false, left: await invoiceOutstanding() };
  return { isCard: false, left: 0 };
}

/**
 * Cancels a booking, or some of its seats, and refunds a card payment as chosen. The seats, the refund record and
 * the `within` hook commit in one transaction; Stripe is asked after the commit (a failure there keeps the refund
 * `requested` for the retry job). A hold is closed at Stripe first, so it can no longer be paid.
 * Throws ValidationError on `attendeeIds` (not active seats of this booking), ConflictError `booking_cancelled`, and
 * the gateway's `no_card_payment` / `payment_disputed`.
 */
export async function cancelBookingSeats(ctx: ServiceContext, bookingId: number, request: CancelRequest): Promise<{ view: BookingView; outcome: CancelOutcome }> {
  const before = await loadBookingView(ctx.db, bookingId);
  if (before.booking.status === 'pending_payment') {
    // Nothing may be paid once the hold is gone; a payment that already slipped in confirms the booking instead.
    await ctx.payments.closeCheckout(bookingId);
  }
  const now = ctx.clock.now();
  const outcome = await writeTransaction(ctx.db, async (trx) => {
    const { booking, event, attendees } = await lockBooking(trx, bookingId);
    if (booking.status === 'cancelled' || booking.status === 'expired') throw new ConflictError('booking_cancelled', 'This booking is already cancelled.');
    if (before.booking.status === 'pending_payment' && booking.status !== 'pending_payment') {
      // The payment arrived while the hold was being closed: the booking is now paid, and cancelling it is a new decision.
      throw new ConflictError('payment_arrived', 'The payment for this booking has just arrived, so it is now confirmed. Look at the booking again before cancelling it.');
    }
    const active = attendees.filter((a) => a.status === 'active');
    const unknown = (request.attendeeIds ?? []).filter((id) => !active.some((a) => a.id === id));
    if (unknown.length) throw new ValidationError([{ path: 'attendeeIds', message: `Not an active place of booking ${booking.reference}: ${unknown.join(', ')}` }]);
    const ids = someSeats(active, request.attendeeIds);
    const result: CancelOutcome = { cancelled: [], refundAmount: 0, creditAmount: 0, feeKept: 0 };
    if (booking.status === 'pending_payment' && !ids) {
      await releaseHold(trx, ctx, bookingId, request.reason);
      result.cancelled = active;
    } else {
      const isInvoiced = booking.status === 'confirmed' && booking.paymentMethod === 'invoice' && booking.total > 0;
      if (isInvoiced && request.refund !== 'none' && !request.invoiceCredit) throw new Error(`cancelling invoice booking ${booking.reference} with a credit needs an invoiceCredit hook`);
      const hook = request.invoiceCredit;
      const { isCard, left } = await moneyLeft(trx, ctx, booking, hook && (() => hook.outstanding(trx, bookingId)));
      const money = cancellationMoney({ event, attendees }, left, request.refund, now, ids);
      result.feeKept = money.feeKept;
      if (isCard) result.refundAmount = money.amount;
      else result.creditAmount = money.amount;
      const isBuyerToldByCredit = result.creditAmount > 0 && request.invoiceCredit?.notifiesBuyer === true;
      result.cancelled = await cancelSeats(trx, ctx, bookingId, request.reason, ids, { buyerToldElsewhere: isBuyerToldByCredit });
      if (result.creditAmount > 0) {
        await request.invoiceCredit!.record(trx, {
          bookingId,
          amount: result.creditAmount,
          currency: booking.currency,
          feeKept: result.feeKept,
          attendeeIds: result.cancelled.map((a) => a.id),
          reason: request.reason,
        });
      }
      if (result.refundAmount > 0) {
        result.refundId = await ctx.payments.recordRefund(trx, {
          bookingId,
          amount: result.refundAmount,
          attendeeIds: result.cancelled.map((a) => a.id),
          reason: result.feeKept > 0 ? `${request.reason}; ${formatMoney(result.feeKept, booking.currency)} kept under the refund policy` : request.reason,
          initiatedBy: request.initiatedBy,
          notice: request.notice ?? 'refund_issued',
          feeKept: result.feeKept,
        });
      }
    }
    await request.within?.(trx, result);
    return result;
  });
  ctx.kickOutbox();
  if (outcome.refundId !== undefined) await ctx.payments.sendRefund(outcome.refundId);
  return { view: await loadBookingView(ctx.db, bookingId), outcome };
}

/**
 * Why the holder may not cancel this booking through the manage link now, or null when they may. One rule for the
 * confirmation page and the cancel itself: 409 `payment_processing` (a bank debit is in flight: the page offers no
 * cancel either), `event_past` (the event has started), `refund_not_available` (a paid booking outside its policy, or
 * an invoice booking: the organisers handle those, at the contact address given).
 */
function holderCancelRefusal(ctx: ServiceContext, view: BookingView, now: Date): ConflictError | null {
  const { booking, event } = view;
  if (booking.status === 'pending_payment' && booking.paymentProcessingSince) {
    // The debit cannot be stopped from here: releasing the places now would only refund it (less Stripe's fee) later.
    return new ConflictError('payment_processing', 'Your payment is being processed by your bank, so the booking cannot be cancelled until it completes. We will email you either way.');
  }
  if (booking.status !== 'pending_payment' && now >= event.startsAt) {
    return new ConflictError('event_past', 'This event has already started, so the booking can no longer be cancelled here.');
  }
  const isPaid = booking.total > 0 && booking.status === 'confirmed';
  if (isPaid && !refundPolicyFor(view, now).allowed) {
    return new ConflictError('refund_not_available', `This booking can no longer be cancelled online. Please write to ${contactEmailFor(event, ctx.config)}.`);
  }
  return null;
}

/** What cancelling through the manage link would do, for the confirmation page: nothing is changed. */
export interface HolderCancelPreview {
  view: BookingView;
  /** The places that would be cancelled: every active seat of the booking. */
  seats: AttendeeRecord[];
  /** What comes back to the card, and what the refund policy keeps: the same `cancellationMoney` the cancel uses. */
  money: CancellationMoney;
  /** A card payment is refunded (otherwise nothing was paid, or nothing is owed yet). */
  isCard: boolean;
  /** Other bookings waiting for a place at this event, in the queue the freed places go to. */
  waiting: number;
  /** Ticket type names by id, to say which place is which. */
  ticketNames: Map<number, string>;
}

/**
 * What cancelling the booking through its manage link would do: its places, the refund after the event's fee, and the
 * waitlist it frees places for. Changes nothing. Throws as `getBookingForHolder` (401, 404), ConflictError
 * `booking_cancelled` (nothing left to cancel), and the refusals of `holderCancelRefusal` (409).
 */
export async function previewHolderCancel(ctx: ServiceContext, reference: string, token: string | undefined): Promise<HolderCancelPreview> {
  const view = await getBookingForHolder(ctx, reference, token);
  const { booking } = view;
  const now = ctx.clock.now();
  if (booking.status === 'cancelled' || booking.status === 'expired') throw new ConflictError('booking_cancelled', 'This booking is already cancelled.');
  const refusal = holderCancelRefusal(ctx, view, now);
  if (refusal) throw refusal;
  const { isCard, left } = await moneyLeft(ctx.db, ctx, booking);
  const waiting = (await listWaitlist(ctx.db, booking.eventId)).filter((w) => w.booking.id !== booking.id).length;
  const types = (await listTicketTypes(ctx.db, [booking.eventId])).get(booking.eventId) ?? [];
  return {
    view,
    seats: view.attendees.filter((a) => a.status === 'active'),
    money: cancellationMoney(view, left, 'policy', now),
    isCard,
    waiting,
    ticketNames: new Map(types.map((t) => [t.id, t.name])),
  };
}

/**
 * Cancels through the manage link: a free place or waitlist entry at once, an unpaid hold released, a card booking
 * within the refund policy (refunded less the event's fee, as `previewHolderCancel` showed). Cancelling again changes
 * nothing. Throws as `getBookingForHolder`, and the refusals of `holderCancelRefusal` (409).
 */
export async function cancelAsHolder(ctx: ServiceContext, reference: string, token: string | undefined): Promise<BookingView> {
  const view = await getBookingForHolder(ctx, reference, token);
  const { booking } = view;
  if (booking.status === 'cancelled' || booking.status === 'expired') return view;
  const refusal = holderCancelRefusal(ctx, view, ctx.clock.now());
  if (refusal) throw refusal;
  const isPaid = booking.total > 0 && booking.status === 'confirmed';
  const reason = booking.status === 'pending_payment' ? 'Cancelled by the buyer before paying' : isPaid ? 'Cancelled by the buyer' : 'Cancelled by the attendee';
  const { view: after } = await cancelBookingSeats(ctx, booking.id, { refund: 'policy', reason, initiatedBy: 'attendee' }).catch((error: unknown) => {
    // Two taps, or a payment confirming meanwhile: the booking as it now stands is the answer.
    if (error instanceof ConflictError && error.code === 'booking_cancelled') return { view: undefined };
    throw error;
  });
  return after ?? loadBookingView(ctx.db, booking.id);
}
