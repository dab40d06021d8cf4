import { randomInt } from 'node:crypto';
import type { Tx } from '../../db/connect';
import { toDbTime } from '../../lib/time';
import { hashToken } from '../../lib/tokens';

/** How many recovery codes a person gets; each works once, in place of an authenticator code. */
export const RECOVERY_CODE_COUNT = 10;

/** Crockford's base32: no I, L, O or U, so a code read off paper and typed back survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A code of 16 characters (80 random bits), shown as XXXX-XXXX-XXXX-XXXX. 80 bits are far beyond guessing, online or
 * against a stolen table of their sha256 hashes, so a plain hash is enough (unlike a password).
 */
function newCode(): string {
  let code = '';
  for (let i = 0; i < 16; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code.replace(/(.{4})(?=.)/g, '$1-');
}

/** What a person typed, in the stored form: capitals, no spaces or dashes, and Crockford's look-alikes read as digits. */
export function normaliseRecoveryCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function looksLikeRecoveryCode(typed: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{16}$/.test(normaliseRecoveryCode(typed));
}

/** Replaces a person's recovery codes with new ones and returns them: the only time they are seen. */
export async function replaceRecoveryCodes(db: Tx, userId: number, now: Date): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await db('recovery_codes').where({ user_id: userId }).delete();
  await db('recovery_codes').insert(codes.map((code) => ({ user_id: userId, code_hash: hashToken(normaliseRecoveryCode(code)), created_at: toDbTime(now) })));
  return codes;
}

/** Uses up one of the person's codes; false when it is not theirs or was used already (a conditional update, so once only). */
export async function useRecoveryCode(db: Tx, userId: number, typed: string, now: Date): Promise<boolean> {
  const changed = await db('recovery_codes')
    .where({ user_id: userId, code_hash: hashToken(normaliseRecoveryCode(typed)) })
    .whereNull('used_at')
    .update({ used_at: toDbTime(now) });
  return changed > 0;
}

export async function countUnusedRecoveryCodes(db: Tx, userId: number): Promise<number> {
  const row = await db('recovery_codes').where({ user_id: userId }).whereNull('used_at').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function deleteRecoveryCodes(db: Tx, userId: number): Promise<void> {
  await db('recovery_codes').where({ user_id: userId }).delete();
}
