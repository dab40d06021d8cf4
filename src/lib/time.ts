import { DateTime, IANAZone } from 'luxon';

/** A time zone name this runtime knows, such as Europe/London (luxon asks Intl, so nothing is thrown to catch). */
export function isTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** The one codec for instants in the database: ISO-8601 UTC text in, Date out (SQLite text, PostgreSQL timestamptz). */
export function toDbTime(date: Date): string {
  return date.toISOString();
}

export function fromDbTime(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Date(value);
  throw new TypeError(`Not a stored instant: ${String(value)}`);
}

export function fromDbTimeOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : fromDbTime(value);
}

/** In British English whatever the machine's locale: en-US would name British Summer Time "GMT+1", not "BST". */
export function inZone(date: Date, zone: string): DateTime {
  return DateTime.fromJSDate(date, { zone }).setLocale('en-GB');
}

/** "Tuesday 14 April 2026" */
export function formatDate(date: Date, zone: string): string {
  return inZone(date, zone).toFormat('cccc d LLLL yyyy');
}

/** "6:00pm" */
export function formatTime(date: Date, zone: string): string {
  return inZone(date, zone).toFormat('h:mma').toLowerCase();
}

/** What an event's start and end read as, in its zone: the days, the times, and both together. */
export interface EventSpan {
  /** "Tuesday 14 April 2026"; over several days "Wed 10 – Thu 11 February 2027", "Tue 30 June – Wed 1 July 2026". */
  days: string;
  /** "6:00pm – 8:00pm BST"; each end with its own zone when they differ: "6:00pm BST – 1:00pm GMT". */
  times: string;
  /** `days, times`: "Wed 10 – Thu 11 February 2027, 9:00am – 5:00pm GMT". */
  text: string;
}

/**
 * The one way an event's time is written, on the list, the cards, the event page, the booking pages and the emails
 * (issue 15). Each end is read in the event's zone; the zone abbreviation (GMT/BST) says which clock, and an event
 * that crosses a clock change labels each end with its own, so neither time is an hour out. A multi-day event gives
 * both days short ("Wed 10 – Thu 11 February 2027") and the month and year once where they are shared.
 */
export function describeSpan(start: Date, end: Date, zone: string): EventSpan {
  const s = inZone(start, zone);
  const e = inZone(end, zone);
  let days: string;
  if (s.hasSame(e, 'day')) days = formatDate(start, zone);
  else if (s.hasSame(e, 'month')) days = `${s.toFormat('ccc d')} – ${e.toFormat('ccc d LLLL yyyy')}`;
  else if (s.hasSame(e, 'year')) days = `${s.toFormat('ccc d LLLL')} – ${e.toFormat('ccc d LLLL yyyy')}`;
  else days = `${s.toFormat('ccc d LLLL yyyy')} – ${e.toFormat('ccc d LLLL yyyy')}`;
  const startZone = s.toFormat('ZZZZ');
  const endZone = e.toFormat('ZZZZ');
  const times = startZone === endZone
    ? `${formatTime(start, zone)} – ${formatTime(end, zone)} ${endZone}`
    : `${formatTime(start, zone)} ${startZone} – ${formatTime(end, zone)} ${endZone}`;
  return { days, times, text: `${days}, ${times}` };
}

/** "Tuesday 14 April 2026, 6:00pm – 8:00pm BST": `describeSpan(…).text`. */
export function formatRange(start: Date, end: Date, zone: string): string {
  return describeSpan(start, end, zone).text;
}

/** Reads a wall-clock "2026-04-14T18:00" in the given zone as an instant; null when invalid. */
export function parseLocalDateTime(text: string, zone: string): Date | null {
  const dt = DateTime.fromISO(text, { zone });
  return dt.isValid ? dt.toJSDate() : null;
}

export function monthKey(date: Date, zone: string): { key: string; label: string } {
  const dt = inZone(date, zone);
  return { key: dt.toFormat('yyyy-LL'), label: dt.toFormat('LLLL yyyy') };
}

/** "Tuesday 14 April 2026, 6:00pm" */
export function formatInstant(date: Date, zone: string): string {
  return `${formatDate(date, zone)}, ${formatTime(date, zone)}`;
}

/**
 * An API date bound: an instant with an offset is taken as it is; a bare day is read in the given zone,
 * from its first moment ("start") or up to the first moment of the next day ("end"), so `to=2026-04-30`
 * includes events on the 30th.
 */
export function parseDateBound(text: string, zone: string, edge: 'start' | 'end'): Date {
  if (text.includes('T')) return new Date(text);
  const day = DateTime.fromISO(text, { zone }).startOf('day');
  return (edge === 'end' ? day.plus({ days: 1 }) : day).toJSDate();
}
