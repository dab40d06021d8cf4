import type { Knex } from 'knex';
import { whereSeatsHeld } from '../bookings/holds';
import type { Tx } from '../db/connect';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../lib/time';
import type { AttendanceMode, EventKind, EventMode, EventRecord, EventStatus, Region, SeatCounts, TicketTypeRecord } from './types';

const EVENT_COLUMNS = [
  'id', 'slug', 'kind', 'title', 'summary', 'description', 'venue', 'address', 'region', 'mode', 'starts_at',
  'ends_at', 'timezone', 'capacity', 'online_capacity', 'status', 'booking_opens_at', 'booking_closes_at', 'sequence', 'currency',
  'allows_invoice', 'refund_deadline_at', 'refund_fee', 'contact_email', 'is_agm', 'cancelled_at', 'seat_changes_until',
  'access_step_free', 'access_hearing_loop', 'access_captions', 'access_bsl', 'access_quiet_room', 'access_transport', 'access_notes',
  'reminder_early_hours', 'reminder_late_hours', 'thank_you_on', 'missed_you_on', 'follow_up_hours', 'updated_at',
].map((c) => `events.${c}`);

const TICKET_TYPE_COLUMNS = [
  'id', 'event_id', 'name', 'description', 'price', 'currency', 'members_only', 'quota', 'sales_starts_at',
  'sales_ends_at', 'position', 'is_active', 'is_hidden',
];

type Row = Record<string, unknown>;

export function toEvent(row: Row): EventRecord {
  return {
    id: Number(row.id),
    slug: String(row.slug),
    kind: row.kind as EventKind,
    title: String(row.title),
    summary: String(row.summary ?? ''),
    description: String(row.description ?? ''),
    venue: String(row.venue ?? ''),
    address: String(row.address ?? ''),
    region: row.region as Region,
    mode: (row.mode as EventMode | undefined) ?? 'in_person',
    startsAt: fromDbTime(row.starts_at),
    endsAt: fromDbTime(row.ends_at),
    timezone: String(row.timezone),
    capacity: Number(row.capacity),
    onlineCapacity: row.online_capacity === null || row.online_capacity === undefined ? null : Number(row.online_capacity),
    status: row.status as EventStatus,
    bookingOpensAt: fromDbTimeOrNull(row.booking_opens_at),
    bookingClosesAt: fromDbTimeOrNull(row.booking_closes_at),
    sequence: Number(row.sequence),
    currency: String(row.currency),
    allowsInvoice: Boolean(row.allows_invoice),
    refundDeadlineAt: fromDbTimeOrNull(row.refund_deadline_at),
    seatChangesUntil: fromDbTimeOrNull(row.seat_changes_until),
    refundFee: Number(row.refund_fee ?? 0),
    contactEmail: (row.contact_email as string | null) ?? null,
    isAgm: Boolean(row.is_agm),
    cancelledAt: fromDbTimeOrNull(row.cancelled_at),
    access: {
      stepFree: Boolean(row.access_step_free),
      hearingLoop: Boolean(row.access_hearing_loop),
      captions: Boolean(row.access_captions),
      bslOnRequest: Boolean(row.access_bsl),
      quietRoom: Boolean(row.access_quiet_room),
      transport: String(row.access_transport ?? ''),
      notes: String(row.access_notes ?? ''),
    },
    followUps: {
      reminderEarlyHours: row.reminder_early_hours === null || row.reminder_early_hours === undefined ? null : Number(row.reminder_early_hours),
      reminderLateHours: row.reminder_late_hours === null || row.reminder_late_hours === undefined ? null : Number(row.reminder_late_hours),
      thankYou: row.thank_you_on === undefined ? true : Boolean(row.thank_you_on),
      missedYou: row.missed_you_on === undefined ? true : Boolean(row.missed_you_on),
      followUpHours: Number(row.follow_up_hours ?? 2),
    },
    updatedAt: fromDbTime(row.updated_at),
  };
}

export function toTicketType(row: Row): TicketTypeRecord {
  return {
    id: Number(row.id),
    eventId: Number(row.event_id),
    name: String(row.name),
    description: String(row.description ?? ''),
    price: Number(row.price),
    currency: String(row.currency),
    membersOnly: Boolean(row.members_only),
    quota: row.quota === null || row.quota === undefined ? null : Number(row.quota),
    salesStartsAt: fromDbTimeOrNull(row.sales_starts_at),
    salesEndsAt: fromDbTimeOrNull(row.sales_ends_at),
    position: Number(row.position),
    isActive: Boolean(row.is_active),
    isHidden: Boolean(row.is_hidden),
  };
}

export interface EventFilter {
  statuses: EventStatus[];
  kind?: EventKind;
  region?: Region;
  /** Events one can take part in this way (hybrid ones too). */
  mode?: 'online' | 'in_person';
  from?: Date;
  to?: Date;
  /** Upcoming lists end-sorted ascending; past lists descending. */
  order: 'asc' | 'desc';
  /** Events whose end is before this instant (past events). */
  endedBefore?: Date;
  limit?: number;
}

export async function listEvents(db: Tx, filter: EventFilter): Promise<EventRecord[]> {
  const query = db('events').select(EVENT_COLUMNS).whereIn('status', filter.statuses);
  if (filter.kind) query.where('kind', filter.kind);
  if (filter.region) query.where('region', filter.region);
  if (filter.mode) query.whereIn('mode', [filter.mode, 'hybrid']);
  if (filter.from) query.where('ends_at', '>=', toDbTime(filter.from));
  if (filter.to) query.where('starts_at', '<', toDbTime(filter.to));
  if (filter.endedBefore) query.where('ends_at', '<', toDbTime(filter.endedBefore));
  query.orderBy([{ column: 'starts_at', order: filter.order }, { column: 'id', order: filter.order }]);
  if (filter.limit) query.limit(filter.limit);
  return (await query).map(toEvent);
}

export async function findEventBySlug(db: Tx, slug: string): Promise<EventRecord | undefined> {
  const row = await db('events').select(EVENT_COLUMNS).where({ slug }).first();
  return row ? toEvent(row) : undefined;
}

export async function findEventById(db: Tx, id: number): Promise<EventRecord | undefined> {
  const row = await db('events').select(EVENT_COLUMNS).where({ id }).first();
  return row ? toEvent(row) : undefined;
}

export async function listTicketTypes(db: Tx, eventIds: number[]): Promise<Map<number, TicketTypeRecord[]>> {
  const byEvent = new Map<number, TicketTypeRecord[]>(eventIds.map((id) => [id, []]));
  if (eventIds.length === 0) return byEvent;
  const rows = await db('ticket_types')
    .select(TICKET_TYPE_COLUMNS)
    .whereIn('event_id', eventIds)
    .where('is_active', true)
    .orderBy(['event_id', 'position', 'id']);
  for (const row of rows) byEvent.get(Number(row.event_id))?.push(toTicketType(row));
  return byEvent;
}

/** Seats that count against capacity: active attendees of confirmed bookings and of holds that have not lapsed. */
export function seatsTakenQuery(db: Tx, now: Date): Knex.QueryBuilder {
  return db('attendees')
    .join('bookings', 'bookings.id', 'attendees.booking_id')
    .where('attendees.status', 'active')
    .where((q) => whereSeatsHeld(q, now));
}

export function emptySeatCounts(): SeatCounts {
  return { taken: 0, byTicketType: new Map(), byMode: { in_person: 0, online: 0 } satisfies Record<AttendanceMode, number> };
}

export async function countSeatsTaken(db: Tx, eventIds: number[], now: Date): Promise<Map<number, SeatCounts>> {
  const counts = new Map<number, SeatCounts>(eventIds.map((id) => [id, emptySeatCounts()]));
  if (eventIds.length === 0) return counts;
  const rows = await seatsTakenQuery(db, now)
    .whereIn('attendees.event_id', eventIds)
    .select('attendees.event_id', 'attendees.ticket_type_id', 'attendees.mode')
    .count({ seats: '*' })
    .groupBy('attendees.event_id', 'attendees.ticket_type_id', 'attendees.mode');
  for (const row of rows as Row[]) {
    const entry = counts.get(Number(row.event_id));
    if (!entry) continue;
    const seats = Number(row.seats);
    entry.taken += seats;
    const typeId = Number(row.ticket_type_id);
    entry.byTicketType.set(typeId, (entry.byTicketType.get(typeId) ?? 0) + seats);
    entry.byMode[row.mode === 'online' ? 'online' : 'in_person'] += seats;
  }
  return counts;
}

/**
 * A stamp that changes whenever anything the public catalogue shows changes: the database bumps a counter on the
 * event for every such write (migrations/202611292100_catalogue_version.ts), and counters only go up, so their sum
 * (with the number of events, for an event added or removed) moves with every committed change.
 */
export async function readCatalogueVersion(db: Tx): Promise<string> {
  const row = (await db('events').count({ n: '*' }).sum({ v: 'catalogue_version' }).first()) as Row | undefined;
  return `${Number(row?.n ?? 0)}:${Number(row?.v ?? 0)}`;
}

/** When the first hold live at `now` lapses (one whose payment is in flight does not): places left go up then without any write. */
export async function nextHoldExpiry(db: Tx, now: Date): Promise<Date | null> {
  const row = (await db('bookings')
    .where('status', 'pending_payment')
    .whereNull('payment_processing_since')
    .where('hold_expires_at', '>', toDbTime(now))
    .min({ at: 'hold_expires_at' })
    .first()) as Row | undefined;
  return fromDbTimeOrNull(row?.at);
}

/** A slide deck or recording the organisers made public (online/materials.ts owns them; the catalogue only lists them). */
export interface PublicMaterial {
  id: number;
  kind: 'slides' | 'recording';
  title: string;
  isFile: boolean;
  fileName: string | null;
  size: number | null;
}

/** The public materials of these events, in the order they were added; one query. */
export async function listPublicMaterials(db: Tx, eventIds: number[]): Promise<Map<number, PublicMaterial[]>> {
  const byEvent = new Map<number, PublicMaterial[]>(eventIds.map((id) => [id, []]));
  if (eventIds.length === 0) return byEvent;
  const rows = await db('event_materials').select('id', 'event_id', 'kind', 'title', 'url', 'file_name', 'size').whereIn('event_id', eventIds).where('visibility', 'public').orderBy('id');
  for (const row of rows as Row[]) {
    byEvent.get(Number(row.event_id))?.push({ id: Number(row.id), kind: row.kind as PublicMaterial['kind'], title: String(row.title), isFile: row.url === null, fileName: (row.file_name as string | null) ?? null, size: row.size === null ? null : Number(row.size) });
  }
  return byEvent;
}
