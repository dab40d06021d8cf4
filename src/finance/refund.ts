import { recordAudit, type Actor } from '../admin/audit/log';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { ConflictError, ValidationError } from '../lib/errors';
import { requestRefund } from '../payments/refunds';
import { syncBookingWithStripe } from '../payments/sync';
import { getFinanceBooking } from './booking';

export interface StaffRefundInput {
  amount: number;
  reason: string;
  attendeeIds: number[];
}

/**
 * The treasurer refunds a card payment, in full or in part, optionally giving up some places. The refund, the seats
 * and the audit entry commit together; Stripe is asked after the commit. The buyer is emailed only once Stripe has
 * confirmed the refund; until then it shows as requested.
 */
export async function refundAsStaff(ctx: ServiceContext, actor: Actor, reference: string, input: StaffRefundInput): Promise<number> {
  const view = await getFinanceBooking(ctx, reference);
  const card = view.payments.find((p) => p.method === 'card');
  if (!card) throw new ConflictError('no_card_payment', 'This booking has no card payment to refund.');
  if (view.hasOpenDispute) throw new ConflictError('dispute_open', 'This payment is disputed. Stripe takes no refund while a dispute is open: respond to the dispute in the Stripe dashboard instead.');
  const active = new Set(view.attendees.filter((a) => a.status === 'active').map((a) => a.id));
  if (input.attendeeIds.some((id) => !active.has(id))) throw new ValidationError([{ path: 'attendeeIds', message: 'Choose places that are still booked' }]);
  // A refund Stripe has not taken yet is recorded and stays requested (requestRefund logs it; the refunds job retries
  // it); anything thrown here means nothing was committed, neither the refund nor its audit entry.
  return requestRefund(ctx, {
    bookingId: view.booking.id,
    amount: input.amount,
    attendeeIds: input.attendeeIds,
    reason: input.reason,
    initiatedBy: 'staff',
    notice: 'refund_issued',
    within: async (trx, refundId) => {
      await recordAudit(trx, actor, { action: 'refund_requested', targetType: 'booking', targetId: view.booking.id, details: { reference, refundId, amount: input.amount, reason: input.reason, attendeeIds: input.attendeeIds } }, ctx.clock.now());
    },
  });
}

/**
 * Records what Stripe knows about the booking's payment (a refund or dispute made in the dashboard whose
 * webhook never came) the same way the webhook would: the payments code's own idempotent fulfilment.
 */
export async function refreshBookingFromStripe(ctx: ServiceContext, actor: Actor, reference: string): Promise<void> {
  const view = await getFinanceBooking(ctx, reference);
  if (!ctx.stripe) throw new ConflictError('stripe_not_configured', 'Stripe is not configured on this server.');
  // An invoice paid by card instead has no hold session of its own on the booking, but its card payment is ours.
  if (!view.booking.stripeCheckoutSessionId && !view.payments.some((p) => p.method === 'card')) throw new ConflictError('no_card_payment', 'This booking was not paid by card, so Stripe has nothing to add.');
  await syncBookingWithStripe(ctx, view.booking.id);
  await writeTransaction(ctx.db, (trx) => recordAudit(trx, actor, { action: 'booking_refreshed_from_stripe', targetType: 'booking', targetId: view.booking.id, details: { reference } }, ctx.clock.now()));
}
