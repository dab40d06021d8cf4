import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { remainingForMode } from '../events/availability';
import { countSeatsTaken } from '../events/queries';
import { ATTENDANCE_LABELS, type AttendanceMode } from '../events/types';
import { ConflictError, ValidationError } from '../lib/errors';
import { toDbTime } from '../lib/time';
import { lockBooking } from './lifecycle';
import { queueNoticeFor } from './notify';
import { getSeatForHolder, type SeatView } from './seats';
import { promoteWaitlist } from './waitlist';

/**
 * Moves one place of a hybrid event between the room and online, from the booking's manage page, in one transaction
 * under the event's lock: only while the other mode has a free place (counted as a booking counts it), the seat's
 * mode changes, the event's SEQUENCE goes up and the attendee gets an updated invitation (their joining link, or the
 * venue), and the place freed in the old mode goes to that mode's waitlist. Throws 409 `mode_full`, `not_expected`,
 * `event_past`; 422 for an event that is not hybrid. `token` is the booking's (the buyer, for any of its places) or the
 * seat's own (its holder, from the seat's page); the answer says which.
 */
export async function switchSeatMode(ctx: ServiceContext, reference: string, token: string | undefined, attendeeId: number, mode: AttendanceMode): Promise<SeatView> {
  const holder = await getSeatForHolder(ctx, reference, attendeeId, token, { allowCancelled: true });
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    const locked = await lockBooking(trx, holder.booking.id);
    const { event, booking } = locked;
    if (event.mode !== 'hybrid') throw new ValidationError([{ path: 'mode', message: 'This event takes place one way only' }]);
    const seat = locked.attendees.find((a) => a.id === attendeeId && a.status === 'active');
    if (!seat || booking.status !== 'confirmed' || event.status !== 'published') throw new ConflictError('not_expected', 'Only a confirmed place can change how it takes part.');
    if (now >= event.startsAt) throw new ConflictError('event_past', 'The event has started, so places can no longer be changed here.');
    if (seat.mode === mode) return;
    const counts = (await countSeatsTaken(trx, [event.id], now)).get(event.id);
    if (remainingForMode(event, counts, mode) < 1) {
      throw new ConflictError('mode_full', `There is no ${ATTENDANCE_LABELS[mode].toLowerCase()} place free just now, so ${seat.name}'s place stays as it is.`);
    }
    await trx('attendees').where({ id: seat.id, mode: seat.mode, status: 'active' }).update({ mode });
    const sequence = event.sequence + 1;
    await trx('events').where({ id: event.id }).update({ sequence, updated_at: toDbTime(now) });
    const after = { ...event, sequence };
    const moved = { ...seat, mode };
    const note = mode === 'online' ? 'You now take part online: your personal joining link is below and in the calendar invitation attached.' : 'You now take part in person, at the venue below.';
    await queueNoticeFor(trx, ctx, 'updated', { booking, event: after, attendees: [moved] }, { attendees: [moved], onlyAttendees: true, note, dedupeSuffix: `mode-${sequence}` });
    await promoteWaitlist(trx, ctx, after);
  });
  ctx.kickOutbox();
  return getSeatForHolder(ctx, reference, attendeeId, token, { allowCancelled: true });
}
