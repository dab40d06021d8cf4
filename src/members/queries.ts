import type { Tx } from '../db/connect';
import { normaliseEmail } from '../lib/email';
import { fromDbTimeOrNull, toDbTime } from '../lib/time';
import type { MemberRow } from './csv';

/**
 * Whether this email belongs to a member whose membership runs to today or later. `today` is the
 * calendar date (YYYY-MM-DD) in the group's time zone; ISO dates compare correctly as text.
 */
export async function isCurrentMember(db: Tx, email: string, today: string): Promise<boolean> {
  const row = await db('members').select('id').where({ email_normalised: normaliseEmail(email) }).where('expires_on', '>=', today).first();
  return row !== undefined;
}

/** The emails among these that are not current members (one query for a whole booking). */
export async function emailsWithoutCurrentMembership(db: Tx, emails: string[], today: string): Promise<string[]> {
  if (emails.length === 0) return [];
  const rows = await db('members').whereIn('email_normalised', emails.map(normaliseEmail)).where('expires_on', '>=', today).select('email_normalised');
  const members = new Set(rows.map((r: { email_normalised: string }) => r.email_normalised));
  return emails.filter((e) => !members.has(normaliseEmail(e)));
}

/** Replaces the whole list with these rows, in the caller's transaction. */
export async function replaceMembers(db: Tx, members: MemberRow[], now: Date): Promise<void> {
  await db('members').delete();
  const stamp = toDbTime(now);
  for (let i = 0; i < members.length; i += 200) {
    await db('members').insert(
      members.slice(i, i + 200).map((m) => ({
        email: m.email,
        email_normalised: normaliseEmail(m.email),
        name: m.name,
        membership_number: m.membershipNumber,
        expires_on: m.expiresOn,
        imported_at: stamp,
      })),
    );
  }
}

export interface MemberCounts {
  total: number;
  current: number;
  expiringSoon: number;
  expired: number;
  importedAt: Date | null;
}

export async function countMembers(db: Tx, today: string, soon: string): Promise<MemberCounts> {
  const row = (await db('members')
    .count({ total: '*' })
    .select(db.raw('sum(case when expires_on >= ? then 1 else 0 end) as current', [today]))
    .select(db.raw('sum(case when expires_on >= ? and expires_on <= ? then 1 else 0 end) as soon', [today, soon]))
    .select(db.raw('sum(case when expires_on < ? then 1 else 0 end) as expired', [today]))
    .max({ imported_at: 'imported_at' })
    .first()) as Record<string, unknown> | undefined;
  return {
    total: Number(row?.total ?? 0),
    current: Number(row?.current ?? 0),
    expiringSoon: Number(row?.soon ?? 0),
    expired: Number(row?.expired ?? 0),
    importedAt: fromDbTimeOrNull(row?.imported_at ?? null),
  };
}
