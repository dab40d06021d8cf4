import type { Knex } from 'knex';
import type { Tx } from '../db/connect';
import { lockRow } from '../db/dialect';
import { isOnSale } from '../events/availability';
import type { EventRecord, TicketTypeRecord } from '../events/types';
import { ConflictError } from '../lib/errors';
import { formatMoney } from '../lib/money';
import { formatInstant, fromDbTime, fromDbTimeOrNull, toDbTime } from '../lib/time';
import { whereBookedOrWaiting } from './holds';
import type { AttendeeRecord } from './types';

/**
 * Discount codes, and the one precedence rule with member prices:
 *
 *   A seat's price is first the price of the ticket type the buyer is entitled to (a member price only for someone on
 *   the member list, checked as before). A code then takes its discount off that price, seat by seat: a fixed amount
 *   (never below zero), a percentage (rounded to the nearest penny), or all of it (free). One code per booking; codes
 *   never stack with each other, and a code never turns a non-member into a member.
 *
 * A code limited to ticket types discounts only seats of those types; `maxPerBooking` discounts at most that many
 * seats of one booking (the first in the booking's order), the others pay their price. A use is one discounted seat.
 * Uses are never stored: they are the active seats that carry the code in bookings that hold or wait for places
 * (`whereBookedOrWaiting`), counted under the event's lock (and, on PostgreSQL, the code's row lock, for a code valid at
 * every event), so a cancelled or expired booking gives its uses back and no rush can use a code more than it allows.
 */

export const DISCOUNT_KINDS = ['amount', 'percent', 'free'] as const;
export type DiscountKind = (typeof DISCOUNT_KINDS)[number];

export interface DiscountCodeRecord {
  id: number;
  /** NULL: valid at every event. */
  eventId: number | null;
  code: string;
  kind: DiscountKind;
  /** Minor units off each seat (kind `amount`). */
  amount: number;
  /** Percent off each seat (kind `percent`), 1 to 100. */
  percent: number;
  currency: string;
  validFrom: Date | null;
  validUntil: Date | null;
  /** Seats in all; NULL: no limit. */
  maxUses: number | null;
  /** Seats of one booking; NULL: no limit. */
  maxPerBooking: number | null;
  /** A hidden ticket type this code opens (a speaker ticket not on public sale). */
  revealsTicketTypeId: number | null;
  note: string;
  isActive: boolean;
  /** The ticket types it is limited to; empty: every ticket type. */
  ticketTypeIds: number[];
  createdAt: Date;
}

/**
 * Codes are matched without regard to case, spaces or full-width forms: a code is only ever letters, digits, - and _
 * (the organisers' form), so NFKC (full-width "ＤＥＭＯ２０" is DEMO20) and dropping spaces (a code split across a line
 * in an email) cannot turn one code into another, while a look-alike from another script (Cyrillic "Е") stays unknown.
 */
export function normaliseCode(code: string): string {
  return code.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

/** What a stored code looks like: 1 to 40 capital letters, digits, - or _ (the organisers' form asks for 3 or more). */
const CODE_SHAPE = /^[A-Z0-9_-]{1,40}$/;

type Row = Record<string, unknown>;
const intOrNull = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export function toDiscountCode(row: Row, ticketTypeIds: number[] = []): DiscountCodeRecord {
  return {
    id: Number(row.id),
    eventId: intOrNull(row.event_id),
    code: String(row.code),
    kind: row.kind as DiscountKind,
    amount: Number(row.amount ?? 0),
    percent: Number(row.percent ?? 0),
    currency: String(row.currency),
    validFrom: fromDbTimeOrNull(row.valid_from),
    validUntil: fromDbTimeOrNull(row.valid_until),
    maxUses: intOrNull(row.max_uses),
    maxPerBooking: intOrNull(row.max_per_booking),
    revealsTicketTypeId: intOrNull(row.reveals_ticket_type_id),
    note: String(row.note ?? ''),
    isActive: Boolean(row.is_active),
    ticketTypeIds,
    createdAt: fromDbTime(row.created_at),
  };
}

async function ticketTypesOf(db: Tx, codeIds: number[]): Promise<Map<number, number[]>> {
  const byCode = new Map<number, number[]>(codeIds.map((id) => [id, []]));
  if (codeIds.length === 0) return byCode;
  const rows = await db('discount_code_ticket_types').select('discount_code_id', 'ticket_type_id').whereIn('discount_code_id', codeIds).orderBy('ticket_type_id');
  for (const r of rows as Row[]) byCode.get(Number(r.discount_code_id))?.push(Number(r.ticket_type_id));
  return byCode;
}

/** The code with that text, whichever event it is for (the caller checks it fits the event). */
export async function findDiscountCode(db: Tx, code: string): Promise<DiscountCodeRecord | undefined> {
  const normalised = normaliseCode(code);
  // Stored codes are only ever this shape (the organisers' form): anything else is unknown without asking the database,
  // so no odd text (a NUL byte PostgreSQL refuses, 10,000 characters) reaches it from any page that re-reads a code.
  if (!CODE_SHAPE.test(normalised)) return undefined;
  const row = await db('discount_codes').select('*').where({ code: normalised }).first();
  if (!row) return undefined;
  return toDiscountCode(row, (await ticketTypesOf(db, [Number(row.id)])).get(Number(row.id)));
}

/** Codes for one event and for every event (`eventId` undefined: all codes), newest first. */
export async function listDiscountCodes(db: Tx, eventId?: number): Promise<DiscountCodeRecord[]> {
  const query = db('discount_codes').select('*').orderBy('id', 'desc');
  if (eventId !== undefined) query.where((q) => q.where('event_id', eventId).orWhereNull('event_id'));
  const rows = (await query) as Row[];
  const types = await ticketTypesOf(db, rows.map((r) => Number(r.id)));
  return rows.map((r) => toDiscountCode(r, types.get(Number(r.id))));
}

/** Seats using each code now: active seats of bookings that hold or wait for places (never a stored counter). */
export async function countCodeUses(db: Tx, codeIds: number[], now: Date): Promise<Map<number, number>> {
  const uses = new Map<number, number>(codeIds.map((id) => [id, 0]));
  if (codeIds.length === 0) return uses;
  const rows = await db('attendees')
    .join('bookings', 'bookings.id', 'attendees.booking_id')
    .whereIn('attendees.discount_code_id', codeIds)
    .where('attendees.status', 'active')
    .where((q) => whereBookedOrWaiting(q, now))
    .groupBy('attendees.discount_code_id')
    .select('attendees.discount_code_id as id')
    .count({ n: '*' });
  for (const r of rows as Row[]) uses.set(Number(r.id), Number(r.n));
  return uses;
}

/**
 * Whether seats that gave their code's uses back (a hold that lapsed) may take them again now, as a late payment
 * does: for each code they carry with a limit, the uses others hold plus theirs stay within it. Call under the event's
 * lock; takes the row lock of a code valid at every event (as booking with it does).
 */
export async function codeUsesStillFree(trx: Knex.Transaction, seats: Array<Pick<AttendeeRecord, 'discountCodeId'>>, now: Date): Promise<boolean> {
  const wanted = new Map<number, number>();
  for (const s of seats) if (s.discountCodeId !== null) wanted.set(s.discountCodeId, (wanted.get(s.discountCodeId) ?? 0) + 1);
  if (wanted.size === 0) return true;
  const rows = (await trx('discount_codes').select('id', 'event_id', 'max_uses').whereIn('id', [...wanted.keys()])) as Row[];
  for (const row of rows) if (row.event_id === null) await lockRow(trx, 'discount_codes', Number(row.id));
  const used = await countCodeUses(trx, [...wanted.keys()], now);
  return rows.every((row) => row.max_uses === null || (used.get(Number(row.id)) ?? 0) + (wanted.get(Number(row.id)) ?? 0) <= Number(row.max_uses));
}

/** What one seat costs: the price the buyer is entitled to, the code's discount off it, and what is charged. */
export interface SeatPrice {
  listPrice: number;
  discount: number;
  unitPrice: number;
  codeId: number | null;
}

/** The discount a code gives off one seat's list price: never more than the price. */
export function discountOff(code: Pick<DiscountCodeRecord, 'kind' | 'amount' | 'percent'>, listPrice: number): number {
  if (code.kind === 'free') return listPrice;
  if (code.kind === 'percent') return Math.min(listPrice, Math.round((listPrice * code.percent) / 100));
  return Math.min(listPrice, code.amount);
}

/** The code's discount in words: "£20.00 off", "50% off", "Free". */
export function describeDiscount(code: Pick<DiscountCodeRecord, 'kind' | 'amount' | 'percent' | 'currency'>): string {
  if (code.kind === 'free') return 'Free';
  if (code.kind === 'percent') return `${code.percent}% off`;
  return `${formatMoney(code.amount, code.currency)} off`;
}

const codeRefusal = (code: 'discount_code_unknown' | 'discount_code_expired' | 'discount_code_not_applicable' | 'discount_code_used_up', message: string) =>
  new ConflictError(code, message, [{ path: 'discountCode', message }]);

/** 409 `discount_code_unknown`: the same answer for a code that does not exist and one for another event. */
export const unknownCode = (typed: string) => codeRefusal('discount_code_unknown', `We do not recognise the code “${typed}” for this event. Check it is typed as you were given it.`);

/**
 * The code with that text if it is one this event takes, else 409 `discount_code_unknown`. Read before the ticket
 * types are resolved, because a code may reveal a hidden one.
 */
export async function codeForEvent(trx: Knex.Transaction, typed: string, event: EventRecord): Promise<DiscountCodeRecord> {
  const code = await findDiscountCode(trx, typed);
  if (!code || (code.eventId !== null && code.eventId !== event.id)) throw unknownCode(typed);
  // A code for every event is shared between events' locks: its own row lock keeps its count exact on PostgreSQL.
  if (code.eventId === null) await lockRow(trx, 'discount_codes', code.id);
  return code;
}


/**
 * Prices each seat: the ticket type's price, less the code's discount where it applies. Without a code, every seat
 * pays its price. With one, refuses (409, detail on `discountCode`) a code that is withdrawn or outside its dates
 * (`discount_code_expired`), fits none of the seats (`discount_code_not_applicable`), or has fewer uses left than the
 * seats it would discount (`discount_code_used_up`). Call under the event's lock.
 */
export async function priceSeats(trx: Tx, event: EventRecord, types: TicketTypeRecord[], itemTypes: TicketTypeRecord[], code: DiscountCodeRecord | undefined, now: Date): Promise<SeatPrice[]> {
  const plain = itemTypes.map((t) => ({ listPrice: t.price, discount: 0, unitPrice: t.price, codeId: null }));
  if (!code) return plain;
  if (!code.isActive) throw codeRefusal('discount_code_expired', `The code ${code.code} has been withdrawn by the organisers.`);
  if (code.validFrom && now < code.validFrom) throw codeRefusal('discount_code_expired', `The code ${code.code} is valid from ${formatInstant(code.validFrom, event.timezone)}.`);
  if (code.validUntil && now >= code.validUntil) throw codeRefusal('discount_code_expired', `The code ${code.code} expired on ${formatInstant(code.validUntil, event.timezone)}.`);
  const fits = (t: TicketTypeRecord) => (code.ticketTypeIds.length === 0 || code.ticketTypeIds.includes(t.id)) && (code.kind !== 'amount' || code.currency === t.currency);
  let eligible = itemTypes.map((t, i) => (fits(t) ? i : -1)).filter((i) => i >= 0);
  if (eligible.length === 0) {
    // Name only the tickets a buyer can choose now: a code whose every ticket went off sale says so.
    const names = code.ticketTypeIds.map((id) => types.find((t) => t.id === id && isOnSale(t, now))?.name).filter(Boolean);
    const why = names.length ? ` It is for: ${names.join(', ')}.` : code.ticketTypeIds.length ? ' It is for tickets that are no longer on sale.' : '';
    throw codeRefusal('discount_code_not_applicable', `The code ${code.code} is not for the tickets chosen.${why}`);
  }
  if (code.maxPerBooking !== null) eligible = eligible.slice(0, code.maxPerBooking);
  if (code.maxUses !== null) {
    const used = (await countCodeUses(trx, [code.id], now)).get(code.id) ?? 0;
    const left = Math.max(0, code.maxUses - used);
    if (left < eligible.length) {
      throw codeRefusal('discount_code_used_up', left === 0 ? `The code ${code.code} has been used up.` : `The code ${code.code} has only ${left} ${left === 1 ? 'use' : 'uses'} left, and this booking would use ${eligible.length}. Book fewer places with it.`);
    }
  }
  return plain.map((seat, i) => {
    if (!eligible.includes(i)) return seat;
    const discount = discountOff(code, seat.listPrice);
    return { listPrice: seat.listPrice, discount, unitPrice: seat.listPrice - discount, codeId: code.id };
  });
}

/**
 * What a code would do to these places now, for the booking form's "Apply code" (nothing is held or booked): the same
 * rule and refusals as the booking, read without the event's lock, so the booking itself may still refuse a code whose
 * last use went meanwhile. Throws 409 `discount_code_*` with a detail on `discountCode`.
 */
export async function previewDiscount(db: Tx, event: EventRecord, types: TicketTypeRecord[], itemTypes: TicketTypeRecord[], typed: string, now: Date): Promise<{ code: DiscountCodeRecord; prices: SeatPrice[] }> {
  const code = await findDiscountCode(db, typed);
  if (!code || (code.eventId !== null && code.eventId !== event.id)) throw unknownCode(typed);
  return { code, prices: await priceSeats(db, event, types, itemTypes, code, now) };
}

/** One seat's list price, discount and code, for documents (receipts, invoices, credit notes) and exports. */
export interface SeatDiscount {
  attendeeId: number;
  /** Minor units: the price the buyer was entitled to before any code. */
  listPrice: number;
  /** Minor units taken off by the code (0 without one). */
  discount: number;
  /** Minor units charged: listPrice − discount (`attendees.unit_price`). */
  unitPrice: number;
  /** The code as the buyer typed it (upper case), or null. */
  code: string | null;
}

/**
 * Each seat's list price, discount and code, for whoever writes a line about a seat (finance's documents, exports).
 * Older seats (before codes) read as list price = unit price, no discount.
 */
export async function seatDiscounts(db: Tx, bookingIds: number[]): Promise<Map<number, SeatDiscount>> {
  const out = new Map<number, SeatDiscount>();
  if (bookingIds.length === 0) return out;
  const rows = await db('attendees')
    .leftJoin('bookings', 'bookings.id', 'attendees.booking_id')
    .whereIn('attendees.booking_id', bookingIds)
    .select('attendees.id', 'attendees.unit_price', 'attendees.list_price', 'attendees.discount_amount', 'attendees.discount_code_id', 'bookings.discount_code');
  for (const r of rows as Row[]) {
    const unitPrice = Number(r.unit_price);
    const discount = Number(r.discount_amount ?? 0);
    out.set(Number(r.id), { attendeeId: Number(r.id), listPrice: r.list_price === null ? unitPrice : Number(r.list_price), discount, unitPrice, code: discount > 0 || r.discount_code_id !== null ? (r.discount_code === null ? null : String(r.discount_code)) : null });
  }
  return out;
}

/** A code as an organiser creates it: everything but what the database gives it (id, state, creation time). */
export type NewDiscountCode = Omit<DiscountCodeRecord, 'id' | 'isActive' | 'createdAt'>;

/** Inserts a code; undefined when the code text is taken (ON CONFLICT DO NOTHING, no savepoint needed). */
export async function insertDiscountCode(trx: Knex.Transaction, c: NewDiscountCode, now: Date): Promise<DiscountCodeRecord | undefined> {
  const [row] = await trx('discount_codes')
    .insert({
      event_id: c.eventId,
      code: normaliseCode(c.code),
      kind: c.kind,
      amount: c.kind === 'amount' ? c.amount : 0,
      percent: c.kind === 'percent' ? c.percent : 0,
      currency: c.currency,
      valid_from: c.validFrom ? toDbTime(c.validFrom) : null,
      valid_until: c.validUntil ? toDbTime(c.validUntil) : null,
      max_uses: c.maxUses,
      max_per_booking: c.maxPerBooking,
      reveals_ticket_type_id: c.revealsTicketTypeId,
      note: c.note,
      is_active: true,
      created_at: toDbTime(now),
      updated_at: toDbTime(now),
    })
    .onConflict('code')
    .ignore()
    .returning('*');
  if (!row) return undefined;
  if (c.ticketTypeIds.length) await trx('discount_code_ticket_types').insert(c.ticketTypeIds.map((id) => ({ discount_code_id: row.id, ticket_type_id: id })));
  return toDiscountCode(row, c.ticketTypeIds);
}

/** Withdraws or restores a code; bookings that used it keep their prices. */
export async function setDiscountCodeActive(db: Tx, id: number, isActive: boolean, now: Date): Promise<boolean> {
  return (await db('discount_codes').where({ id }).update({ is_active: isActive, updated_at: toDbTime(now) })) === 1;
}
