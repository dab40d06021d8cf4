import type { AnswerRecord } from '../../bookings';
import type { Knex } from 'knex';
import type { Tx } from '../../db/connect';
import { type BookingStatus, type PaymentMethod } from '../../bookings';
import { RECEIVED_STATUSES } from '../../finance/categories';
import { fromDbTime, fromDbTimeOrNull } from '../../lib/time';

export const LIST_STATUSES = ['confirmed', 'waitlisted', 'pending_payment', 'cancelled', 'expired'] as const;
export type ListStatus = (typeof LIST_STATUSES)[number];

export interface AttendeeFilter {
  q?: string;
  status?: ListStatus;
  ticketTypeId?: number;
}

/** One seat as staff see it: the attendee with their booking and ticket type. */
export interface AttendeeListRow {
  id: number;
  bookingId: number;
  reference: string;
  bookingStatus: BookingStatus;
  isCancelledSeat: boolean;
  name: string;
  email: string;
  organisation: string | null;
  dietary: string | null;
  accessibility: string | null;
  ticketTypeId: number;
  ticketTypeName: string;
  unitPrice: number;
  currency: string;
  paymentMethod: PaymentMethod;
  bookingTotal: number;
  bookedAt: Date;
  checkedInAt: Date | null;
  /** Minor units received for this seat, net of refunds (`amountPaidForSeat`). */
  amountPaid: number;
  /** Registered at the door by staff. */
  isWalkIn: boolean;
  /** How the seat takes part: in person, or online. */
  mode: 'in_person' | 'online';
  /** When an online attendee first opened their joining link. */
  joinedAt: Date | null;
  /** Minor units: the price before a discount code, and what the code took off (0 without one). */
  listPrice: number;
  discountAmount: number;
  /** The booking's discount code, or null. */
  discountCode: string | null;
  /** Answers to the event's questions, one per column (`answers.ts` withAnswers); absent until filled in. */
  answers?: string[];
  answerRecords?: AnswerRecord[];
}

const COLUMNS = [
  'attendees.id', 'attendees.booking_id', 'bookings.reference', 'bookings.status as booking_status', 'attendees.status as attendee_status',
  'attendees.name', 'attendees.email', 'attendees.organisation', 'attendees.dietary', 'attendees.accessibility', 'attendees.ticket_type_id',
  'ticket_types.name as ticket_type_name', 'attendees.unit_price', 'attendees.currency', 'bookings.payment_method', 'bookings.total',
  'bookings.created_at as booked_at', 'attendees.checked_in_at', 'bookings.is_walk_in', 'attendees.mode', 'attendees.joined_at',
  'attendees.list_price', 'attendees.discount_amount', 'bookings.discount_code',
];

// Money received for the booking, net of refunds: card and invoice payments alike (finance/categories RECEIVED_STATUSES).
const RECEIVED_SQL = `coalesce((select sum(p.amount - p.amount_refunded) from payments p where p.booking_id = bookings.id and p.status in (${RECEIVED_STATUSES.map(() => '?').join(', ')})), 0)`;
// The prices of the booking's seats that come before this one: its active seats first, then cancelled ones, by id.
const RANK = (table: string) => `case when ${table}.status = 'active' then 0 else 1 end`;
const EARLIER_SQL = `coalesce((select sum(a2.unit_price) from attendees a2 where a2.booking_id = attendees.booking_id and (${RANK('a2')} < ${RANK('attendees')} or (${RANK('a2')} = ${RANK('attendees')} and a2.id < attendees.id))), 0)`;

// Only a booking paid in part needs the seats before this one; nothing paid or all paid (the usual cases) answers
// without them, so a download's cost does not grow with the square of a large booking.
const PARTLY_PAID_EARLIER_SQL = `case when ${RECEIVED_SQL} > 0 and ${RECEIVED_SQL} < bookings.total then ${EARLIER_SQL} else 0 end`;

function columns(db: Tx): Array<string | Knex.Raw> {
  return [...COLUMNS, db.raw(`${RECEIVED_SQL} as received`, RECEIVED_STATUSES), db.raw(`${PARTLY_PAID_EARLIER_SQL} as earlier`, [...RECEIVED_STATUSES, ...RECEIVED_STATUSES])];
}

/**
 * What a seat has been paid: the booking's money received (net of refunds) goes to its seats in order, active seats
 * first, each up to its price. So a paid seat shows its price, an unpaid invoice or an expired hold 0, and a seat
 * cancelled with a fee kept shows the fee, once its partial refund is recorded.
 */
export function amountPaidForSeat(received: number, earlierPrices: number, unitPrice: number): number {
  return Math.max(0, Math.min(unitPrice, received - earlierPrices));
}

function toRow(r: Record<string, unknown>): AttendeeListRow {
  return {
    id: Number(r.id),
    bookingId: Number(r.booking_id),
    reference: String(r.reference),
    bookingStatus: r.booking_status as BookingStatus,
    isCancelledSeat: r.attendee_status === 'cancelled',
    name: String(r.name),
    email: String(r.email),
    organisation: (r.organisation as string | null) ?? null,
    dietary: (r.dietary as string | null) ?? null,
    accessibility: (r.accessibility as string | null) ?? null,
    ticketTypeId: Number(r.ticket_type_id),
    ticketTypeName: String(r.ticket_type_name),
    unitPrice: Number(r.unit_price),
    currency: String(r.currency),
    paymentMethod: r.payment_method as PaymentMethod,
    bookingTotal: Number(r.total),
    bookedAt: fromDbTime(r.booked_at),
    checkedInAt: fromDbTimeOrNull(r.checked_in_at),
    amountPaid: amountPaidForSeat(Number(r.received ?? 0), Number(r.earlier ?? 0), Number(r.unit_price)),
    isWalkIn: Boolean(r.is_walk_in),
    mode: r.mode === 'online' ? 'online' : 'in_person',
    joinedAt: fromDbTimeOrNull(r.joined_at),
    listPrice: r.list_price === null || r.list_price === undefined ? Number(r.unit_price) : Number(r.list_price),
    discountAmount: Number(r.discount_amount ?? 0),
    discountCode: r.discount_code === null || r.discount_code === undefined ? null : String(r.discount_code),
  };
}

/** A LIKE pattern that matches the text literally anywhere (its % and _ are not wildcards). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The event's seats matching the filter. `byEvent: false` keeps the event condition but stops it choosing the index
 * (the unary plus makes it an expression, in SQLite and PostgreSQL alike), for a query whose other condition, a
 * range of ids, is far narrower: otherwise SQLite's planner reads every seat of the event to find 250 of them.
 */
function filtered(db: Tx, eventId: number, filter: AttendeeFilter, { byEvent = true } = {}): Knex.QueryBuilder {
  const query = db('attendees')
    .join('bookings', 'bookings.id', 'attendees.booking_id')
    .join('ticket_types', 'ticket_types.id', 'attendees.ticket_type_id');
  if (byEvent) query.where('attendees.event_id', eventId);
  else query.whereRaw('+attendees.event_id = ?', [eventId]);
  if (filter.status === 'cancelled') query.where((q) => q.where('bookings.status', 'cancelled').orWhere('attendees.status', 'cancelled'));
  else if (filter.status) query.where('bookings.status', filter.status).where('attendees.status', 'active');
  if (filter.ticketTypeId) query.where('attendees.ticket_type_id', filter.ticketTypeId);
  if (filter.q) {
    const pattern = containsPattern(filter.q);
    query.where((q) =>
      q
        .whereRaw("lower(attendees.name) like lower(?) escape '\\'", [pattern])
        .orWhereRaw("attendees.email_normalised like lower(?) escape '\\'", [pattern])
        .orWhereRaw("lower(coalesce(attendees.organisation, '')) like lower(?) escape '\\'", [pattern])
        .orWhereRaw("lower(bookings.reference) like lower(?) escape '\\'", [pattern]),
    );
  }
  return query;
}

/** The seat's own state: cancelled when the seat or its booking is, otherwise its booking's status. */
const SEAT_STATUS_SQL = "case when attendees.status = 'cancelled' then 'cancelled' else bookings.status end";

/** Seats matching the filter, whatever their status, counted by seat status (for "7 rows (6 confirmed, 1 cancelled)"). */
export async function countBySeatStatus(db: Tx, eventId: number, filter: Omit<AttendeeFilter, 'status'>): Promise<Map<ListStatus, number>> {
  const rows = await filtered(db, eventId, { ...filter, status: undefined })
    .select(db.raw(`${SEAT_STATUS_SQL} as seat_status`))
    .count({ n: '*' })
    .groupByRaw(SEAT_STATUS_SQL);
  return new Map(rows.map((r: Record<string, unknown>) => [r.seat_status as ListStatus, Number(r.n)]));
}

export async function countAttendees(db: Tx, eventId: number, filter: AttendeeFilter): Promise<number> {
  const row = await filtered(db, eventId, filter).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** One page of the staff list, by name. */
export async function listAttendeePage(db: Tx, eventId: number, filter: AttendeeFilter, limit: number, offset: number): Promise<AttendeeListRow[]> {
  const rows = await filtered(db, eventId, filter).select(columns(db)).orderByRaw('lower(attendees.name), attendees.id').limit(limit).offset(offset);
  return rows.map(toRow);
}

/**
 * Every matching seat in booking order, a batch at a time, so a download of 10,000 people never holds them
 * all in memory. The matching ids come first, in one light query (ids only: 10,000 is 80 KB); then each batch
 * is read by its range of ids, so a query joins only its own rows. A keyset query (`id > last … limit`)
 * joined and sorted everything left of the event each time, which grows with the square of the event.
 *
 * Small batches, and no async generator, because of the garbage collector: whatever is still referenced when
 * the young generation is collected twice gets promoted, and the heap then grows by a few MB per download
 * until the next full collection (server RSS near 300 MB in the bench). A suspended generator keeps all its
 * locals, so the batch it last yielded stayed alive while the client read it; here a batch lives only in the
 * call that returns it and in its consumer, and 250 rows are handled well within one young collection.
 */
export function iterateAttendees(db: Tx, eventId: number, filter: AttendeeFilter, batchSize = 250): AsyncIterableIterator<AttendeeListRow[]> {
  let ids: number[] | undefined;
  let at = 0;
  const end = { done: true, value: undefined } as const;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      ids ??= ((await filtered(db, eventId, filter).orderBy('attendees.id').pluck('attendees.id')) as unknown[]).map(Number);
      while (at < ids.length) {
        const range = [ids[at], ids[Math.min(at + batchSize, ids.length) - 1]] as const;
        at += batchSize;
        // The filter again: a seat can change between the two reads, and a batch only ever shows what matches now.
        const rows = await filtered(db, eventId, filter, { byEvent: false }).select(columns(db)).whereBetween('attendees.id', range).orderBy('attendees.id');
        if (rows.length > 0) return { done: false, value: rows.map(toRow) };
      }
      return end;
    },
    async return() {
      at = Number.POSITIVE_INFINITY;
      return end;
    },
  };
}

/** People holding a confirmed place, for the sign-in sheet and the door; `inPersonOnly` leaves out those taking part online (the sheet). */
export async function listExpected(db: Tx, eventId: number, q?: string, limit?: number, inPersonOnly = false): Promise<AttendeeListRow[]> {
  const query = filtered(db, eventId, { status: 'confirmed', q }).select(columns(db)).orderByRaw('lower(attendees.name), attendees.id');
  if (inPersonOnly) query.where('attendees.mode', 'in_person');
  if (limit) query.limit(limit);
  return (await query).map(toRow);
}

export async function countByTicketType(db: Tx, eventId: number): Promise<Array<{ name: string; confirmed: number; waitlisted: number }>> {
  const rows = await db('ticket_types')
    .leftJoin('attendees', (j) => j.on('attendees.ticket_type_id', '=', 'ticket_types.id').andOnVal('attendees.status', '=', 'active'))
    .leftJoin('bookings', 'bookings.id', 'attendees.booking_id')
    .where('ticket_types.event_id', eventId)
    .groupBy('ticket_types.id', 'ticket_types.name', 'ticket_types.position')
    .select('ticket_types.id', 'ticket_types.name')
    .select(db.raw("sum(case when bookings.status = 'confirmed' then 1 else 0 end) as confirmed"))
    .select(db.raw("sum(case when bookings.status = 'waitlisted' then 1 else 0 end) as waitlisted"))
    .orderBy(['ticket_types.position', 'ticket_types.id']);
  return rows.map((r: Record<string, unknown>) => ({ name: String(r.name), confirmed: Number(r.confirmed ?? 0), waitlisted: Number(r.waitlisted ?? 0) }));
}

/** Dietary needs of confirmed attendees in the room (the caterer's count: nobody online eats), grouped as typed (case and spaces ignored), commonest first. */
export async function summariseDietary(db: Tx, eventId: number): Promise<Array<{ need: string; count: number }>> {
  const rows = await filtered(db, eventId, { status: 'confirmed' })
    .where('attendees.mode', 'in_person')
    .whereNotNull('attendees.dietary')
    .whereRaw("trim(attendees.dietary) <> ''")
    .select(db.raw('lower(trim(attendees.dietary)) as need'))
    .count({ n: '*' })
    .groupByRaw('lower(trim(attendees.dietary))')
    .orderBy([{ column: 'n', order: 'desc' }, { column: 'need' }]);
  return rows.map((r: Record<string, unknown>) => ({ need: String(r.need), count: Number(r.n) }));
}

/** Accessibility needs of confirmed attendees, with their names: the venue needs to know who. */
export async function listAccessibilityNeeds(db: Tx, eventId: number): Promise<Array<{ name: string; need: string }>> {
  const rows = await filtered(db, eventId, { status: 'confirmed' })
    .whereNotNull('attendees.accessibility')
    .whereRaw("trim(attendees.accessibility) <> ''")
    .select('attendees.name', 'attendees.accessibility')
    .orderByRaw('lower(attendees.name)')
    .limit(1000);
  return rows.map((r: Record<string, unknown>) => ({ name: String(r.name), need: String(r.accessibility) }));
}
