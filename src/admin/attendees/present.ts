import { formatMoney } from '../../lib/money';
import { inZone } from '../../lib/time';
import { zoneClock } from '../../lib/wall-clock';
import type { AttendeeListRow, ListStatus } from './queries';

export const STATUS_LABELS: Record<ListStatus, string> = {
  confirmed: 'Confirmed',
  waitlisted: 'Waitlisted',
  pending_payment: 'Awaiting payment',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

const LOWER_LABELS: Record<ListStatus, string> = { confirmed: 'confirmed', waitlisted: 'waitlisted', pending_payment: 'awaiting payment', cancelled: 'cancelled', expired: 'expired' };

/**
 * What the attendee table's heading and the line under it say: "7 rows (6 confirmed, 1 cancelled)" for the rows shown,
 * and the rows of other statuses the status filter hides ("Not shown: 2 cancelled."). A row is a seat; only confirmed
 * rows are places taken, so the heading never counts a cancelled row as a seat.
 */
export function describeRows(counts: Map<ListStatus, number>, shown: ListStatus | 'all'): { heading: string; hidden: string | null } {
  const part = (s: ListStatus) => `${counts.get(s) ?? 0} ${LOWER_LABELS[s]}`;
  const present = (Object.keys(LOWER_LABELS) as ListStatus[]).filter((s) => (counts.get(s) ?? 0) > 0);
  const inView = shown === 'all' ? present : present.filter((s) => s === shown);
  const total = inView.reduce((sum, s) => sum + (counts.get(s) ?? 0), 0);
  const heading = total === 0 ? (shown === 'all' ? 'No rows' : `No ${LOWER_LABELS[shown]} rows`) : `${total} ${total === 1 ? 'row' : 'rows'} (${inView.map(part).join(', ')})`;
  const others = present.filter((s) => !inView.includes(s));
  return { heading, hidden: others.length ? `Not shown: ${others.map(part).join(', ')}.` : null };
}

/** The seat's own state: a seat cancelled out of a larger booking reads as cancelled. */
export function seatStatus(row: AttendeeListRow): ListStatus {
  return row.isCancelledSeat ? 'cancelled' : row.bookingStatus;
}

export function paymentStatus(row: AttendeeListRow): string {
  if (row.bookingTotal === 0) return 'Free';
  if (row.paymentMethod === 'invoice') return row.bookingStatus === 'cancelled' ? 'Invoice (booking cancelled)' : 'Invoice';
  switch (row.bookingStatus) {
    case 'confirmed':
      return 'Paid by card';
    case 'pending_payment':
      return 'Awaiting payment';
    case 'expired':
      return 'Not paid';
    case 'waitlisted':
      return 'Not charged';
    case 'cancelled':
      return 'Cancelled';
  }
}

/**
 * "2026-03-17 18:00": sortable, and what Excel and people both read without a zone suffix. Called for
 * every row of a download, so it uses the zone's cached clock rather than a luxon DateTime per value.
 */
export function localStamp(date: Date | null, zone: string): string {
  return date ? zoneClock(zone).stamp(date) : '';
}

/** The same wall-clock time as a Date whose UTC fields show it: spreadsheets have no time zones. */
export function wallClockDate(date: Date, zone: string): Date {
  return zoneClock(zone).wallClock(date);
}

/** The name's last word, for alphabetical lists by surname-ish (a single field cannot know better). */
export function surnameKey(name: string): string {
  const words = name.trim().split(/\s+/);
  return words[words.length - 1] ?? '';
}

/**
 * A name as a list sorted by surname prints it: "Hopper, Grace" (the sort key first, then the rest as typed). A
 * one-word name stays as it is.
 */
export function surnameFirst(name: string): { surname: string; rest: string } {
  const words = name.trim().split(/\s+/);
  if (words.length < 2) return { surname: name.trim(), rest: '' };
  return { surname: words[words.length - 1], rest: words.slice(0, -1).join(' ') };
}

/** Blank rows for people who turn up without a place: a tenth of those expected, at least 5 and at most 20. */
export function walkInRows(expected: number): number {
  return Math.min(20, Math.max(5, Math.ceil(expected / 10)));
}

const collator = new Intl.Collator('en-GB', { sensitivity: 'base', numeric: true });

export function bySurname<T extends { name: string }>(a: T, b: T): number {
  return collator.compare(surnameKey(a.name), surnameKey(b.name)) || collator.compare(a.name, b.name);
}

export function toAttendeeView(row: AttendeeListRow, zone: string) {
  const status = seatStatus(row);
  return {
    id: row.id,
    reference: row.reference,
    name: row.name,
    email: row.email,
    organisation: row.organisation,
    ticketType: row.ticketTypeName,
    takingPart: row.mode === 'online' ? 'Online' : null,
    price: row.unitPrice === 0 ? 'Free' : formatMoney(row.unitPrice, row.currency),
    discount: row.discountAmount > 0 ? `${formatMoney(row.discountAmount, row.currency)} off with ${row.discountCode ?? 'a code'}` : null,
    payment: paymentStatus(row),
    status,
    statusLabel: STATUS_LABELS[status],
    isInactive: status === 'cancelled' || status === 'expired',
    dietary: row.dietary,
    accessibility: row.accessibility,
    bookedAt: localStamp(row.bookedAt, zone),
    checkedInAt: row.checkedInAt ? inZone(row.checkedInAt, zone).toFormat('HH:mm') : null,
  };
}
