import { DateTime } from 'luxon';
import type { AttendanceMode, EventRecord, SeatCounts, TicketTypeRecord } from './types';

export type BookingState = 'open' | 'not_yet_open' | 'closed' | 'started' | 'cancelled' | 'unpublished';

export function bookingState(event: EventRecord, now: Date): BookingState {
  if (event.status === 'cancelled') return 'cancelled';
  if (event.status !== 'published') return 'unpublished';
  if (now >= event.startsAt) return 'started';
  if (event.bookingOpensAt && now < event.bookingOpensAt) return 'not_yet_open';
  if (event.bookingClosesAt && now >= event.bookingClosesAt) return 'closed';
  return 'open';
}

/** The event's places in all: a hybrid event's two capacities together. */
export function totalCapacity(event: Pick<EventRecord, 'mode' | 'capacity' | 'onlineCapacity'>): number {
  return event.mode === 'hybrid' ? event.capacity + (event.onlineCapacity ?? 0) : event.capacity;
}

export function remainingSeats(event: EventRecord, counts: SeatCounts | undefined): number {
  if (event.mode === 'hybrid') return remainingForMode(event, counts, 'in_person') + remainingForMode(event, counts, 'online');
  return Math.max(0, event.capacity - (counts?.taken ?? 0));
}

/** The ways a seat can take part at this event: one, or both for a hybrid event. */
export function attendanceModes(event: Pick<EventRecord, 'mode'>): AttendanceMode[] {
  return event.mode === 'hybrid' ? ['in_person', 'online'] : [event.mode === 'online' ? 'online' : 'in_person'];
}

/** Places for one way of taking part: a hybrid event's own capacity for that mode; the event's places otherwise (0 for a mode it does not have). */
export function modeCapacity(event: Pick<EventRecord, 'mode' | 'capacity' | 'onlineCapacity'>, mode: AttendanceMode): number {
  if (event.mode === 'hybrid') return mode === 'online' ? (event.onlineCapacity ?? 0) : event.capacity;
  return attendanceModes(event)[0] === mode ? event.capacity : 0;
}

/** Places left for one way of taking part. */
export function remainingForMode(event: EventRecord, counts: SeatCounts | undefined, mode: AttendanceMode): number {
  if (event.mode !== 'hybrid') return attendanceModes(event)[0] === mode ? remainingSeats(event, counts) : 0;
  return Math.max(0, modeCapacity(event, mode) - (counts?.byMode[mode] ?? 0));
}

/** Seats asked for, by way of taking part. */
export type ModeSeats = Partial<Record<AttendanceMode, number>>;

/** Places left for one ticket type: the event's places, further limited by the type's quota. */
export function remainingForTicketType(type: TicketTypeRecord, eventRemaining: number, counts: SeatCounts | undefined): number {
  if (type.quota === null) return eventRemaining;
  const quotaLeft = Math.max(0, type.quota - (counts?.byTicketType.get(type.id) ?? 0));
  return Math.min(eventRemaining, quotaLeft);
}

export function isOnSale(type: TicketTypeRecord, now: Date): boolean {
  if (!type.isActive) return false;
  if (type.salesStartsAt && now < type.salesStartsAt) return false;
  if (type.salesEndsAt && now >= type.salesEndsAt) return false;
  return true;
}

export function isFreeEvent(types: TicketTypeRecord[]): boolean {
  return types.every((t) => t.price === 0);
}

/**
 * Whether a request for these seats fits: the event's places (a hybrid event's places for each mode asked for) and
 * each ticket type's quota. `wanted` maps ticket type id to seats asked for; `modes` says how they take part (needed
 * for a hybrid event only: every seat of another event takes part its one way).
 */
export function seatsFit(
  event: EventRecord,
  types: TicketTypeRecord[],
  counts: SeatCounts | undefined,
  wanted: Map<number, number>,
  modes: ModeSeats = {},
): boolean {
  const total = [...wanted.values()].reduce((a, b) => a + b, 0);
  const eventLeft = remainingSeats(event, counts);
  if (total > eventLeft) return false;
  if (event.mode === 'hybrid') {
    const asked = (modes.in_person ?? 0) + (modes.online ?? 0);
    // A hybrid request that does not say how its seats take part cannot be placed against either capacity.
    if (asked !== total) return false;
    for (const mode of ['in_person', 'online'] as const) if ((modes[mode] ?? 0) > remainingForMode(event, counts, mode)) return false;
  }
  for (const [typeId, seats] of wanted) {
    const type = types.find((t) => t.id === typeId);
    if (!type || seats > remainingForTicketType(type, eventLeft, counts)) return false;
  }
  return true;
}

export type DoorState = 'before' | 'open' | 'after';

/**
 * Whether the door is open for check-in and walk-ins: from the start of the event's first day to the end of its last
 * day, both calendar days in the event's own time zone (a 6 pm meeting can be checked in from 00:00 that day; a
 * latecomer is still let in after it ends).
 */
export function doorState(event: Pick<EventRecord, 'startsAt' | 'endsAt' | 'timezone'>, now: Date): DoorState {
  const today = DateTime.fromJSDate(now, { zone: event.timezone }).toISODate() as string;
  const first = DateTime.fromJSDate(event.startsAt, { zone: event.timezone }).toISODate() as string;
  const last = DateTime.fromJSDate(event.endsAt, { zone: event.timezone }).toISODate() as string;
  return today < first ? 'before' : today > last ? 'after' : 'open';
}
