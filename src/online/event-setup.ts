import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Tx } from '../db/connect';
import { countSeatsTaken } from '../events/queries';
import type { EventRecord } from '../events/types';
import { ValidationError } from '../lib/errors';
import { joinTokenHash } from '../lib/links';
import { findMeeting, hasOnline } from './meetings';

/**
 * Places taken, in all and by way of taking part, as they would count under `mode`: a change to one way (in person
 * only, or online only) moves every place to it, so then only the total matters.
 */
export async function seatsTakenByMode(db: Tx, eventId: number, mode: EventRecord['mode'], now: Date): Promise<{ total: number; in_person: number; online: number }> {
  const counts = (await countSeatsTaken(db, [eventId], now)).get(eventId);
  const total = counts?.taken ?? 0;
  if (mode === 'hybrid') return { total, in_person: counts?.byMode.in_person ?? 0, online: counts?.byMode.online ?? 0 };
  return mode === 'online' ? { total, in_person: 0, online: total } : { total, in_person: total, online: 0 };
}

/**
 * After an event changes to one way of taking part, every seat takes part that way (in the event form's transaction).
 * A seat placed before joining links existed gets its link's hash now, so it can join.
 */
export async function alignSeatModes(trx: Knex.Transaction, config: Config, event: EventRecord): Promise<void> {
  if (event.mode === 'hybrid') return;
  const mode = event.mode === 'online' ? 'online' : 'in_person';
  await trx('attendees').where({ event_id: event.id }).whereNot({ mode }).update({ mode });
  const missing = await trx('attendees').select('id', 'ical_uid', 'email').where({ event_id: event.id }).whereNull('join_token_hash').whereNot('email', '');
  for (const seat of missing) await trx('attendees').where({ id: seat.id }).update({ join_token_hash: joinTokenHash(config, String(seat.ical_uid), String(seat.email)) });
}

/** An online or hybrid event is published only with its meeting's address. Throws a 422 naming `meetingUrl`. */
export async function assertMeetingReady(db: Tx, event: EventRecord): Promise<void> {
  if (!hasOnline(event)) return;
  const meeting = await findMeeting(db, event.id);
  if (!meeting.url) throw new ValidationError([{ path: 'meetingUrl', message: 'Enter the meeting address (Edit event) before publishing an online or hybrid event' }]);
}
