import type { Tx } from '../../db/connect';
import type { ServiceContext } from '../../context';
import { writeTransaction } from '../../db/dialect';
import { ConflictError } from '../../lib/errors';
import { toDbTime } from '../../lib/time';
import { recordAudit, type Actor } from '../audit/log';
import type { EventRecord } from '../../events/types';

export interface DoorCounts {
  checkedIn: number;
  expected: number;
}

export async function countAtDoor(db: Tx, eventId: number): Promise<DoorCounts> {
  const row = await db('attendees')
    .join('bookings', 'bookings.id', 'attendees.booking_id')
    .where('attendees.event_id', eventId)
    .where('attendees.status', 'active')
    .where('bookings.status', 'confirmed')
    .count({ expected: '*' })
    .count({ checked: 'attendees.checked_in_at' })
    .first();
  return { checkedIn: Number(row?.checked ?? 0), expected: Number(row?.expected ?? 0) };
}

/**
 * Marks a person as arrived (or undoes it). Idempotent: two phones tapping the same name at once leave
 * one arrival time, the first.
 */
export async function setCheckedIn(ctx: ServiceContext, actor: Actor, event: EventRecord, attendeeId: number, arrived: boolean): Promise<{ checkedInAt: Date | null; counts: DoorCounts }> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const row = await trx('attendees')
      .join('bookings', 'bookings.id', 'attendees.booking_id')
      .select('attendees.id', 'attendees.name', 'attendees.checked_in_at')
      .where('attendees.id', attendeeId)
      .where('attendees.event_id', event.id)
      .where('attendees.status', 'active')
      .where('bookings.status', 'confirmed')
      .first();
    if (!row) throw new ConflictError('not_expected', 'This person does not hold a confirmed place at this event.');
    const update = trx('attendees').where({ id: attendeeId });
    const changed = arrived
      ? await update.whereNull('checked_in_at').update({ checked_in_at: toDbTime(now) })
      : await update.whereNotNull('checked_in_at').update({ checked_in_at: null });
    if (changed) {
      await recordAudit(trx, actor, { action: arrived ? 'checked_in' : 'check_in_undone', targetType: 'attendee', targetId: attendeeId, details: { event: event.slug, name: row.name } }, now);
    }
    const after = await trx('attendees').select('checked_in_at').where({ id: attendeeId }).first();
    return { checkedInAt: after?.checked_in_at ? new Date(after.checked_in_at) : null, counts: await countAtDoor(trx, event.id) };
  });
}
