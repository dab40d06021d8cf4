import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { findEventBySlug } from '../events/queries';
import { NotFoundError } from '../lib/errors';
import { queueBookingNotice } from './notify';
import { findActiveBookingForEmail } from './queries';

/** Sends the booking's confirmation again to whoever asks with a registered email; silent otherwise. Throws 404 `event_not_found`. */
export async function resendConfirmation(ctx: ServiceContext, slug: string, email: string): Promise<void> {
  const event = await findEventBySlug(ctx.db, slug);
  if (!event) throw new NotFoundError('event_not_found', 'No event with that address.');
  const booking = await findActiveBookingForEmail(ctx.db, event.id, email);
  if (!booking) return;
  const now = ctx.clock.now();
  // One resend per booking per ten minutes: the dedupe key makes repeats within the window no-ops.
  const window = Math.floor(now.getTime() / (10 * 60_000));
  await writeTransaction(ctx.db, (trx) => queueBookingNotice(trx, ctx, 'resent', booking.id, { dedupeSuffix: `resend-${window}` }));
  ctx.kickOutbox();
}
