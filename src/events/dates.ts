import { describeSpan, inZone, monthKey } from '../lib/time';

export interface EventDates {
  day: string;
  weekday: string;
  month: string;
  /** The day, or the days of a multi-day event: "Wed 10 – Thu 11 February 2027" (`describeSpan`). */
  date: string;
  /** "6:00pm – 8:00pm BST", with each end's zone when the clocks change in between. */
  time: string;
  /** "Tuesday 14 April 2026, 6:00pm – 8:00pm BST", as emails and pages give an event's time. */
  range: string;
  monthKey: string;
  monthLabel: string;
}

const cache = new Map<string, EventDates>();
const CACHE_LIMIT = 2000;

/**
 * The start and end of an event as its cards show them, in its own zone. Formatting in a zone through luxon and
 * Intl was a third of the home page's time in the bench, and the same few events are shown on every request;
 * the words for an instant in a zone never change while the process runs, so they are kept.
 */
export function eventDates(startsAt: Date, endsAt: Date, zone: string): EventDates {
  const key = `${zone}|${startsAt.getTime()}|${endsAt.getTime()}`;
  let found = cache.get(key);
  if (!found) {
    const local = inZone(startsAt, zone);
    const month = monthKey(startsAt, zone);
    const span = describeSpan(startsAt, endsAt, zone);
    found = {
      day: local.toFormat('d'),
      weekday: local.toFormat('ccc'),
      month: local.toFormat('LLL'),
      date: span.days,
      time: span.times,
      range: span.text,
      monthKey: month.key,
      monthLabel: month.label,
    };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, found);
  }
  return found;
}
