import type { ServiceContext } from '../context';
import { NotFoundError } from '../lib/errors';
import { remainingForMode, remainingForTicketType, remainingSeats } from './availability';
import { countSeatsTaken, findEventBySlug, listEvents, listPublicMaterials, listTicketTypes, type EventFilter, type PublicMaterial } from './queries';
import type { AttendanceMode, EventKind, EventRecord, Region, TicketTypeRecord } from './types';

export interface EventWithAvailability {
  event: EventRecord;
  ticketTypes: Array<TicketTypeRecord & { remaining: number }>;
  remaining: number;
  /** Places left for each way of taking part (a hybrid event has a capacity for each). */
  remainingByMode: Record<AttendanceMode, number>;
  /** Slides and recordings the organisers made public. */
  materials: PublicMaterial[];
  /** The event has a hidden ticket type (a speaker ticket) that only a discount code books; it is not in `ticketTypes`. */
  hasHiddenTicketTypes?: boolean;
}

/** Three queries whatever the number of events: events, their ticket types, and seats taken grouped. */
async function withAvailability(ctx: ServiceContext, events: EventRecord[]): Promise<EventWithAvailability[]> {
  const ids = events.map((e) => e.id);
  const now = ctx.clock.now();
  const [types, counts, materials] = await Promise.all([listTicketTypes(ctx.db, ids), countSeatsTaken(ctx.db, ids, now), listPublicMaterials(ctx.db, ids)]);
  return events.map((event) => {
    const seatCounts = counts.get(event.id);
    const remaining = remainingSeats(event, seatCounts);
    return {
      event,
      remaining,
      materials: materials.get(event.id) ?? [],
      remainingByMode: { in_person: remainingForMode(event, seatCounts, 'in_person'), online: remainingForMode(event, seatCounts, 'online') },
      hasHiddenTicketTypes: (types.get(event.id) ?? []).some((t) => t.isHidden),
      // A hidden ticket type is never shown publicly: only its discount code reveals it (bookings/discounts.ts).
      ticketTypes: (types.get(event.id) ?? []).filter((t) => !t.isHidden).map((t) => ({ ...t, remaining: remainingForTicketType(t, remaining, seatCounts) })),
    };
  });
}

export interface UpcomingQuery {
  kind?: EventKind;
  region?: Region;
  from?: Date;
  to?: Date;
}

/** Published events that have not ended (cancelled ones too, so people who planned to come see it). */
export async function listUpcomingEvents(ctx: ServiceContext, query: UpcomingQuery, includeCancelled = true): Promise<EventWithAvailability[]> {
  const filter: EventFilter = {
    statuses: includeCancelled ? ['published', 'cancelled'] : ['published'],
    kind: query.kind,
    region: query.region,
    from: query.from ?? ctx.clock.now(),
    to: query.to,
    order: 'asc',
  };
  return withAvailability(ctx, await listEvents(ctx.db, filter));
}

export async function listPastEvents(ctx: ServiceContext, query: Pick<UpcomingQuery, 'kind' | 'region'> & { mode?: 'online' | 'in_person' }): Promise<EventWithAvailability[]> {
  const events = await listEvents(ctx.db, { statuses: ['published'], ...query, endedBefore: ctx.clock.now(), order: 'desc', limit: 100 });
  return withAvailability(ctx, events);
}

/** A published or cancelled event; drafts are invisible to the public. */
/** Any event as its public page would show it, drafts included: for the staff preview only, never a public route. */
export async function getEventForPreview(ctx: ServiceContext, slug: string): Promise<EventWithAvailability> {
  const event = await findEventBySlug(ctx.db, slug);
  if (!event) throw new NotFoundError('event_not_found', 'No event with that address.');
  const [found] = await withAvailability(ctx, [event]);
  return found;
}

export async function getPublicEvent(ctx: ServiceContext, slug: string): Promise<EventWithAvailability> {
  const event = await findEventBySlug(ctx.db, slug);
  if (!event || event.status === 'draft') throw new NotFoundError('event_not_found', 'No event with that address.');
  const [found] = await withAvailability(ctx, [event]);
  return found;
}
