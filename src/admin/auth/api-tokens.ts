import type { Tx } from '../../db/connect';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../../lib/time';
import { hashToken, newSecretToken } from '../../lib/tokens';
import type { StaffUser } from './roles';
import { toStaffUser } from './users';

/** The prefix tells a leaked token apart from other secrets (and lets secret scanners find it). */
export const TOKEN_PREFIX = 'hsug_';

export interface ApiTokenSummary {
  id: number;
  name: string;
  userEmail: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Stores only the token's sha256 hash and returns the token itself, which is shown once. */
export async function createApiToken(db: Tx, userId: number, name: string, now: Date): Promise<{ id: number; token: string }> {
  const token = `${TOKEN_PREFIX}${newSecretToken()}`;
  const [row] = await db('api_tokens').insert({ user_id: userId, name, token_hash: hashToken(token), created_at: toDbTime(now) }).returning('id');
  return { id: Number(typeof row === 'object' ? row.id : row), token };
}

export async function findUserByApiToken(db: Tx, token: string, now: Date): Promise<StaffUser | undefined> {
  const row = await db('api_tokens')
    .join('users', 'users.id', 'api_tokens.user_id')
    .select('api_tokens.id as token_id', 'api_tokens.last_used_at', 'users.id', 'users.email', 'users.name', 'users.role')
    .where('api_tokens.token_hash', hashToken(token))
    .whereNull('api_tokens.revoked_at')
    .where('users.is_active', true)
    .first();
  if (!row) return undefined;
  const last = fromDbTimeOrNull(row.last_used_at);
  if (!last || now.getTime() - last.getTime() > 60_000) {
    await db('api_tokens').where({ id: row.token_id }).update({ last_used_at: toDbTime(now) });
  }
  return toStaffUser(row);
}

export async function listApiTokens(db: Tx): Promise<ApiTokenSummary[]> {
  const rows = await db('api_tokens')
    .join('users', 'users.id', 'api_tokens.user_id')
    .select('api_tokens.id', 'api_tokens.name', 'users.email', 'api_tokens.created_at', 'api_tokens.last_used_at', 'api_tokens.revoked_at')
    .orderBy('api_tokens.id');
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    name: String(r.name),
    userEmail: String(r.email),
    createdAt: fromDbTime(r.created_at),
    lastUsedAt: fromDbTimeOrNull(r.last_used_at),
    revokedAt: fromDbTimeOrNull(r.revoked_at),
  }));
}

export async function revokeApiToken(db: Tx, id: number, now: Date): Promise<boolean> {
  return (await db('api_tokens').where({ id }).whereNull('revoked_at').update({ revoked_at: toDbTime(now) })) === 1;
}
