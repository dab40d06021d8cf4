import type { ServiceContext } from '../context';
import { isFreeEvent } from '../events/availability';
import { findEventBySlug, listTicketTypes } from '../events/queries';
import { NotFoundError } from '../lib/errors';
import { createPaidBooking, type PaidBookingResult } from '../payments/checkout';
import { cancelPaidBookingAsHolder, cancelPendingBookingAsHolder } from '../payments/refunds';
import type { BookingRequest } from './schemas';
import { cancelBookingAsHolder, createFreeBooking, getBookingForHolder, type BookingView } from './service';

/** Books a place: free events register at once (or waitlist); charged events go through payment. */
export async function createBooking(ctx: ServiceContext, slug: string, request: BookingRequest): Promise<PaidBookingResult> {
  const event = await findEventBySlug(ctx.db, slug);
  if (!event || event.status === 'draft') throw new NotFoundError('No event with that address.', 'event_not_found');
  const types = (await listTicketTypes(ctx.db, [event.id])).get(event.id) ?? [];
  return isFreeEvent(types) ? createFreeBooking(ctx, slug, request) : createPaidBooking(ctx, slug, request);
}

/** Cancels through the manage link: free at once, paid within the refund policy, a hold released. */
export async function cancelBooking(ctx: ServiceContext, reference: string, token: string | undefined): Promise<BookingView> {
  const { booking } = await getBookingForHolder(ctx, reference, token);
  if (booking.status === 'pending_payment') return cancelPendingBookingAsHolder(ctx, reference, token);
  if (booking.total > 0 && booking.status !== 'waitlisted') return cancelPaidBookingAsHolder(ctx, reference, token);
  return cancelBookingAsHolder(ctx, reference, token);
}
