import type { ServiceContext } from '../../context';
import { writeTransaction } from '../../db/dialect';
import { ConflictError, UnauthorizedError, ValidationError } from '../../lib/errors';
import { recordAudit } from '../audit/log';
import { revokeLinks } from '../auth/password-links';
import { hashPassword, newPasswordSchema, verifyPassword } from '../auth/passwords';
import { isTwoFactorRequired, roleNeedsTwoFactor } from '../auth/policy';
import type { StaffUser } from '../auth/roles';
import { countSessionFailure, createSession, deleteSession, deleteUserSessions } from '../auth/sessions';
import { beginEnrolment, confirmEnrolment, removeTwoFactor } from '../auth/two-factor';
import { replaceRecoveryCodes } from '../auth/recovery-codes';
import { findUserById, updatePassword } from '../auth/users';

/** The signed-in person's session, as the account pages see it: its cookie id and row. */
export interface OwnSession {
  id: string;
  rowId: number;
}

/** Wrong current passwords allowed on one session before it is ended (re-authentication must not become a guessing game). */
export const MAX_PASSWORD_FAILURES = 5;

/**
 * Re-authentication for a change to one's own account (OWASP Authentication Cheat Sheet): the current password. Wrong:
 * 422 on `currentPassword`; after MAX_PASSWORD_FAILURES the session ends (401 `unauthorized`).
 */
async function confirmPassword(ctx: ServiceContext, user: StaffUser, session: OwnSession, typed: unknown): Promise<void> {
  const found = await findUserById(ctx.db, user.id);
  if (typeof typed === 'string' && typed.length > 0 && typed.length <= 1000 && found?.hasPassword && (await verifyPassword(found.passwordHash, typed))) return;
  const failures = await writeTransaction(ctx.db, (trx) => countSessionFailure(trx, session.rowId));
  if (failures >= MAX_PASSWORD_FAILURES) {
    await deleteSession(ctx.db, session.id);
    throw new UnauthorizedError('unauthorized', 'That was not your current password several times, so you have been signed out. Sign in again.');
  }
  throw new ValidationError([{ path: 'currentPassword', message: typeof typed === 'string' && typed.length > 0 ? 'That is not your current password.' : 'Enter your current password.' }]);
}

/**
 * Changes one's own password (current password required). Every session of the person ends, and this browser gets a
 * new one: whoever else was signed in as them is signed out. Unused set-password links stop working. Returns the new
 * session id for the cookie.
 */
export async function changeOwnPassword(ctx: ServiceContext, user: StaffUser, session: OwnSession, form: Record<string, unknown>): Promise<string> {
  const parsed = newPasswordSchema(user.email).safeParse(form);
  const problems = parsed.success ? [] : (ValidationError.fromZod(parsed.error).details ?? []);
  try {
    await confirmPassword(ctx, user, session, form.currentPassword);
  } catch (error) {
    // Report the new password's problems beside the current one's, so the form is corrected in one go.
    if (error instanceof ValidationError) throw new ValidationError([...(error.details ?? []), ...problems]);
    throw error;
  }
  if (!parsed.success) throw new ValidationError(problems);
  const passwordHash = await hashPassword(parsed.data.password);
  const now = ctx.clock.now();
  const created = await writeTransaction(ctx.db, async (trx) => {
    await updatePassword(trx, user.id, passwordHash, now);
    await revokeLinks(trx, user.id, now);
    const sessionsEnded = (await deleteUserSessions(trx, user.id)) - 1;
    await recordAudit(trx, user, { action: 'password_changed', targetType: 'user', targetId: user.id, details: { sessionsEnded: Math.max(0, sessionsEnded) } }, now);
    return createSession(trx, user.id, now, ctx.config.sessions);
  });
  return created.id;
}

/** Starts (or starts again) setting up two-factor: a new secret, shown until a code from the app confirms it. */
export async function startTwoFactor(ctx: ServiceContext, user: StaffUser): Promise<void> {
  await writeTransaction(ctx.db, (trx) => beginEnrolment(trx, ctx.config, user.id, ctx.clock.now()));
}

/** Switches two-factor on with the first code from the app; returns the recovery codes to show once. 422 on `code` when wrong. */
export async function confirmTwoFactor(ctx: ServiceContext, user: StaffUser, code: string): Promise<string[]> {
  const now = ctx.clock.now();
  const codes = await writeTransaction(ctx.db, async (trx) => {
    const made = await confirmEnrolment(trx, ctx.config, user.id, code, now);
    if (made) await recordAudit(trx, user, { action: 'totp_enrolled', targetType: 'user', targetId: user.id }, now);
    return made;
  });
  if (!codes) throw new ValidationError([{ path: 'code', message: 'That code is not right. Type the newest 6-digit code your app shows for this account.' }]);
  return codes;
}

/**
 * New recovery codes in place of the old ones (current password required); returns them to show once. 409
 * `two_factor_not_set_up` while two-factor is off (there is nothing for the codes to stand in for).
 */
export async function renewRecoveryCodes(ctx: ServiceContext, user: StaffUser, session: OwnSession, currentPassword: unknown): Promise<string[]> {
  if (!(await findUserById(ctx.db, user.id))?.hasTotp) throw new ConflictError('two_factor_not_set_up', 'Two-factor sign-in is off, so there are no recovery codes to renew. Set it up first.');
  await confirmPassword(ctx, user, session, currentPassword);
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const codes = await replaceRecoveryCodes(trx, user.id, now);
    await recordAudit(trx, user, { action: 'recovery_codes_regenerated', targetType: 'user', targetId: user.id }, now);
    return codes;
  });
}

/** Switches one's own two-factor off (current password required); 409 `two_factor_required` when the role requires it. */
export async function switchOffTwoFactor(ctx: ServiceContext, user: StaffUser, session: OwnSession, currentPassword: unknown): Promise<void> {
  if (roleNeedsTwoFactor(user.role, await isTwoFactorRequired(ctx.db))) {
    throw new ConflictError('two_factor_required', 'Two-factor sign-in is required for your role, so it cannot be switched off. If you have lost your authenticator, ask another administrator to remove it.');
  }
  await confirmPassword(ctx, user, session, currentPassword);
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    if (await removeTwoFactor(trx, user.id, now)) await recordAudit(trx, user, { action: 'totp_removed', targetType: 'user', targetId: user.id, details: { by: 'self' } }, now);
  });
}

/** Signs the person out of every other browser; this one stays signed in. Returns how many sessions ended. */
export async function endOtherSessions(ctx: ServiceContext, user: StaffUser, session: OwnSession): Promise<number> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const ended = await deleteUserSessions(trx, user.id, session.rowId);
    await recordAudit(trx, user, { action: 'sessions_ended', targetType: 'user', targetId: user.id, details: { by: 'self', sessionsEnded: ended } }, now);
    return ended;
  });
}
