import type { ServiceContext } from '../context';
import { isFreeEvent } from '../events/availability';
import { ConflictError } from '../lib/errors';
import { holdPaidBooking, startCheckout, type PaidBookingResult } from '../payments/checkout';
import { cancelPaidBookingAsHolder, cancelPendingBookingAsHolder } from '../payments/refunds';
import { manageToken } from '../lib/links';
import type { BookingRequest } from './schemas';
import { cancelBookingAsHolder, getBookingForHolder, loadBookingView, lockEventForBooking, registerFreeBooking, type BookingView } from './service';

/**
 * Books places in one transaction under the event's lock: a free event registers at once (or
 * waitlists); a charged one holds the seats, and its Stripe session is created after the commit.
 * Bookings for the same event that arrive together share that transaction (group commit).
 * `freeOnly` is for the plain registration form, which must never start a payment.
 */
export async function createBooking(ctx: ServiceContext, slug: string, request: BookingRequest, options: { freeOnly?: boolean } = {}): Promise<PaidBookingResult> {
  const now = ctx.clock.now();
  const view = await ctx.groupCommit.run(slug, async (trx) => {
    const locked = await lockEventForBooking(trx, slug, request, now);
    if (isFreeEvent(locked.types)) return registerFreeBooking(trx, ctx, locked, request, now);
    if (options.freeOnly) throw new ConflictError('payment_required', 'This event is charged; book it with payment.');
    return holdPaidBooking(trx, ctx, locked, request, now);
  });
  ctx.kickOutbox();
  const token = manageToken(ctx.config, view.booking.reference);
  if (view.booking.status !== 'pending_payment') return { ...view, manageToken: token };
  const checkoutUrl = await startCheckout(ctx, view.booking.id);
  return { ...(await loadBookingView(ctx.db, view.booking.id)), manageToken: token, checkoutUrl };
}

/** Cancels through the manage link: free at once, paid within the refund policy, a hold released. */
export async function cancelBooking(ctx: ServiceContext, reference: string, token: string | undefined): Promise<BookingView> {
  const { booking } = await getBookingForHolder(ctx, reference, token);
  if (booking.status === 'pending_payment') return cancelPendingBookingAsHolder(ctx, reference, token);
  if (booking.total > 0 && booking.status !== 'waitlisted') return cancelPaidBookingAsHolder(ctx, reference, token);
  return cancelBookingAsHolder(ctx, reference, token);
}
