import type { ServiceContext } from '../../context';
import { countSeatsTaken, findEventBySlug, listEvents } from '../../events/queries';
import type { EventRecord, TicketTypeRecord } from '../../events/types';
import { NotFoundError } from '../../lib/errors';
import { listStaffMessages, type StaffMessageRecord } from '../messages/queries';
import { countBookingsHeld, countPeopleByEvent, listAllTicketTypes } from './queries';

export interface StaffEventSummary {
  event: EventRecord;
  confirmed: number;
  waitlisted: number;
  checkedIn: number;
}

export async function listEventsForStaff(ctx: ServiceContext): Promise<{ upcoming: StaffEventSummary[]; past: StaffEventSummary[] }> {
  const now = ctx.clock.now();
  const statuses: EventRecord['status'][] = ['draft', 'published', 'cancelled'];
  const upcoming = await listEvents(ctx.db, { statuses, from: now, order: 'asc' });
  const past = await listEvents(ctx.db, { statuses, endedBefore: now, order: 'desc', limit: 50 });
  const counts = await countPeopleByEvent(ctx.db, [...upcoming, ...past].map((e) => e.id));
  const summarise = (event: EventRecord) => ({ event, ...(counts.get(event.id) ?? { confirmed: 0, waitlisted: 0, checkedIn: 0 }) });
  return { upcoming: upcoming.map(summarise), past: past.map(summarise) };
}

export interface StaffEventDetail extends StaffEventSummary {
  ticketTypes: Array<TicketTypeRecord & { taken: number }>;
  taken: number;
  messages: StaffMessageRecord[];
  /** Bookings confirmed, waiting or holding seats: while there are any, the event cannot go back to draft. */
  bookingsHeld: number;
}

export async function findStaffEvent(ctx: ServiceContext, slug: string): Promise<EventRecord> {
  const event = await findEventBySlug(ctx.db, slug);
  if (!event) throw new NotFoundError('event_not_found', 'No event with that address.');
  return event;
}

export async function getStaffEvent(ctx: ServiceContext, slug: string): Promise<StaffEventDetail> {
  const event = await findStaffEvent(ctx, slug);
  const [types, seats, people, messages, bookingsHeld] = await Promise.all([
    listAllTicketTypes(ctx.db, event.id),
    countSeatsTaken(ctx.db, [event.id], ctx.clock.now()),
    countPeopleByEvent(ctx.db, [event.id]),
    listStaffMessages(ctx.db, event.id),
    countBookingsHeld(ctx.db, event.id, ctx.clock.now()),
  ]);
  const counts = seats.get(event.id);
  return {
    event,
    ...(people.get(event.id) ?? { confirmed: 0, waitlisted: 0, checkedIn: 0 }),
    taken: counts?.taken ?? 0,
    ticketTypes: types.map((t) => ({ ...t, taken: counts?.byTicketType.get(t.id) ?? 0 })),
    messages,
    bookingsHeld,
  };
}
