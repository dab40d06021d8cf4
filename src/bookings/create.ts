import type { ServiceContext } from '../context';
import { isFreeEvent } from '../events/availability';
import { ConflictError } from '../lib/errors';
import { manageToken } from '../lib/links';
import { startPayment } from './pay';
import { holdPaidBooking, lockEventForBooking, registerFreeBooking } from './place';
import type { BookingRequest } from './schemas';
import { loadBookingView, type CreatedBooking } from './view';

/**
 * Books places in one transaction under the event's lock: a free event registers at once (or
 * waitlists); a charged one holds the seats, and its checkout is started after the commit.
 * Bookings for the same event that arrive together share that transaction (group commit).
 * `freeOnly` is for the plain registration form, which must never start a payment (409 `payment_required`).
 * `clientKey` is the pseudonym of the client address (web/rate-limit.ts clientKey), for the cap on open holds.
 * A card booking when no card provider is configured: 503 `payment_unavailable`, nothing held (a booking a discount code
 * makes free needs no provider).
 */
export async function createBooking(ctx: ServiceContext, slug: string, request: BookingRequest, options: { freeOnly?: boolean; clientKey?: string } = {}): Promise<CreatedBooking> {
  const now = ctx.clock.now();
  const view = await ctx.groupCommit.run(slug, async (trx) => {
    const locked = await lockEventForBooking(trx, slug, request, now);
    if (isFreeEvent(locked.types)) return registerFreeBooking(trx, ctx, locked, request, now);
    if (options.freeOnly) throw new ConflictError('payment_required', 'This event is charged; book it with payment.');
    return holdPaidBooking(trx, ctx, locked, request, now, options.clientKey);
  });
  ctx.kickOutbox();
  const token = manageToken(ctx.config, view.booking.reference);
  if (view.booking.status !== 'pending_payment') return { ...view, manageToken: token };
  const checkoutUrl = await startPayment(ctx, view.booking.id, { releaseOnFailure: true });
  return { ...(await loadBookingView(ctx.db, view.booking.id)), manageToken: token, checkoutUrl };
}
