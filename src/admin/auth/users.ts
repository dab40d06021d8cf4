import { isPostgres, type Tx } from '../../db/connect';
import { normaliseEmail } from '../../lib/email';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../../lib/time';
import type { Role, StaffUser } from './roles';

type Row = Record<string, unknown>;

/** The stored `password_hash` of an invited account whose owner has not chosen a password yet: nothing matches it. */
export const NO_PASSWORD = '';

export function toStaffUser(row: Row): StaffUser {
  return { id: Number(row.id), email: String(row.email), name: String(row.name), role: row.role as Role };
}

/** A staff account as the account pages and sign-in see it. */
export interface UserRecord extends StaffUser {
  passwordHash: string;
  /** False for an invited account that has not set its password yet. */
  hasPassword: boolean;
  isActive: boolean;
  hasTotp: boolean;
  lastSignInAt: Date | null;
  passwordChangedAt: Date | null;
  createdAt: Date;
}

const COLUMNS = ['id', 'email', 'name', 'role', 'password_hash', 'is_active', 'totp_enabled_at', 'last_sign_in_at', 'password_changed_at', 'created_at'];

function toRecord(row: Row): UserRecord {
  const passwordHash = String(row.password_hash ?? NO_PASSWORD);
  return {
    ...toStaffUser(row),
    passwordHash,
    hasPassword: passwordHash !== NO_PASSWORD,
    isActive: Boolean(row.is_active),
    hasTotp: row.totp_enabled_at !== null && row.totp_enabled_at !== undefined,
    lastSignInAt: fromDbTimeOrNull(row.last_sign_in_at),
    passwordChangedAt: fromDbTimeOrNull(row.password_changed_at),
    createdAt: fromDbTime(row.created_at),
  };
}

export async function findUserByEmail(db: Tx, email: string): Promise<UserRecord | undefined> {
  const row = await db('users').select(COLUMNS).where({ email_normalised: normaliseEmail(email) }).first();
  return row ? toRecord(row) : undefined;
}

export async function findUserById(db: Tx, id: number): Promise<UserRecord | undefined> {
  const row = await db('users').select(COLUMNS).where({ id }).first();
  return row ? toRecord(row) : undefined;
}

/** Every staff account, administrators first, then by name. */
export async function listUsers(db: Tx): Promise<UserRecord[]> {
  const rows = await db('users').select(COLUMNS).orderBy([{ column: 'role' }, { column: 'name' }, { column: 'id' }]);
  return rows.map(toRecord);
}

/** `passwordHash` is NO_PASSWORD for an invitation. */
export async function insertUser(db: Tx, user: { email: string; name: string; role: Role; passwordHash: string }, now: Date): Promise<number> {
  const [row] = await db('users')
    .insert({
      email: user.email,
      email_normalised: normaliseEmail(user.email),
      name: user.name,
      role: user.role,
      password_hash: user.passwordHash,
      password_changed_at: user.passwordHash === NO_PASSWORD ? null : toDbTime(now),
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

export async function updatePassword(db: Tx, userId: number, passwordHash: string, now: Date): Promise<void> {
  await db('users').where({ id: userId }).update({ password_hash: passwordHash, password_changed_at: toDbTime(now), updated_at: toDbTime(now) });
}

/** Returns false when the account already was in that state (nothing changed). */
export async function updateActive(db: Tx, userId: number, isActive: boolean, now: Date): Promise<boolean> {
  return (await db('users').where({ id: userId, is_active: !isActive }).update({ is_active: isActive, updated_at: toDbTime(now) })) === 1;
}

export async function updateRole(db: Tx, userId: number, role: Role, now: Date): Promise<void> {
  await db('users').where({ id: userId }).update({ role, updated_at: toDbTime(now) });
}

/**
 * Active administrators other than `exceptId` who can sign in (they have a password). On PostgreSQL their rows are
 * locked for the rest of the transaction, so two administrators demoting each other at once cannot both succeed;
 * SQLite's write transaction already holds the database's one write lock.
 */
export async function countOtherActiveAdmins(db: Tx, exceptId: number): Promise<number> {
  const query = db('users').select('id').where({ role: 'admin', is_active: true }).whereNot({ id: exceptId }).whereNot({ password_hash: NO_PASSWORD });
  const rows = await (isPostgres(db) ? query.forUpdate() : query);
  return rows.length;
}
