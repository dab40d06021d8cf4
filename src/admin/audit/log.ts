import type { Tx } from '../../db/connect';
import { toDbTime } from '../../lib/time';
import type { StaffUser } from '../auth/roles';

/** Who did something: a signed-in person, an API token's owner, or the command line. */
export type Actor = StaffUser | { id: null; email: string };

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | number | null;
  details?: Record<string, unknown>;
  /** The event the entry is about; found from the target when it is an event, booking, seat or ticket type. */
  eventId?: number | null;
}

/** Where the event of each kind of target is (the same list as the migration that filled in older entries). */
const EVENT_OF: Record<string, { table: string; column: string }> = {
  booking: { table: 'bookings', column: 'event_id' },
  attendee: { table: 'attendees', column: 'event_id' },
  ticket_type: { table: 'ticket_types', column: 'event_id' },
};

function eventIdOf(db: Tx, entry: AuditEntry) {
  if (entry.eventId !== undefined) return entry.eventId;
  if (entry.targetId === undefined || entry.targetId === null) return null;
  const id = Number(entry.targetId);
  if (!Number.isSafeInteger(id)) return null;
  if (entry.targetType === 'event') return id;
  const where = EVENT_OF[entry.targetType];
  // A subquery in the insert itself: no extra round trip inside the caller's transaction.
  return where ? db.raw(`(select ${where.column} from ${where.table} where id = ?)`, [id]) : null;
}

/** Written in the caller's transaction, so the record exists exactly when the change does. */
export async function recordAudit(db: Tx, actor: Actor, entry: AuditEntry, now: Date): Promise<void> {
  await db('audit_log').insert({
    user_id: actor.id,
    actor: actor.email,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
    details: JSON.stringify(entry.details ?? {}),
    event_id: eventIdOf(db, entry),
    at: toDbTime(now),
  });
}

export const CLI_ACTOR: Actor = { id: null, email: 'command line' };
