import type { ServiceContext } from '../../context';
import { writeTransaction } from '../../db/dialect';
import { AppError, UnauthorizedError, ValidationError } from '../../lib/errors';
import { recordAudit } from '../audit/log';
import { verifyAgainstNobody, verifyPassword } from './passwords';
import { isTwoFactorRequired, roleNeedsTwoFactor } from './policy';
import type { StaffUser } from './roles';
import { countSessionFailure, createSession, deleteSession, type Session, type SessionStage } from './sessions';
import { admitSignInAttempt, settleTwoStepSignIn } from './throttle';
import { beginEnrolment, checkSecondFactor, confirmEnrolment } from './two-factor';
import { findUserByEmail, markSignedIn } from './users';

export interface SignInAttempt {
  email: string;
  password: string;
  ip: string;
  /** The session the browser came with, if any; it is ended, never promoted. */
  previousSessionId?: string;
}

/** A new session: signed in (`stage` null), or half-way, owing a two-factor code or a two-factor set-up. */
export interface SignInResult {
  sessionId: string;
  user: StaffUser;
  stage: SessionStage | null;
}

/** Wrong codes allowed on one half-way session; then the person starts again from the password (which is throttled). */
export const MAX_CODE_FAILURES = 5;

/**
 * Checks the password and starts a new session with a new id: a session id an attacker planted before
 * sign-in is thrown away, never upgraded (session fixation). The attempt is counted before the password is checked
 * (throttle.ts): 429 `too_many_attempts`, 503 `limits_unavailable`; a wrong password is 401 `sign_in_failed`.
 * With two-factor on, or required for the person's role, the new session is only half-way (`stage`): it grants
 * nothing until the code is given or two-factor is set up.
 */
export async function signIn(ctx: ServiceContext, attempt: SignInAttempt): Promise<SignInResult> {
  const now = ctx.clock.now();
  // Outside any transaction: on SQLite the limiter needs the pool's one connection.
  const ticket = await admitSignInAttempt(ctx, attempt.email, attempt.ip);
  let found: Awaited<ReturnType<typeof findUserByEmail>>;
  let ok: boolean;
  try {
    found = await findUserByEmail(ctx.db, attempt.email);
    // An invited account without a password, or a disabled one, is answered exactly as an unknown email is.
    ok = found && found.isActive && found.hasPassword ? await verifyPassword(found.passwordHash, attempt.password) : await verifyAgainstNobody(attempt.password);
  } catch (error) {
    await ticket.abandoned();
    throw error;
  }
  if (!ok || !found) throw new UnauthorizedError('sign_in_failed', 'That email address and password do not match a staff account.');
  const user: StaffUser = { id: found.id, email: found.email, name: found.name, role: found.role };
  const stage: SessionStage | null = found.hasTotp ? 'code' : roleNeedsTwoFactor(user.role, await isTwoFactorRequired(ctx.db)) ? 'enrol' : null;
  const session = await writeTransaction(ctx.db, async (trx) => {
    if (attempt.previousSessionId) await deleteSession(trx, attempt.previousSessionId);
    if (stage === 'enrol') await beginEnrolment(trx, ctx.config, user.id, now);
    if (stage === null) await completeSignIn(trx, user, { ip: attempt.ip, method: 'password' }, now);
    return createSession(trx, user.id, now, ctx.config.sessions, stage);
  });
  // A right password resets its throttle count, unless a code is still owed: then the attempt stays counted like a
  // failure until the right code is given (settleTwoStepSignIn), so someone who has the password and guesses codes
  // (five per half-way session) by signing in again and again meets the sign-in limits after a few rounds.
  if (stage !== 'code') await ticket.succeeded();
  return { sessionId: session.id, user, stage };
}

async function completeSignIn(trx: Parameters<typeof markSignedIn>[0], user: StaffUser, details: Record<string, unknown>, now: Date): Promise<void> {
  await markSignedIn(trx, user.id, now);
  await recordAudit(trx, user, { action: 'sign_in', targetType: 'user', targetId: user.id, details }, now);
}

/** A half-way session, loaded by the middleware: its cookie id and what it owes. */
export interface HalfwaySession {
  id: string;
  rowId: number;
  pending: NonNullable<Session['pending']>;
}

/**
 * The second step of sign-in: a code from the authenticator app, or one recovery code. Right: the half-way session
 * is replaced by a signed-in one (a new id again). Wrong: 401 `two_factor_failed`; after MAX_CODE_FAILURES wrong codes
 * the half-way session ends and 429 `too_many_codes` says to start again from the password.
 */
export async function signInWithCode(ctx: ServiceContext, session: HalfwaySession, code: string, ip: string): Promise<{ sessionId: string; usedRecoveryCode: boolean }> {
  const now = ctx.clock.now();
  const user = session.pending.user;
  const outcome = await writeTransaction(ctx.db, async (trx) => {
    const checked = await checkSecondFactor(trx, ctx.config, user.id, code, now);
    if (!checked.ok) return { ok: false as const, unreadable: checked.unreadable, failures: await countSessionFailure(trx, session.rowId) };
    await deleteSession(trx, session.id);
    await completeSignIn(trx, user, { ip, method: checked.method }, now);
    if (checked.method === 'recovery_code') await recordAudit(trx, user, { action: 'recovery_code_used', targetType: 'user', targetId: user.id }, now);
    const created = await createSession(trx, user.id, now, ctx.config.sessions);
    return { ok: true as const, sessionId: created.id, usedRecoveryCode: checked.method === 'recovery_code' };
  });
  if (outcome.ok) {
    // After the commit: the limiter must not run inside a transaction (on SQLite it needs the pool's one connection).
    await settleTwoStepSignIn(ctx, user.email, ip);
    return { sessionId: outcome.sessionId, usedRecoveryCode: outcome.usedRecoveryCode };
  }
  if (outcome.unreadable) ctx.logger.error('two-factor secret cannot be decrypted (was SESSION_SECRET changed?); a recovery code still works', { userId: user.id });
  if (outcome.failures >= MAX_CODE_FAILURES) {
    await deleteSession(ctx.db, session.id);
    throw new AppError('too_many_codes', 'Too many wrong codes. Sign in again with your password.');
  }
  throw new UnauthorizedError('two_factor_failed', 'That code is not right, or it has been used already. Try the newest code from your app.');
}

/**
 * The set-up step for someone whose role requires two-factor: a right code from the new app switches two-factor on
 * and signs them in. Returns the new session and the recovery codes to show once.
 */
export async function signInWithEnrolment(ctx: ServiceContext, session: HalfwaySession, code: string, ip: string): Promise<{ sessionId: string; recoveryCodes: string[] }> {
  const now = ctx.clock.now();
  const user = session.pending.user;
  const done = await writeTransaction(ctx.db, async (trx) => {
    const codes = await confirmEnrolment(trx, ctx.config, user.id, code, now);
    if (!codes) return null;
    await recordAudit(trx, user, { action: 'totp_enrolled', targetType: 'user', targetId: user.id }, now);
    await deleteSession(trx, session.id);
    await completeSignIn(trx, user, { ip, method: 'totp_enrolment' }, now);
    return { codes, created: await createSession(trx, user.id, now, ctx.config.sessions) };
  });
  if (!done) throw new ValidationError([{ path: 'code', message: 'That code is not right. Type the newest 6-digit code your app shows for this account.' }]);
  return { sessionId: done.created.id, recoveryCodes: done.codes };
}

export async function signOut(ctx: ServiceContext, sessionId: string, user: StaffUser | null): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    await deleteSession(trx, sessionId);
    if (user) await recordAudit(trx, user, { action: 'sign_out', targetType: 'user', targetId: user.id }, now);
  });
}
