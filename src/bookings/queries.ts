import type { Tx } from '../db/connect';
import { whereBookedOrWaiting } from './holds';

import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../lib/time';
import { type AttendeeRecord, type BookingRecord, type BookingStatus, type PaymentMethod } from './types';
import { normaliseEmail } from '../lib/email';

type Row = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

export function toBooking(row: Row): BookingRecord {
  return {
    id: Number(row.id),
    reference: String(row.reference),
    eventId: Number(row.event_id),
    status: row.status as BookingStatus,
    buyerName: String(row.buyer_name),
    buyerEmail: String(row.buyer_email),
    buyerOrganisation: str(row.buyer_organisation),
    total: Number(row.total),
    currency: String(row.currency),
    paymentMethod: row.payment_method as PaymentMethod,
    holdExpiresAt: fromDbTimeOrNull(row.hold_expires_at),
    stripeCheckoutSessionId: str(row.stripe_checkout_session_id),
    stripePaymentIntentId: str(row.stripe_payment_intent_id),
    purchaseOrder: str(row.purchase_order),
    billingContact: str(row.billing_contact),
    billingEmail: str(row.billing_email),
    billingAddress: str(row.billing_address),
    manageTokenHash: String(row.manage_token_hash),
    confirmedAt: fromDbTimeOrNull(row.confirmed_at),
    cancelledAt: fromDbTimeOrNull(row.cancelled_at),
    cancelReason: str(row.cancel_reason),
    refundedTotal: Number(row.refunded_total ?? 0),
    paymentProcessingSince: fromDbTimeOrNull(row.payment_processing_since),
    invoiceStatus: (str(row.invoice_status) as BookingRecord['invoiceStatus']) ?? null,
    discountCode: str(row.discount_code),
    discountTotal: Number(row.discount_total ?? 0),
    createdAt: fromDbTime(row.created_at),
  };
}

export function toAttendee(row: Row): AttendeeRecord {
  return {
    id: Number(row.id),
    bookingId: Number(row.booking_id),
    eventId: Number(row.event_id),
    ticketTypeId: Number(row.ticket_type_id),
    status: row.status as AttendeeRecord['status'],
    name: String(row.name),
    email: String(row.email),
    organisation: str(row.organisation),
    dietary: str(row.dietary),
    accessibility: str(row.accessibility),
    unitPrice: Number(row.unit_price),
    listPrice: row.list_price === null || row.list_price === undefined ? Number(row.unit_price) : Number(row.list_price),
    discountAmount: Number(row.discount_amount ?? 0),
    discountCodeId: row.discount_code_id === null || row.discount_code_id === undefined ? null : Number(row.discount_code_id),
    currency: String(row.currency),
    icalUid: String(row.ical_uid),
    checkedInAt: fromDbTimeOrNull(row.checked_in_at),
    cancelledAt: fromDbTimeOrNull(row.cancelled_at),
    manageTokenHash: str(row.manage_token_hash),
    detailsVersion: Number(row.details_version ?? 0),
    mode: row.mode === 'online' ? 'online' : 'in_person',
    joinedAt: fromDbTimeOrNull(row.joined_at),
  };
}

const BOOKING_COLUMNS = [
  'id', 'reference', 'event_id', 'status', 'buyer_name', 'buyer_email', 'buyer_organisation', 'total', 'currency',
  'payment_method', 'hold_expires_at', 'stripe_checkout_session_id', 'stripe_payment_intent_id', 'purchase_order',
  'billing_contact', 'billing_email', 'billing_address', 'manage_token_hash', 'confirmed_at', 'cancelled_at', 'cancel_reason', 'refunded_total', 'invoice_status', 'payment_processing_since', 'discount_code', 'discount_total', 'created_at',
].map((c) => `bookings.${c}`);

export async function findBookingByReference(db: Tx, reference: string): Promise<BookingRecord | undefined> {
  const row = await db('bookings').select(BOOKING_COLUMNS).where({ reference }).first();
  return row ? toBooking(row) : undefined;
}

export async function findBookingById(db: Tx, id: number): Promise<BookingRecord | undefined> {
  const row = await db('bookings').select(BOOKING_COLUMNS).where({ id }).first();
  return row ? toBooking(row) : undefined;
}

export async function listAttendees(db: Tx, bookingId: number): Promise<AttendeeRecord[]> {
  return (await db('attendees').select('*').where({ booking_id: bookingId }).orderBy('id')).map(toAttendee);
}

export interface NewBooking {
  reference: string;
  eventId: number;
  status: BookingStatus;
  buyer: { name: string; email: string; organisation?: string };
  total: number;
  currency: string;
  paymentMethod: PaymentMethod;
  holdExpiresAt?: Date;
  purchaseOrder?: string;
  billingContact?: string;
  billingEmail?: string;
  billingAddress?: string;
  manageTokenHash: string;
  /** The pseudonym of the client address that placed a card hold; kept only while the booking is `pending_payment`. */
  clientKey?: string;
  /** Registered at the door by staff (`bookings.is_walk_in`). */
  isWalkIn?: boolean;
  /** The discount code used, and what it took off in all (minor units). */
  discount?: { codeId: number; code: string; total: number };
  now: Date;
}

/**
 * Inserts a booking and returns it; undefined when its reference is already taken (the caller draws
 * another). ON CONFLICT DO NOTHING needs no savepoint, so a clash never aborts the transaction.
 */
export async function insertBooking(db: Tx, b: NewBooking): Promise<BookingRecord | undefined> {
  const [row] = await db('bookings')
    .insert({
      reference: b.reference,
      event_id: b.eventId,
      status: b.status,
      buyer_name: b.buyer.name,
      buyer_email: b.buyer.email,
      buyer_email_normalised: normaliseEmail(b.buyer.email),
      buyer_organisation: b.buyer.organisation ?? null,
      total: b.total,
      currency: b.currency,
      payment_method: b.paymentMethod,
      hold_expires_at: b.holdExpiresAt ? toDbTime(b.holdExpiresAt) : null,
      purchase_order: b.purchaseOrder ?? null,
      billing_contact: b.billingContact ?? null,
      billing_email: b.billingEmail ?? null,
      billing_address: b.billingAddress ?? null,
      invoice_status: b.paymentMethod === 'invoice' && b.status === 'confirmed' ? 'outstanding' : null,
      manage_token_hash: b.manageTokenHash,
      client_key: b.status === 'pending_payment' ? (b.clientKey ?? null) : null,
      confirmed_at: b.status === 'confirmed' ? toDbTime(b.now) : null,
      is_walk_in: b.isWalkIn ?? false,
      discount_code_id: b.discount?.codeId ?? null,
      discount_code: b.discount?.code ?? null,
      discount_total: b.discount?.total ?? 0,
      created_at: toDbTime(b.now),
      updated_at: toDbTime(b.now),
    })
    .onConflict('reference')
    .ignore()
    .returning(BOOKING_COLUMNS.map((c) => c.replace('bookings.', '')));
  return row ? toBooking(row) : undefined;
}

export interface NewAttendee {
  ticketTypeId: number;
  name: string;
  email: string;
  organisation?: string;
  dietary?: string;
  accessibility?: string;
  unitPrice: number;
  /** Before a discount code (default: unitPrice), the discount taken off, and the code's id. */
  listPrice?: number;
  discountAmount?: number;
  discountCodeId?: number | null;
  currency: string;
  icalUid: string;
  /** The hash of the seat's own manage token (absent: the seat has no link of its own). */
  manageTokenHash?: string;
  mode?: 'in_person' | 'online';
  /** The hash of the seat's personal joining link token (lib/links.ts `joinToken`). */
  joinTokenHash?: string;
}

export async function insertAttendees(db: Tx, bookingId: number, eventId: number, attendees: NewAttendee[], now: Date): Promise<AttendeeRecord[]> {
  const rows = await db('attendees').insert(
    attendees.map((a) => ({
      booking_id: bookingId,
      event_id: eventId,
      ticket_type_id: a.ticketTypeId,
      status: 'active',
      name: a.name,
      email: a.email,
      email_normalised: normaliseEmail(a.email),
      organisation: a.organisation ?? null,
      dietary: a.dietary ?? null,
      accessibility: a.accessibility ?? null,
      unit_price: a.unitPrice,
      list_price: a.listPrice ?? a.unitPrice,
      discount_amount: a.discountAmount ?? 0,
      discount_code_id: a.discountCodeId ?? null,
      currency: a.currency,
      ical_uid: a.icalUid,
      manage_token_hash: a.manageTokenHash ?? null,
      mode: a.mode ?? 'in_person',
      join_token_hash: a.joinTokenHash ?? null,
      created_at: toDbTime(now),
    })),
  ).returning('*');
  return rows.map(toAttendee);
}

/** Emails among these that already hold a place (or a place on the waitlist) at the event. */
export async function findEmailsAlreadyBooked(db: Tx, eventId: number, emails: string[], now: Date): Promise<string[]> {
  const rows = await db('attendees')
    .join('bookings', 'bookings.id', 'attendees.booking_id')
    .where('attendees.event_id', eventId)
    .where('attendees.status', 'active')
    .whereIn('attendees.email_normalised', emails.map(normaliseEmail))
    .where((q) => whereBookedOrWaiting(q, now))
    .distinct('attendees.email_normalised as email');
  return rows.map((r: { email: string }) => r.email);
}

/** The booking through which this email holds a place at the event, if any. */
export async function findActiveBookingForEmail(db: Tx, eventId: number, email: string): Promise<BookingRecord | undefined> {
  const row = await db('bookings')
    .join('attendees', 'attendees.booking_id', 'bookings.id')
    .where('bookings.event_id', eventId)
    .where('attendees.status', 'active')
    .where('attendees.email_normalised', normaliseEmail(email))
    .whereIn('bookings.status', ['confirmed', 'waitlisted', 'pending_payment'])
    .orderBy('bookings.id', 'desc')
    .first(BOOKING_COLUMNS);
  return row ? toBooking(row) : undefined;
}

export async function updateBookingStatus(
  db: Tx,
  id: number,
  from: BookingStatus[],
  to: BookingStatus,
  now: Date,
  extra: Row = {},
): Promise<boolean> {
  const stamp: Row = { updated_at: toDbTime(now) };
  // The client address's pseudonym is kept only while the booking is a hold (data minimisation, UK GDPR Art. 5(1)(c)).
  if (to !== 'pending_payment') stamp.client_key = null;
  if (to === 'confirmed') stamp.confirmed_at = toDbTime(now);
  if (to === 'cancelled') stamp.cancelled_at = toDbTime(now);
  const count = await db('bookings').where({ id }).whereIn('status', from).update({ status: to, ...stamp, ...extra });
  return count === 1;
}

export async function cancelAttendees(db: Tx, bookingId: number, now: Date, attendeeIds?: number[]): Promise<void> {
  const query = db('attendees').where({ booking_id: bookingId, status: 'active' });
  if (attendeeIds) query.whereIn('id', attendeeIds);
  await query.update({ status: 'cancelled', cancelled_at: toDbTime(now) });
}

/** Waitlisted bookings of an event, first come first served, with their seats by ticket type. */
export async function listWaitlist(db: Tx, eventId: number): Promise<Array<{ booking: BookingRecord; seats: Map<number, number>; modes: { in_person: number; online: number } }>> {
  const rows = await db('bookings').select(BOOKING_COLUMNS).where({ event_id: eventId, status: 'waitlisted' }).orderBy('id');
  if (rows.length === 0) return [];
  const seatRows = await db('attendees')
    .select('booking_id', 'ticket_type_id', 'mode')
    .count({ n: '*' })
    .whereIn('booking_id', rows.map((r: Row) => Number(r.id)))
    .where('status', 'active')
    .groupBy('booking_id', 'ticket_type_id', 'mode');
  const seats = new Map<number, Map<number, number>>();
  const modes = new Map<number, { in_person: number; online: number }>();
  for (const r of seatRows as Row[]) {
    const id = Number(r.booking_id);
    const m = seats.get(id) ?? new Map<number, number>();
    m.set(Number(r.ticket_type_id), (m.get(Number(r.ticket_type_id)) ?? 0) + Number(r.n));
    seats.set(id, m);
    const byMode = modes.get(id) ?? { in_person: 0, online: 0 };
    byMode[r.mode === 'online' ? 'online' : 'in_person'] += Number(r.n);
    modes.set(id, byMode);
  }
  return rows.map((r: Row) => ({ booking: toBooking(r), seats: seats.get(Number(r.id)) ?? new Map(), modes: modes.get(Number(r.id)) ?? { in_person: 0, online: 0 } }));
}

export async function waitlistPosition(db: Tx, booking: BookingRecord): Promise<number> {
  const row = await db('bookings').where({ event_id: booking.eventId, status: 'waitlisted' }).where('id', '<=', booking.id).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}


/**
 * Writes a seat's new details and token hash, counting the change, if the seat is still active and unchanged since it
 * was read (its `details_version`). Returns whether it was written.
 */
export async function updateSeatDetails(
  db: Tx,
  seat: AttendeeRecord,
  details: { name: string; email: string; organisation?: string; dietary?: string; accessibility?: string },
  manageTokenHash: string | null,
  joinTokenHash?: string | null,
): Promise<boolean> {
  const count = await db('attendees')
    .where({ id: seat.id, status: 'active', details_version: seat.detailsVersion })
    .update({
      name: details.name,
      email: details.email,
      email_normalised: normaliseEmail(details.email),
      organisation: details.organisation ?? null,
      dietary: details.dietary ?? null,
      accessibility: details.accessibility ?? null,
      manage_token_hash: manageTokenHash,
      ...(joinTokenHash !== undefined ? { join_token_hash: joinTokenHash } : {}),
      details_version: seat.detailsVersion + 1,
    });
  return count === 1;
}
