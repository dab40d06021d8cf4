import type { Tx } from '../../db/connect';
import { whereBookedOrWaiting } from '../../bookings';
import { toTicketType } from '../../events/queries';
import type { EventRecord, EventStatus, TicketTypeRecord } from '../../events/types';
import { toDbTime } from '../../lib/time';
import type { EventInput, TicketInput } from './schemas';

type Row = Record<string, unknown>;
const timeOrNull = (d: Date | null) => (d ? toDbTime(d) : null);

function eventColumns(input: EventInput & { slug: string }): Row {
  return {
    slug: input.slug,
    kind: input.kind,
    title: input.title,
    summary: input.summary,
    description: input.description,
    venue: input.venue,
    address: input.address,
    region: input.region,
    mode: input.mode,
    online_capacity: input.mode === 'hybrid' ? input.onlineCapacity : null,
    starts_at: toDbTime(input.startsAt),
    ends_at: toDbTime(input.endsAt),
    timezone: input.timezone,
    capacity: input.capacity,
    booking_opens_at: timeOrNull(input.bookingOpensAt),
    booking_closes_at: timeOrNull(input.bookingClosesAt),
    allows_invoice: input.allowsInvoice,
    refund_deadline_at: timeOrNull(input.refundDeadlineAt),
    seat_changes_until: timeOrNull(input.seatChangesUntil),
    refund_fee: input.refundFee,
    contact_email: input.contactEmail,
    is_agm: input.isAgm,
    access_step_free: input.accessStepFree,
    access_hearing_loop: input.accessHearingLoop,
    access_captions: input.accessCaptions,
    access_bsl: input.accessBsl,
    access_quiet_room: input.accessQuietRoom,
    access_transport: input.accessTransport || null,
    access_notes: input.accessNotes || null,
  };
}

export async function insertEvent(db: Tx, input: EventInput & { slug: string }, now: Date): Promise<number> {
  const [row] = await db('events')
    .insert({ ...eventColumns(input), status: 'draft', sequence: 0, currency: 'GBP', created_at: toDbTime(now), updated_at: toDbTime(now) })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

export async function updateEventRow(db: Tx, id: number, input: EventInput & { slug: string }, sequence: number, now: Date): Promise<void> {
  await db('events').where({ id }).update({ ...eventColumns(input), sequence, updated_at: toDbTime(now) });
}

/** A status change from one of the given states; false when the event was not in one of them. */
export async function changeEventStatus(db: Tx, id: number, from: EventStatus[], to: EventStatus, now: Date, extra: Row = {}): Promise<boolean> {
  const count = await db('events').where({ id }).whereIn('status', from).update({ status: to, updated_at: toDbTime(now), ...extra });
  return count === 1;
}

export async function isSlugTaken(db: Tx, slug: string, exceptId?: number): Promise<boolean> {
  const query = db('events').select('id').where({ slug });
  if (exceptId) query.whereNot('id', exceptId);
  return (await query.first()) !== undefined;
}

/** Every ticket type of an event, withdrawn ones too (the public list shows only those on sale). */
export async function listAllTicketTypes(db: Tx, eventId: number): Promise<TicketTypeRecord[]> {
  const rows = await db('ticket_types').select('*').where({ event_id: eventId }).orderBy(['position', 'id']);
  return rows.map(toTicketType);
}

function ticketColumns(input: TicketInput): Row {
  return {
    name: input.name,
    description: input.description,
    price: input.price,
    members_only: input.membersOnly,
    quota: input.quota,
    sales_starts_at: timeOrNull(input.salesStartsAt),
    sales_ends_at: timeOrNull(input.salesEndsAt),
    is_active: input.isActive,
    is_hidden: input.isHidden ?? false,
  };
}

export async function insertTicketType(db: Tx, event: Pick<EventRecord, 'id' | 'currency'>, input: TicketInput): Promise<number> {
  const last = await db('ticket_types').where({ event_id: event.id }).max({ p: 'position' }).first();
  const [row] = await db('ticket_types')
    .insert({ ...ticketColumns(input), event_id: event.id, currency: event.currency, position: Number(last?.p ?? -1) + 1 })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

export async function updateTicketTypeRow(db: Tx, id: number, input: TicketInput): Promise<void> {
  await db('ticket_types').where({ id }).update(ticketColumns(input));
}

/** Seats of each ticket type held by anyone (confirmed or on hold), for quota checks and the price lock. */
export async function countAttendeesByTicketType(db: Tx, ticketTypeId: number): Promise<number> {
  const row = await db('attendees').where({ ticket_type_id: ticketTypeId }).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export interface StaffEventRow {
  event: EventRecord;
  confirmed: number;
  waitlisted: number;
  checkedIn: number;
}

/** Per-event counts for the staff list, in one grouped query. */
export async function countPeopleByEvent(db: Tx, eventIds: number[]): Promise<Map<number, { confirmed: number; waitlisted: number; checkedIn: number }>> {
  const counts = new Map(eventIds.map((id) => [id, { confirmed: 0, waitlisted: 0, checkedIn: 0 }]));
  if (eventIds.length === 0) return counts;
  const rows = await db('attendees')
    .join('bookings', 'bookings.id', 'attendees.booking_id')
    .whereIn('attendees.event_id', eventIds)
    .where('attendees.status', 'active')
    .whereIn('bookings.status', ['confirmed', 'waitlisted'])
    .select('attendees.event_id', 'bookings.status')
    .count({ n: '*' })
    .count({ checked: 'attendees.checked_in_at' })
    .groupBy('attendees.event_id', 'bookings.status');
  for (const r of rows as Row[]) {
    const entry = counts.get(Number(r.event_id));
    if (!entry) continue;
    if (r.status === 'confirmed') {
      entry.confirmed = Number(r.n);
      entry.checkedIn = Number(r.checked);
    } else entry.waitlisted = Number(r.n);
  }
  return counts;
}

/** Bookings that keep an event from going back to draft: confirmed, waiting, or holding seats right now. */
export async function countBookingsHeld(db: Tx, eventId: number, now: Date): Promise<number> {
  const row = await db('bookings').where({ event_id: eventId }).where((q) => whereBookedOrWaiting(q, now)).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/**
 * Copies an event's ticket types to another event: names, descriptions, prices, member rules, quotas and whether each
 * is on sale, in the same order. Sales windows (early-bird dates) are not copied: they belong to the old dates.
 */
export async function copyTicketTypes(db: Tx, fromEventId: number, to: Pick<EventRecord, 'id' | 'currency'>): Promise<number> {
  const types = await listAllTicketTypes(db, fromEventId);
  for (const t of types) {
    await insertTicketType(db, to, { name: t.name, description: t.description, price: t.price, membersOnly: t.membersOnly, quota: t.quota, salesStartsAt: null, salesEndsAt: null, isActive: t.isActive, isHidden: t.isHidden ?? false });
  }
  return types.length;
}
