import { DateTime } from 'luxon';

/** A membership expiry as written in the file: 2026-12-31 or 31/12/2026 (UK order). Null when neither or not a real day. */
export function parseExpiryDate(text: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const uk = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const parts = iso ? { year: +iso[1], month: +iso[2], day: +iso[3] } : uk ? { year: +uk[3], month: +uk[2], day: +uk[1] } : null;
  if (!parts) return null;
  const date = DateTime.fromObject(parts, { zone: 'UTC' });
  return date.isValid ? date.toISODate() : null;
}

/** Today's calendar date where the group is (its configured zone), as YYYY-MM-DD. */
export function todayIn(now: Date, zone: string): string {
  return DateTime.fromJSDate(now, { zone }).toISODate() as string;
}

export function addDays(day: string, days: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days }).toISODate() as string;
}
