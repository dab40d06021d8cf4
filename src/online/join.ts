import type { ServiceContext } from '../context';
import { findBookingById, toAttendee } from '../bookings';
import { findEventById } from '../events/queries';
import type { EventRecord } from '../events/types';
import { hashToken } from '../lib/tokens';
import { toDbTime } from '../lib/time';
import { findMeeting, linkOpensAt } from './meetings';
export { inEventZone } from './meetings';

/** What opening a personal joining link leads to. */
export type JoinOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'not_yet'; event: EventRecord; opensAt: Date }
  | { kind: 'no_link_yet'; event: EventRecord }
  | { kind: 'ended'; event: EventRecord }
  /** An unknown token (404), or a place that is not a confirmed online place now (403): one page for both. */
  | { kind: 'refused'; status: 403 | 404 };

/**
 * Opens a personal joining link (`/join/<token>`). Only its hash is stored, so the token is looked up by its hash. A
 * confirmed online place leads to the meeting's current address from the time the links open until the event ends
 * (the organisers may change the address at any time: the link follows), and the first time it does, the seat's
 * `joined_at` is recorded (what certificates of attendance count for online attendees). Before that the page says when
 * it opens. `isVisit: false` (a HEAD request, as mail programs' link checkers send) answers alike and records nothing.
 */
export async function openJoinLink(ctx: ServiceContext, token: string, options: { isVisit: boolean } = { isVisit: true }): Promise<JoinOutcome> {
  const row = await ctx.db('attendees').select('*').where({ join_token_hash: hashToken(token) }).first();
  if (!row) return { kind: 'refused', status: 404 };
  const seat = toAttendee(row);
  const booking = await findBookingById(ctx.db, seat.bookingId);
  const event = booking && (await findEventById(ctx.db, seat.eventId));
  if (!booking || !event) return { kind: 'refused', status: 404 };
  if (seat.status !== 'active' || booking.status !== 'confirmed' || seat.mode !== 'online' || event.status !== 'published') return { kind: 'refused', status: 403 };
  const now = ctx.clock.now();
  if (now >= event.endsAt) return { kind: 'ended', event };
  const meeting = await findMeeting(ctx.db, event.id);
  const opensAt = linkOpensAt(event, meeting);
  if (now < opensAt) return { kind: 'not_yet', event, opensAt };
  if (!meeting.url) return { kind: 'no_link_yet', event };
  // The first opening only: a conditional update, so two tabs opened at once record one instant.
  if (options.isVisit) await ctx.db('attendees').where({ id: seat.id }).whereNull('joined_at').update({ joined_at: toDbTime(now) });
  return { kind: 'redirect', url: meeting.url };
}
