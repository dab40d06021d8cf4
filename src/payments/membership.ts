import { DateTime } from 'luxon';
import type { Tx } from '../db/connect';
import { normaliseEmail } from '../bookings/types';

/** Today's date where the event happens, as the member list's expiry dates are written. */
export function localToday(now: Date, zone: string): string {
  return DateTime.fromJSDate(now, { zone }).toISODate()!;
}

/** The emails among these that are not on the imported member list with an unexpired membership. */
export async function emailsWithoutMembership(db: Tx, emails: string[], today: string): Promise<string[]> {
  if (emails.length === 0) return [];
  const wanted = emails.map(normaliseEmail);
  const rows = await db('members').whereIn('email_normalised', wanted).where('expires_on', '>=', today).select('email_normalised');
  const members = new Set(rows.map((r: { email_normalised: string }) => r.email_normalised));
  return emails.filter((e) => !members.has(normaliseEmail(e)));
}
