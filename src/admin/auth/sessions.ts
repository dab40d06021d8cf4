import type { Tx } from '../../db/connect';
import { fromDbTime, toDbTime } from '../../lib/time';
import { hashToken, newSecretToken } from '../../lib/tokens';
import type { StaffUser } from './roles';
import { toStaffUser } from './users';

export const SESSION_COOKIE = 'hsug_staff';
/** How often last use is written back, so that every page view is not a write. */
const TOUCH_EVERY_MS = 5 * 60_000;

/**
 * Half-way through sign-in: `code` owes a two-factor code, `enrol` must set up two-factor first. Such a session
 * carries a CSRF token for its one form and grants nothing else; it lasts only this long.
 */
export type SessionStage = 'code' | 'enrol';
export const STAGE_LIFETIME_MS: Record<SessionStage, number> = { code: 10 * 60_000, enrol: 30 * 60_000 };

/** A signed-in session ends after `idleMs` without use, and `maxAgeMs` after sign-in whatever happens (config.sessions). */
export interface SessionLimits {
  idleMs: number;
  maxAgeMs: number;
}

export interface Session {
  rowId: number;
  csrfToken: string;
  /** The signed-in person; null while the session is half-way through sign-in. */
  user: StaffUser | null;
  /** Half-way through sign-in: who, and the step they owe. */
  pending: { user: StaffUser; stage: SessionStage; codeFailures: number } | null;
}

function expiryOf(createdAt: Date, now: Date, limits: SessionLimits): Date {
  return new Date(Math.min(now.getTime() + limits.idleMs, createdAt.getTime() + limits.maxAgeMs));
}

/**
 * Creates a session and returns its id: the only copy, for the cookie; the database keeps its sha256 hash. A new id
 * at every step of sign-in, so an id planted before sign-in is never promoted (OWASP: session fixation).
 */
export async function createSession(db: Tx, userId: number, now: Date, limits: SessionLimits, stage: SessionStage | null = null): Promise<{ id: string; csrfToken: string }> {
  const id = newSecretToken();
  const csrfToken = newSecretToken();
  const expires = stage ? new Date(now.getTime() + STAGE_LIFETIME_MS[stage]) : expiryOf(now, now, limits);
  await db('sessions').insert({
    id_hash: hashToken(id),
    user_id: userId,
    csrf_token: csrfToken,
    stage,
    created_at: toDbTime(now),
    last_seen_at: toDbTime(now),
    expires_at: toDbTime(expires),
  });
  return { id, csrfToken };
}

/**
 * The live session with this id, or undefined: expired (idle), older than the maximum age, its person disabled, or
 * a row without a person (the anonymous sign-in sessions of earlier versions).
 */
export async function findSession(db: Tx, id: string, now: Date, limits: SessionLimits): Promise<Session | undefined> {
  const row = await db('sessions')
    .join('users', 'users.id', 'sessions.user_id')
    .select('sessions.id as session_id', 'sessions.csrf_token', 'sessions.stage', 'sessions.code_failures', 'sessions.created_at', 'sessions.last_seen_at', 'users.id', 'users.email', 'users.name', 'users.role', 'users.is_active')
    .where('sessions.id_hash', hashToken(id))
    .where('sessions.expires_at', '>', toDbTime(now))
    .where('sessions.created_at', '>', toDbTime(new Date(now.getTime() - limits.maxAgeMs)))
    .first();
  if (!row || !row.is_active) return undefined;
  const person = toStaffUser(row);
  const rowId = Number(row.session_id);
  if (row.stage) {
    return { rowId, csrfToken: String(row.csrf_token), user: null, pending: { user: person, stage: row.stage as SessionStage, codeFailures: Number(row.code_failures) } };
  }
  if (now.getTime() - fromDbTime(row.last_seen_at).getTime() > TOUCH_EVERY_MS) {
    await db('sessions')
      .where({ id: rowId })
      .update({ last_seen_at: toDbTime(now), expires_at: toDbTime(expiryOf(fromDbTime(row.created_at), now, limits)) });
  }
  return { rowId, csrfToken: String(row.csrf_token), user: person, pending: null };
}

export async function deleteSession(db: Tx, id: string): Promise<void> {
  await db('sessions').where({ id_hash: hashToken(id) }).delete();
}

/** Ends every session of one person (all browsers), or every one but `keepRowId`; returns how many ended. */
export async function deleteUserSessions(db: Tx, userId: number, keepRowId?: number): Promise<number> {
  const query = db('sessions').where({ user_id: userId });
  return keepRowId === undefined ? query.delete() : query.whereNot({ id: keepRowId }).delete();
}

export async function countUserSessions(db: Tx, userId: number, now: Date, limits: SessionLimits): Promise<number> {
  const row = await db('sessions')
    .where({ user_id: userId })
    .whereNull('stage')
    .where('expires_at', '>', toDbTime(now))
    .where('created_at', '>', toDbTime(new Date(now.getTime() - limits.maxAgeMs)))
    .count({ n: '*' })
    .first();
  return Number(row?.n ?? 0);
}

/**
 * Counts one wrong answer given on a session (a two-factor code at sign-in, the current password on the account pages)
 * and returns the count so far; the caller ends the session after a few.
 */
export async function countSessionFailure(db: Tx, rowId: number): Promise<number> {
  await db('sessions').where({ id: rowId }).increment('code_failures', 1);
  const row = await db('sessions').select('code_failures').where({ id: rowId }).first();
  return Number(row?.code_failures ?? Number.MAX_SAFE_INTEGER);
}

/** Deletes sessions that can no longer be used (idle, past their maximum age, or anonymous rows of old versions). */
export async function purgeSessions(db: Tx, now: Date, limits: SessionLimits): Promise<number> {
  return db('sessions')
    .where('expires_at', '<=', toDbTime(now))
    .orWhere('created_at', '<=', toDbTime(new Date(now.getTime() - limits.maxAgeMs)))
    .orWhereNull('user_id')
    .delete();
}
