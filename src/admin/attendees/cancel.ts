import {
  cancelBookingSeats,
  cancellationMoney,
  findBookingById,
  findBookingByReference,
  loadBookingView,
  type AttendeeRecord,
  type BookingRecord,
  type BookingView,
  type CancelOutcome,
  type RefundChoice,
} from '../../bookings';
import type { ServiceContext } from '../../context';
import { invoiceCreditHook } from '../../finance/credits';
import { invoiceBalance, type InvoiceBalance } from '../../finance/outstanding';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { recordAudit } from '../audit/log';
import { can, type Role, type StaffUser } from '../auth/roles';

/**
 * Staff cancel one booking or some of its seats (organisers any booking, the treasurer paid ones), with the refund
 * under the event's policy, in full, or none: a card payment is refunded through Stripe, an invoice is credited by
 * the same rules. The attendee gets a calendar CANCEL, the freed place goes to the waitlist, and the audit entry
 * commits with the change (bookings/cancel.ts does the cancelling).
 */

export const REFUND_CHOICES = ['policy', 'full', 'none'] as const satisfies readonly RefundChoice[];

export interface StaffCancelInput {
  /** The seats to cancel; the whole booking when omitted. */
  attendeeIds?: number[];
  refund: RefundChoice;
  reason?: string;
}

const DEFAULT_REASON = 'Cancelled by the organisers';

/** Why this role may not cancel this booking with this refund, or null when it may. */
export function cancelRefusal(role: Role, booking: Pick<BookingRecord, 'total'>, refund: RefundChoice): string | null {
  const isPaid = booking.total > 0;
  const isOrganiser = can(role, 'attendees:manage');
  const isTreasurer = can(role, 'finance:manage');
  if (!isPaid && !isOrganiser) return 'A free place is cancelled by an organiser; the treasurer cancels paid bookings.';
  if (isPaid && !isOrganiser && !isTreasurer) return 'Your staff role cannot cancel bookings.';
  if (isPaid && refund === 'full' && !isTreasurer) return 'Only the treasurer can give a paid booking a full refund. Choose the event’s refund policy or no refund, or ask the treasurer.';
  return null;
}

/** What there is to give back: the card payment less its refunds, or what the invoice still asks for. */
export type MoneyKind = 'card' | 'invoice' | null;

export interface CancelPreview {
  view: BookingView;
  /** The seats that would be cancelled. */
  seats: AttendeeRecord[];
  isWhole: boolean;
  kind: MoneyKind;
  /** Minor units there is to give back (0 for a free or unpaid booking). */
  left: number;
  invoice: InvoiceBalance | null;
  options: Array<{ choice: RefundChoice; amount: number; feeKept: number; refusal: string | null }>;
  /** Why this person cannot cancel it at all (a free place, for the treasurer), or null. */
  refusal: string | null;
}

/** Throws 409 `booking_cancelled` (nothing left to cancel) and `booking_pending_payment` (a seat of an unpaid hold). */
function assertCancellable(booking: BookingRecord, attendeeIds: number[] | undefined): void {
  if (booking.status === 'cancelled') throw new ConflictError('booking_cancelled', `Booking ${booking.reference} is already cancelled.`);
  if (booking.status === 'expired') throw new ConflictError('booking_cancelled', `Booking ${booking.reference} expired unpaid, so it holds no place to cancel.`);
  if (attendeeIds && booking.status === 'pending_payment') {
    throw new ConflictError('booking_pending_payment', `Booking ${booking.reference} is waiting for payment: cancel the whole booking, not one place.`);
  }
}

async function bookingOf(ctx: ServiceContext, reference: string): Promise<BookingRecord> {
  const booking = await findBookingByReference(ctx.db, reference);
  if (!booking) throw new NotFoundError('booking_not_found', 'No booking with that reference.');
  return booking;
}

/**
 * What cancelling the booking (or one seat) would do, for the confirmation page: the seats, and for each refund choice
 * the amount given back and kept, and whether this person may choose it. Throws 404, 409 as `assertCancellable`, and
 * 422 `seat` when the seat is not an active place of this booking.
 */
export async function previewStaffCancel(ctx: ServiceContext, actor: StaffUser, reference: string, seatId?: number): Promise<CancelPreview> {
  const booking = await bookingOf(ctx, reference);
  const ids = seatId === undefined ? undefined : [seatId];
  assertCancellable(booking, ids);
  const view = await loadBookingView(ctx.db, booking.id);
  const active = view.attendees.filter((a) => a.status === 'active');
  if (seatId !== undefined && !active.some((a) => a.id === seatId)) {
    throw new ValidationError([{ path: 'seat', message: `That is not an active place of booking ${reference}.` }]);
  }
  const seats = ids ? active.filter((a) => ids.includes(a.id)) : active;
  let kind: MoneyKind = null;
  let left = 0;
  let invoice: InvoiceBalance | null = null;
  if (booking.status === 'confirmed' && booking.paymentMethod === 'stripe') {
    const payment = await ctx.payments.cardPayment(ctx.db, booking.id);
    if (payment) {
      kind = 'card';
      left = payment.amount - payment.refunded;
    }
  } else if (booking.status === 'confirmed' && booking.paymentMethod === 'invoice' && booking.total > 0) {
    kind = 'invoice';
    invoice = await invoiceBalance(ctx.db, booking.id);
    left = invoice.outstanding;
  }
  const now = ctx.clock.now();
  const options = REFUND_CHOICES.map((choice) => ({ choice, ...cancellationMoney(view, left, choice, now, ids), refusal: cancelRefusal(actor.role, booking, choice) }));
  const refusal = cancelRefusal(actor.role, booking, 'none');
  return { view, seats, isWhole: seats.length === active.length, kind, left, invoice, options, refusal };
}

/**
 * Cancels the booking, or the seats named, as the staff member chose. Throws 404 `booking_not_found`, 403 (the role
 * may not, see `cancelRefusal`), 409 `booking_cancelled` / `booking_pending_payment` / `payment_disputed`, 422
 * `attendeeIds` (not active seats of this booking).
 */
export async function cancelAsStaff(ctx: ServiceContext, actor: StaffUser, reference: string, input: StaffCancelInput): Promise<{ view: BookingView; outcome: CancelOutcome }> {
  const booking = await bookingOf(ctx, reference);
  const refusal = cancelRefusal(actor.role, booking, input.refund);
  if (refusal) throw new ForbiddenError('forbidden', refusal);
  assertCancellable(booking, input.attendeeIds);
  const now = ctx.clock.now();
  const reason = input.reason ?? DEFAULT_REASON;
  return cancelBookingSeats(ctx, booking.id, {
    attendeeIds: input.attendeeIds,
    refund: input.refund,
    reason,
    initiatedBy: 'staff',
    invoiceCredit: invoiceCreditHook(ctx, actor),
    within: async (trx, outcome) => {
      const after = await findBookingById(trx, booking.id);
      await recordAudit(
        trx,
        actor,
        {
          action: after?.status === 'cancelled' ? 'booking_cancelled_by_staff' : 'seats_cancelled_by_staff',
          targetType: 'booking',
          targetId: booking.id,
          details: {
            reference,
            attendeeIds: outcome.cancelled.map((a) => a.id),
            names: outcome.cancelled.map((a) => a.name),
            refund: input.refund,
            refundAmount: outcome.refundAmount,
            creditAmount: outcome.creditAmount,
            feeKept: outcome.feeKept,
            reason,
          },
        },
        now,
      );
    },
  });
}
