import type { Tx } from '../../db/connect';
import { assertDoorOpen, registerWalkIn, type WalkInInput } from '../../bookings';
import type { ServiceContext } from '../../context';
import { writeTransaction } from '../../db/dialect';
import { ConflictError } from '../../lib/errors';
import { fromDbTimeOrNull, toDbTime } from '../../lib/time';
import { containsPattern } from '../attendees/queries';
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

/** Someone searched for at the door who holds no confirmed place: why not, so the volunteer can say so. */
export interface NotExpected {
  name: string;
  reference: string;
  state: 'cancelled' | 'waitlisted' | 'expired' | 'pending_payment';
  /** When the seat or booking was cancelled; null for the other states. */
  cancelledAt: Date | null;
}

/** People matching the search who hold no confirmed place (cancelled, waiting, an unpaid or lapsed hold), newest first. */
export async function listNotExpected(db: Tx, eventId: number, q: string, limit = 10): Promise<NotExpected[]> {
  const pattern = containsPattern(q);
  const rows = await db('attendees')
    .join('bookings', 'bookings.id', 'attendees.booking_id')
    .where('attendees.event_id', eventId)
    .where((w) => w.where('attendees.status', 'cancelled').orWhereNot('bookings.status', 'confirmed'))
    .where((w) =>
      w
        .whereRaw("lower(attendees.name) like lower(?) escape '\\'", [pattern])
        .orWhereRaw("attendees.email_normalised like lower(?) escape '\\'", [pattern])
        .orWhereRaw("lower(coalesce(attendees.organisation, '')) like lower(?) escape '\\'", [pattern])
        .orWhereRaw("lower(bookings.reference) like lower(?) escape '\\'", [pattern]),
    )
    .select('attendees.name', 'bookings.reference', 'bookings.status as booking_status', 'attendees.status as seat_status', 'attendees.cancelled_at', 'bookings.cancelled_at as booking_cancelled_at')
    .orderBy('attendees.id', 'desc')
    .limit(limit);
  return rows.map((r: Record<string, unknown>) => {
    const isCancelled = r.seat_status === 'cancelled' || r.booking_status === 'cancelled';
    return {
      name: String(r.name),
      reference: String(r.reference),
      state: isCancelled ? 'cancelled' : (r.booking_status as NotExpected['state']),
      cancelledAt: isCancelled ? fromDbTimeOrNull(r.cancelled_at ?? r.booking_cancelled_at ?? null) : null,
    };
  });
}

/**
 * Registers a walk-in at the door through the booking path (bookings/walk-in.ts: the capacity rule, checked in at once)
 * and records who added them in the same transaction. Throws 409 `check_in_not_open`, `sold_out`, `already_booked`,
 * `walk_in_not_free`.
 */
export async function addWalkIn(ctx: ServiceContext, actor: Actor, event: EventRecord, input: WalkInInput): Promise<{ attendeeId: number; name: string; counts: DoorCounts }> {
  const view = await registerWalkIn(ctx, event.slug, input, async (trx, placed) => {
    await recordAudit(trx, actor, { action: 'walk_in_added', targetType: 'booking', targetId: placed.booking.id, details: { event: event.slug, reference: placed.booking.reference, name: input.name, hasEmail: input.email !== '' } }, ctx.clock.now());
  });
  return { attendeeId: view.attendees[0].id, name: view.attendees[0].name, counts: await countAtDoor(ctx.db, event.id) };
}

/**
 * Marks a person as arrived (or undoes it). Idempotent: two phones tapping the same name at once leave
 * one arrival time, the first. Refused before the event's day (409 `check_in_not_open`).
 */
export async function setCheckedIn(ctx: ServiceContext, actor: Actor, event: EventRecord, attendeeId: number, arrived: boolean): Promise<{ checkedInAt: Date | null; counts: DoorCounts; name: string }> {
  const now = ctx.clock.now();
  assertDoorOpen(event, now, false);
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
    return { checkedInAt: after?.checked_in_at ? new Date(after.checked_in_at) : null, counts: await countAtDoor(trx, event.id), name: String(row.name) };
  });
}
