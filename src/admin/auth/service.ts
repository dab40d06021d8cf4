import type { ServiceContext } from '../../context';
import { writeTransaction } from '../../db/dialect';
import { UnauthorizedError } from '../../lib/errors';
import { recordAudit } from '../audit/log';
import { verifyAgainstNobody, verifyPassword } from './passwords';
import type { StaffUser } from './roles';
import { createSession, deleteExpiredSessions, deleteSession } from './sessions';
import { admitSignInAttempt } from './throttle';
import { findUserByEmail, markSignedIn } from './users';

export interface SignInAttempt {
  email: string;
  password: string;
  ip: string;
  /** The session the browser came with (the anonymous one); it is ended, never promoted. */
  previousSessionId?: string;
}

/**
 * Checks the password and starts a new session with a new id: a session id an attacker planted before
 * sign-in is thrown away, never upgraded (session fixation). The attempt is counted before the password is checked
 * (throttle.ts): 429 `too_many_attempts`, 503 `limits_unavailable`; a wrong password is 401 `sign_in_failed`.
 */
export async function signIn(ctx: ServiceContext, attempt: SignInAttempt): Promise<{ sessionId: string; user: StaffUser }> {
  const now = ctx.clock.now();
  // Outside any transaction: on SQLite the limiter needs the pool's one connection.
  const ticket = await admitSignInAttempt(ctx, attempt.email, attempt.ip);
  let found: Awaited<ReturnType<typeof findUserByEmail>>;
  let ok: boolean;
  try {
    found = await findUserByEmail(ctx.db, attempt.email);
    ok = found && found.isActive ? await verifyPassword(found.passwordHash, attempt.password) : await verifyAgainstNobody(attempt.password);
  } catch (error) {
    await ticket.abandoned();
    throw error;
  }
  if (!ok || !found) throw new UnauthorizedError('sign_in_failed', 'That email address and password do not match a staff account.');
  const user: StaffUser = { id: found.id, email: found.email, name: found.name, role: found.role };
  const session = await writeTransaction(ctx.db, async (trx) => {
    if (attempt.previousSessionId) await deleteSession(trx, attempt.previousSessionId);
    await deleteExpiredSessions(trx, now);
    await markSignedIn(trx, user.id, now);
    await recordAudit(trx, user, { action: 'sign_in', targetType: 'user', targetId: user.id, details: { ip: attempt.ip } }, now);
    return createSession(trx, user.id, now);
  });
  await ticket.succeeded();
  return { sessionId: session.id, user };
}

export async function signOut(ctx: ServiceContext, sessionId: string, user: StaffUser | null): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    await deleteSession(trx, sessionId);
    if (user) await recordAudit(trx, user, { action: 'sign_out', targetType: 'user', targetId: user.id }, now);
  });
}
