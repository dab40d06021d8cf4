import { createHmac } from 'node:crypto';
import type { Config } from '../../config';
import type { Tx } from '../../db/connect';
import { fromDbTime, toDbTime } from '../../lib/time';
import { hashToken, newSecretToken } from '../../lib/tokens';

/**
 * Set-password links (`staff_links`): an invitation (`invite`) or a password reset (`reset`). Each is single use,
 * short-lived, and replaced by a newer one for the same person (OWASP Forgot Password Cheat Sheet).
 *
 * The token in the link is HMAC-SHA256(SESSION_SECRET, "staff-link:" + nonce), made when the email is rendered from
 * the row's random nonce; the table keeps only the token's sha256. So neither the table nor the outbox holds a
 * working link, and a link dies if SESSION_SECRET is rotated.
 */
export type LinkPurpose = 'invite' | 'reset';

export const LINK_LIFETIME_MS: Record<LinkPurpose, number> = { invite: 7 * 86400_000, reset: 3600_000 };

export interface PasswordLink {
  id: number;
  userId: number;
  purpose: LinkPurpose;
  expiresAt: Date;
}

function tokenOf(config: Config, nonce: string): string {
  return createHmac('sha256', config.sessionSecret).update(`staff-link:${nonce}`).digest('base64url');
}

/** Records a new link for the person and revokes their earlier unused ones. The token is made when the email is sent. */
export async function issueLink(db: Tx, config: Config, userId: number, purpose: LinkPurpose, now: Date): Promise<PasswordLink> {
  await revokeLinks(db, userId, now);
  const nonce = newSecretToken();
  const expiresAt = new Date(now.getTime() + LINK_LIFETIME_MS[purpose]);
  const [row] = await db('staff_links')
    .insert({ user_id: userId, purpose, nonce, token_hash: hashToken(tokenOf(config, nonce)), created_at: toDbTime(now), expires_at: toDbTime(expiresAt) })
    .returning('id');
  return { id: Number(typeof row === 'object' ? row.id : row), userId, purpose, expiresAt };
}

/** Revokes a person's unused links (a newer link, a disabled account, a password changed some other way). */
export async function revokeLinks(db: Tx, userId: number, now: Date): Promise<void> {
  await db('staff_links').where({ user_id: userId }).whereNull('used_at').whereNull('revoked_at').update({ revoked_at: toDbTime(now) });
}

/** The address in the email, for a link row (used by the email renderer). */
export async function linkUrlById(db: Tx, config: Config, id: number): Promise<{ url: string; purpose: LinkPurpose; userId: number; expiresAt: Date } | undefined> {
  const row = await db('staff_links').select('nonce', 'purpose', 'user_id', 'expires_at').where({ id }).first();
  if (!row) return undefined;
  return { url: `${config.publicUrl}/admin/set-password/${tokenOf(config, String(row.nonce))}`, purpose: row.purpose as LinkPurpose, userId: Number(row.user_id), expiresAt: fromDbTime(row.expires_at) };
}

/** The link a token opens, if it can still be used: not used, not replaced, not expired, and its person not disabled. */
export async function findUsableLink(db: Tx, token: string, now: Date): Promise<PasswordLink | undefined> {
  const row = await db('staff_links')
    .join('users', 'users.id', 'staff_links.user_id')
    .select('staff_links.id', 'staff_links.user_id', 'staff_links.purpose', 'staff_links.expires_at')
    .where('staff_links.token_hash', hashToken(token))
    .whereNull('staff_links.used_at')
    .whereNull('staff_links.revoked_at')
    .where('staff_links.expires_at', '>', toDbTime(now))
    .where('users.is_active', true)
    .first();
  return row ? { id: Number(row.id), userId: Number(row.user_id), purpose: row.purpose as LinkPurpose, expiresAt: fromDbTime(row.expires_at) } : undefined;
}

/** Uses the link up; false when another request used it first (a conditional update, so it works once). */
export async function consumeLink(db: Tx, id: number, now: Date): Promise<boolean> {
  const changed = await db('staff_links').where({ id }).whereNull('used_at').whereNull('revoked_at').where('expires_at', '>', toDbTime(now)).update({ used_at: toDbTime(now) });
  return changed === 1;
}

/** How many reset links a person was sent since `since` (the forgotten-password form sends at most a few an hour). */
export async function countRecentResets(db: Tx, userId: number, since: Date): Promise<number> {
  const row = await db('staff_links').where({ user_id: userId, purpose: 'reset' }).where('created_at', '>', toDbTime(since)).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Deletes links that can no longer open anything: used, replaced or expired more than a day ago. */
export async function purgeLinks(db: Tx, now: Date): Promise<number> {
  const dayAgo = toDbTime(new Date(now.getTime() - 86400_000));
  return db('staff_links')
    .where('expires_at', '<=', dayAgo)
    .orWhere('used_at', '<=', dayAgo)
    .orWhere('revoked_at', '<=', dayAgo)
    .delete();
}
