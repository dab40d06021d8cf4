import type { Tx } from '../../db/connect';
import { fromDbTime, toDbTime } from '../../lib/time';

export type Audience = 'attendees' | 'waitlist';

export interface StaffMessageRecord {
  id: number;
  eventId: number;
  audience: Audience;
  subject: string;
  body: string;
  recipients: number;
  sentBy: string;
  createdAt: Date;
}

function toStaffMessage(r: Record<string, unknown>): StaffMessageRecord {
  return {
    id: Number(r.id),
    eventId: Number(r.event_id),
    audience: r.audience as Audience,
    subject: String(r.subject),
    body: String(r.body),
    recipients: Number(r.recipients),
    sentBy: String(r.sent_by),
    createdAt: fromDbTime(r.created_at),
  };
}

export async function listStaffMessages(db: Tx, eventId: number): Promise<StaffMessageRecord[]> {
  const rows = await db('staff_messages').select('*').where({ event_id: eventId }).orderBy('id', 'desc');
  return rows.map(toStaffMessage);
}

export async function findStaffMessage(db: Tx, id: number): Promise<StaffMessageRecord | undefined> {
  const row = await db('staff_messages').select('*').where({ id }).first();
  return row ? toStaffMessage(row) : undefined;
}

export async function insertStaffMessage(
  db: Tx,
  message: { eventId: number; userId: number | null; sentBy: string; audience: Audience; subject: string; body: string; sendKey: string },
  now: Date,
): Promise<number> {
  const [row] = await db('staff_messages')
    .insert({
      event_id: message.eventId,
      user_id: message.userId,
      sent_by: message.sentBy,
      audience: message.audience,
      subject: message.subject,
      body: message.body,
      recipients: 0,
      send_key: message.sendKey,
      created_at: toDbTime(now),
    })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

export async function setRecipientCount(db: Tx, id: number, recipients: number): Promise<void> {
  await db('staff_messages').where({ id }).update({ recipients });
}

export async function findStaffMessageBySendKey(db: Tx, sendKey: string): Promise<StaffMessageRecord | undefined> {
  const row = await db('staff_messages').select('*').where({ send_key: sendKey }).first();
  return row ? toStaffMessage(row) : undefined;
}

export interface Recipient {
  name: string;
  email: string;
  /** The normalised email: one email per person however many places they hold. */
  key: string;
  /** Their first booking at the event in this audience. */
  reference: string;
  /**
   * The seat whose own link they get, when they are not that booking's buyer (a colleague booked for them): the
   * booking's manage link is the buyer's alone. Null for the buyer.
   */
  seatId: number | null;
}

/**
 * One row per person (by normalised email) among the audience's active attendees. A walk-in who gave no email (address
 * '') cannot be written to and is left out.
 */
export async function listRecipients(db: Tx, eventId: number, audience: Audience): Promise<Recipient[]> {
  const rows = await db('attendees')
    .join('bookings', 'bookings.id', 'attendees.booking_id')
    .where('attendees.event_id', eventId)
    .where('attendees.status', 'active')
    .where('bookings.status', audience === 'waitlist' ? 'waitlisted' : 'confirmed')
    .whereNot('attendees.email_normalised', '')
    .select('attendees.id', 'attendees.name', 'attendees.email', 'attendees.email_normalised', 'bookings.reference', 'bookings.buyer_email_normalised')
    .orderBy('attendees.id');
  const seen = new Set<string>();
  const people: Recipient[] = [];
  for (const r of rows as Array<{ id: number; name: string; email: string; email_normalised: string; reference: string; buyer_email_normalised: string }>) {
    if (seen.has(r.email_normalised)) continue;
    seen.add(r.email_normalised);
    people.push({ name: r.name, email: r.email, key: r.email_normalised, reference: r.reference, seatId: r.email_normalised === r.buyer_email_normalised ? null : Number(r.id) });
  }
  return people;
}

/** A seat's link material, while it is active and has its own link. */
export async function findSeatLink(db: Tx, seatId: number): Promise<{ id: number; icalUid: string; email: string } | undefined> {
  const row = await db('attendees').select('id', 'ical_uid', 'email').where({ id: seatId, status: 'active' }).whereNotNull('manage_token_hash').first();
  return row ? { id: Number(row.id), icalUid: String(row.ical_uid), email: String(row.email) } : undefined;
}
