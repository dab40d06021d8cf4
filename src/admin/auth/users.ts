import type { Tx } from '../../db/connect';
import { normaliseEmail } from '../../lib/email';
import { toDbTime } from '../../lib/time';
import type { Role, StaffUser } from './roles';

type Row = Record<string, unknown>;

export function toStaffUser(row: Row): StaffUser {
  return { id: Number(row.id), email: String(row.email), name: String(row.name), role: row.role as Role };
}

export async function findUserByEmail(db: Tx, email: string): Promise<(StaffUser & { passwordHash: string; isActive: boolean }) | undefined> {
  const row = await db('users')
    .select('id', 'email', 'name', 'role', 'password_hash', 'is_active')
    .where({ email_normalised: normaliseEmail(email) })
    .first();
  return row ? { ...toStaffUser(row), passwordHash: String(row.password_hash), isActive: Boolean(row.is_active) } : undefined;
}

export async function insertUser(db: Tx, user: { email: string; name: string; role: Role; passwordHash: string }, now: Date): Promise<number> {
  const [row] = await db('users')
    .insert({
      email: user.email,
      email_normalised: normaliseEmail(user.email),
      name: user.name,
      role: user.role,
      password_hash: user.passwordHash,
      is_active: true,
      created_at: toDbTime(now),
      updated_at: toDbTime(now),
    })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

export async function markSignedIn(db: Tx, userId: number, now: Date): Promise<void> {
  await db('users').where({ id: userId }).update({ last_sign_in_at: toDbTime(now) });
}
