import type { Config } from '../../config';
import type { Tx } from '../../db/connect';
import { createSecretBox, type SecretBox } from '../../lib/secret-box';
import { toDbTime } from '../../lib/time';
import { deleteRecoveryCodes, looksLikeRecoveryCode, replaceRecoveryCodes, useRecoveryCode } from './recovery-codes';
import { groupedSecret, matchTotp, newTotpSecret, qrCodeImage, totpUri } from './totp';

/**
 * A person's two-factor secret, kept encrypted in `users.totp_secret` (and, while they set it up,
 * `users.totp_pending_secret`): see lib/secret-box.ts. The box's key comes from SESSION_SECRET; each value is bound
 * to its user's id.
 */
const boxes = new WeakMap<Config, SecretBox>();

function boxFor(config: Config): SecretBox {
  let box = boxes.get(config);
  if (!box) {
    box = createSecretBox(config.sessionSecret, 'totp-secret');
    boxes.set(config, box);
  }
  return box;
}

const placeOf = (userId: number) => `user:${userId}`;

/** What the set-up page shows: the QR code (an SVG as a data: URI for an <img>), and the secret as text for typing in by hand. */
export interface Enrolment {
  qrImage: string;
  secret: string;
  uri: string;
}

/** Starts setting up two-factor: a new pending secret replaces any earlier one. Two-factor stays off until confirmed. */
export async function beginEnrolment(db: Tx, config: Config, userId: number, now: Date): Promise<void> {
  await db('users').where({ id: userId }).update({ totp_pending_secret: boxFor(config).seal(newTotpSecret(), placeOf(userId)), updated_at: toDbTime(now) });
}

/** The pending set-up to show, or null when there is none (or it was sealed under an earlier SESSION_SECRET). */
export async function pendingEnrolment(db: Tx, config: Config, user: { id: number; email: string }): Promise<Enrolment | null> {
  const row = await db('users').select('totp_pending_secret').where({ id: user.id }).first();
  const secret = row?.totp_pending_secret ? boxFor(config).open(String(row.totp_pending_secret), placeOf(user.id)) : null;
  if (!secret) return null;
  const uri = totpUri(secret, `${config.orgName} staff`, user.email);
  return { qrImage: await qrCodeImage(uri), secret: groupedSecret(secret), uri };
}

/**
 * Switches two-factor on when `code` is right for the pending secret (proof that the app has it), and returns the new
 * recovery codes; null when the code is wrong or there is nothing pending. The code's step is recorded, so the same
 * code cannot then sign in.
 */
export async function confirmEnrolment(db: Tx, config: Config, userId: number, code: string, now: Date): Promise<string[] | null> {
  const row = await db('users').select('totp_pending_secret').where({ id: userId }).first();
  const secret = row?.totp_pending_secret ? boxFor(config).open(String(row.totp_pending_secret), placeOf(userId)) : null;
  if (!secret) return null;
  const step = await matchTotp(secret, code, now, null);
  if (step === null) return null;
  await db('users')
    .where({ id: userId })
    .update({ totp_secret: boxFor(config).seal(secret, placeOf(userId)), totp_pending_secret: null, totp_enabled_at: toDbTime(now), totp_last_step: step, updated_at: toDbTime(now) });
  return replaceRecoveryCodes(db, userId, now);
}

/** Switches two-factor off and forgets the secret and the recovery codes. Returns false when it was not on. */
export async function removeTwoFactor(db: Tx, userId: number, now: Date): Promise<boolean> {
  const changed = await db('users')
    .where({ id: userId })
    .whereNotNull('totp_enabled_at')
    .update({ totp_secret: null, totp_pending_secret: null, totp_enabled_at: null, totp_last_step: null, updated_at: toDbTime(now) });
  await deleteRecoveryCodes(db, userId);
  return changed === 1;
}

export type SecondFactor = { ok: true; method: 'totp' | 'recovery_code' } | { ok: false; unreadable: boolean };

/**
 * Checks a code typed at sign-in: six digits from the app, or a recovery code. A TOTP code is accepted once: the
 * step it belongs to is written with a conditional update, so the same code posted twice at once passes only once.
 * `unreadable` says the stored secret could not be decrypted (SESSION_SECRET changed): recovery codes still work.
 */
export async function checkSecondFactor(db: Tx, config: Config, userId: number, typed: string, now: Date): Promise<SecondFactor> {
  const code = typed.replace(/\s/g, '');
  if (!/^\d{6}$/.test(code)) {
    if (looksLikeRecoveryCode(typed) && (await useRecoveryCode(db, userId, typed, now))) return { ok: true, method: 'recovery_code' };
    return { ok: false, unreadable: false };
  }
  const row = await db('users').select('totp_secret', 'totp_last_step').where({ id: userId }).whereNotNull('totp_enabled_at').first();
  if (!row?.totp_secret) return { ok: false, unreadable: false };
  const secret = boxFor(config).open(String(row.totp_secret), placeOf(userId));
  if (!secret) return { ok: false, unreadable: true };
  const lastStep = row.totp_last_step === null || row.totp_last_step === undefined ? null : Number(row.totp_last_step);
  const step = await matchTotp(secret, code, now, lastStep);
  if (step === null) return { ok: false, unreadable: false };
  const claimed = await db('users')
    .where({ id: userId })
    .where((q) => q.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
    .update({ totp_last_step: step });
  return claimed === 1 ? { ok: true, method: 'totp' } : { ok: false, unreadable: false };
}
