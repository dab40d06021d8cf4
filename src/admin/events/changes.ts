import type { Knex } from 'knex';
import type { Tx } from '../../db/connect';
import { publicHost } from '../../lib/links';
import { bookingEmails } from '../../bookings';
import type { ServiceContext } from '../../context';
import type { EventRecord } from '../../events/types';
import { formatInstant } from '../../lib/time';
import { enqueueEmail } from '../../mail/outbox';
import { listBookingsWithAttendees } from './affected';

type Schedule = Pick<EventRecord, 'startsAt' | 'endsAt' | 'venue' | 'address' | 'mode' | 'timezone'>;

/**
 * What changed that attendees' calendars care about, as sentences for the email. Empty when nothing did,
 * in which case no invitation is re-sent and the sequence stays.
 */
export function describeChanges(before: Schedule, after: Schedule): string[] {
  const zone = after.timezone;
  const changes: string[] = [];
  if (before.startsAt.getTime() !== after.startsAt.getTime()) {
    changes.push(`The start time has changed from ${formatInstant(before.startsAt, before.timezone)} to ${formatInstant(after.startsAt, zone)}.`);
  }
  if (before.endsAt.getTime() !== after.endsAt.getTime()) {
    changes.push(`The end time has changed from ${formatInstant(before.endsAt, before.timezone)} to ${formatInstant(after.endsAt, zone)}.`);
  }
  if (before.venue !== after.venue) changes.push(`The venue has changed from ${before.venue || '(none)'} to ${after.venue || '(none)'}.`);
  if (before.address !== after.address) changes.push(`The address is now ${after.address || '(none)'}.`);
  // The meeting's own address is never written here: attendees' personal joining links follow it without an email.
  if (before.mode !== after.mode) changes.push(MODE_CHANGES[after.mode]);
  return changes;
}

const MODE_CHANGES: Record<EventRecord['mode'], string> = {
  in_person: 'The event now takes place in person only.',
  online: 'The event now takes place online: join with the personal link in this email.',
  hybrid: 'The event can now be attended in person or online.',
};

/** The sentences of `describeChanges` that the email's lead lines ("New time", "New venue") already say. */
const LEAD_CHANGES = ['The start time has changed', 'The end time has changed', 'The venue has changed', 'The address is now'];

/** People queueUpdatedInvitations would email now: active seats of confirmed bookings that have an email address. */
export async function countPeopleToUpdate(db: Tx, eventId: number): Promise<number> {
  const row = await db('attendees')
    .join('bookings', 'bookings.id', 'attendees.booking_id')
    .where('attendees.event_id', eventId)
    .where('attendees.status', 'active')
    .where('bookings.status', 'confirmed')
    .whereNot('attendees.email', '')
    .count({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

/**
 * Queues an updated invitation (REQUEST, same UID, the event's new SEQUENCE) for everyone holding a
 * confirmed place, in the caller's transaction; with `before`, each email leads with what changed ("New time: 6:30pm–8:30pm
 * (was 6:00pm–8:00pm)"). Returns how many people it was queued for.
 */
export async function queueUpdatedInvitations(trx: Knex.Transaction, ctx: ServiceContext, event: EventRecord, changes: string[], before?: Schedule): Promise<number> {
  const now = ctx.clock.now();
  let people = 0;
  for (const { booking, attendees } of await listBookingsWithAttendees(trx, event.id, ['confirmed'])) {
    if (attendees.length === 0) continue;
    // The email leads with "New time: … (was …)" and "New venue: … (was …)" from `previous`; the note keeps the rest.
    const previous = before && { startsAt: before.startsAt.toISOString(), endsAt: before.endsAt.toISOString(), venue: before.venue, address: before.address };
    const note = before ? changes.filter((c) => !LEAD_CHANGES.some((start) => c.startsWith(start))).join(' ') : changes.join(' ');
    const emails = bookingEmails('updated', event, booking, attendees, { note: note || undefined, previous, dedupeSuffix: `seq-${event.sequence}` });
    for (const email of emails) await enqueueEmail(trx, email, now, publicHost(ctx.config));
    people += attendees.filter((a) => a.email !== '').length;
  }
  return people;
}
