import type { Tx } from '../../db/connect';
import { fromDbTime, toDbTime } from '../../lib/time';
import { hashToken, newSecretToken } from '../../lib/tokens';
import type { StaffUser } from './roles';
import { toStaffUser } from './users';

export const SESSION_COOKIE = 'hsug_staff';
/** A signed-in session ends after this long without use. */
export const SESSION_IDLE_MS = 8 * 3600_000;
/** The anonymous session that only carries the sign-in form's CSRF token. */
export const ANONYMOUS_SESSION_MS = 3600_000;
/** How often last use is written back, so that every page view is not a write. */
const TOUCH_EVERY_MS = 5 * 60_000;

export interface Session {
  rowId: number;
  csrfToken: string;
  user: StaffUser | null;
}

/** Creates a session and returns its id: the only copy, for the cookie; the database keeps its hash. */
export async function createSession(db: Tx, userId: number | null, now: Date): Promise<{ id: string; csrfToken: string }> {
  const id = newSecretToken();
  const csrfToken = newSecretToken();
  const ttl = userId === null ? ANONYMOUS_SESSION_MS : SESSION_IDLE_MS;
  await db('sessions').insert({
    id_hash: hashToken(id),
    user_id: userId,
    csrf_token: csrfToken,
    created_at: toDbTime(now),
    last_seen_at: toDbTime(now),
    expires_at: toDbTime(new Date(now.getTime() + ttl)),
  });
  return { id, csrfToken };
}

export async function findSession(db: Tx, id: string, now: Date): Promise<Session | undefined> {
  const row = await db('sessions')
    .leftJoin('users', 'users.id', 'sessions.user_id')
    .select('sessions.id as session_id', 'sessions.csrf_token', 'sessions.last_seen_at', 'sessions.user_id', 'users.id', 'users.email', 'users.name', 'users.role', 'users.is_active')
    .where('sessions.id_hash', hashToken(id))
    .where('sessions.expires_at', '>', toDbTime(now))
    .first();
  if (!row) return undefined;
  if (row.user_id !== null && !row.is_active) return undefined;
  const user = row.user_id === null ? null : toStaffUser(row);
  if (user && now.getTime() - fromDbTime(row.last_seen_at).getTime() > TOUCH_EVERY_MS) {
    await db('sessions')
      .where({ id: row.session_id })
      .update({ last_seen_at: toDbTime(now), expires_at: toDbTime(new Date(now.getTime() + SESSION_IDLE_MS)) });
  }
  return { rowId: Number(row.session_id), csrfToken: String(row.csrf_token), user };
}

export async function deleteSession(db: Tx, id: string): Promise<void> {
  await db('sessions').where({ id_hash: hashToken(id) }).delete();
}

export async function deleteExpiredSessions(db: Tx, now: Date): Promise<void> {
  await db('sessions').where('expires_at', '<=', toDbTime(now)).delete();
}
