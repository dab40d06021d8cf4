import type { Tx } from '../db/connect';
import type { EventRecord } from '../events/types';
import { formatInstant, fromDbTimeOrNull, inZone, toDbTime } from '../lib/time';

/**
 * An event's online meeting: where it is, how to get in, and from when the personal joining links lead there. Kept in
 * `event_meetings`, a table the public catalogue never reads, so no public page, feed or API can carry it; only
 * what a confirmed online attendee receives (their joining link, their reminder) and the staff pages read it.
 */
export interface Meeting {
  url: string | null;
  passcode: string | null;
  dialIn: string | null;
  /** When the joining links open; null: `DEFAULT_OPENS_MINUTES` before the start (so it moves with the event). */
  opensAt: Date | null;
}

export const DEFAULT_OPENS_MINUTES = 30;

export const NO_MEETING: Meeting = Object.freeze({ url: null, passcode: null, dialIn: null, opensAt: null });

export async function findMeeting(db: Tx, eventId: number): Promise<Meeting> {
  const row = await db('event_meetings').select('url', 'passcode', 'dial_in', 'opens_at').where({ event_id: eventId }).first();
  if (!row) return NO_MEETING;
  return { url: row.url || null, passcode: row.passcode || null, dialIn: row.dial_in || null, opensAt: fromDbTimeOrNull(row.opens_at) };
}

/** Writes the meeting's details in the caller's transaction (the event form's). */
export async function saveMeeting(db: Tx, eventId: number, meeting: Meeting, now: Date): Promise<void> {
  const row = { url: meeting.url, passcode: meeting.passcode, dial_in: meeting.dialIn, opens_at: meeting.opensAt ? toDbTime(meeting.opensAt) : null, updated_at: toDbTime(now) };
  await db('event_meetings').insert({ event_id: eventId, ...row }).onConflict('event_id').merge(row);
}

/** When the joining links of this event open. */
export function linkOpensAt(event: Pick<EventRecord, 'startsAt'>, meeting: Pick<Meeting, 'opensAt'>): Date {
  return meeting.opensAt ?? new Date(event.startsAt.getTime() - DEFAULT_OPENS_MINUTES * 60_000);
}

/** Whether an event has people taking part online. */
export function hasOnline(event: Pick<EventRecord, 'mode'>): boolean {
  return event.mode === 'online' || event.mode === 'hybrid';
}

/** "Tuesday 14 April 2026, 5:30pm BST": an instant in the event's own zone, with the zone's name. */
export function inEventZone(date: Date, zone: string): string {
  return `${formatInstant(date, zone)} ${inZone(date, zone).toFormat('ZZZZ')}`;
}
