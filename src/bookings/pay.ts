import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { listTicketTypes } from '../events/queries';
import { AppError, ConflictError } from '../lib/errors';
import { manageToken } from '../lib/links';
import { isHoldLive } from './holds';
import { beginCheckoutAttempt, recordCheckoutSession, releaseHold } from './lifecycle';
import { formatMoney } from '../lib/money';
import { priceLineLabel, priceLines } from './rules';
import { getBookingForHolder, loadBookingView } from './view';

/**
 * Paying for a held booking, through the PaymentGateway port on the service context (bookings/ never imports
 * payments/). Network calls happen here, outside any transaction.
 */

const UNREACHABLE_RELEASED =
  'We could not reach our card payment provider, so nothing has been charged and the places we were holding have been released. Please try again in a few minutes.';
const UNREACHABLE_KEPT =
  'We could not reach our card payment provider, so nothing has been charged. Your place is still held for you: please try the link again in a few minutes.';

/**
 * Starts a new checkout attempt for a live hold and returns the payment page's URL. When the provider cannot be
 * reached, a fresh booking's hold is released (`releaseOnFailure`, so seats are not locked up for nothing) and a
 * waitlist offer keeps its hold for the buyer to retry. Throws AppError `payment_unavailable` (503), and 409
 * `not_awaiting_payment` / `payment_processing` from beginCheckoutAttempt.
 */
export async function startPayment(ctx: ServiceContext, bookingId: number, options: { releaseOnFailure: boolean }): Promise<string> {
  const { attempt, holdExpiresAt } = await beginCheckoutAttempt(ctx, bookingId);
  const { booking, event, attendees } = await loadBookingView(ctx.db, bookingId);
  const types = (await listTicketTypes(ctx.db, [event.id])).get(event.id) ?? [];
  const token = manageToken(ctx.config, booking.reference);
  let started: { sessionId: string; url: string };
  try {
    started = await ctx.payments.startCheckout({
      bookingId,
      reference: booking.reference,
      attempt,
      currency: booking.currency,
      buyerEmail: booking.buyerEmail,
      description: `${event.title} (${booking.reference})`,
      // A discounted seat is its own line at the price charged, its name and description saying what the code took off,
      // so the session's total is the booking's and Stripe's line items show the discount.
      lines: priceLines(attendees.filter((a) => a.status === 'active'), types).map((l) => ({
        name: `${event.title} — ${priceLineLabel(l, booking.currency, booking.discountCode)}`,
        unitAmount: l.unitPrice,
        quantity: l.quantity,
        ...(l.discount > 0 ? { description: `List price ${formatMoney(l.listPrice, booking.currency)}, ${formatMoney(l.discount, booking.currency)} off${booking.discountCode ? ` with code ${booking.discountCode}` : ''}` } : {}),
      })),
      expiresAt: holdExpiresAt,
      successUrl: `${ctx.config.publicUrl}/checkout/success?session_id={CHECKOUT_SESSION_ID}&reference=${booking.reference}&token=${token}`,
      cancelUrl: `${ctx.config.publicUrl}/checkout/cancelled?reference=${booking.reference}&token=${token}`,
    });
  } catch (error) {
    ctx.logger.warn('checkout could not be started', { booking: booking.reference, attempt, error: error instanceof Error ? error.message : String(error) });
    if (!options.releaseOnFailure) throw new AppError('payment_unavailable', UNREACHABLE_KEPT);
    await writeTransaction(ctx.db, (trx) => releaseHold(trx, ctx, bookingId, 'The card payment provider could not be reached'));
    ctx.kickOutbox();
    throw new AppError('payment_unavailable', UNREACHABLE_RELEASED);
  }
  await recordCheckoutSession(ctx, bookingId, started.sessionId);
  return started.url;
}

/**
 * The payment link of a held place (a waitlist offer, or a buyer coming back): reuses the open session, or starts a
 * new attempt. A failure keeps the hold: it is theirs to retry. Throws 409 `not_awaiting_payment` (nothing to pay),
 * 409 `payment_processing` (a payment is already in flight), 503 `payment_unavailable`, 404/401 for a bad link.
 */
export async function resumePayment(ctx: ServiceContext, reference: string, token: string | undefined): Promise<string> {
  const { booking } = await getBookingForHolder(ctx, reference, token);
  const now = ctx.clock.now();
  if (booking.status === 'pending_payment' && booking.paymentProcessingSince) {
    throw new ConflictError('payment_processing', 'A payment for this booking is already being processed. We will email you when it completes.');
  }
  if (!isHoldLive(booking, now)) throw new ConflictError('not_awaiting_payment', 'This booking is not waiting for a payment.');
  if (booking.stripeCheckoutSessionId) {
    const open = await ctx.payments.openCheckoutUrl(booking.stripeCheckoutSessionId);
    if (open) return open;
  }
  return startPayment(ctx, booking.id, { releaseOnFailure: false });
}
