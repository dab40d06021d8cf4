import type { Knex } from 'knex';
import type { Config } from '../../config';
import type { Tx } from '../../db/connect';
import { writeTransaction } from '../../db/dialect';
import type { Clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { publicHost } from '../../lib/links';
import { enqueueEmail } from '../../mail/outbox';
import { recordAudit, type Actor } from '../audit/log';
import { consumeLink, countRecentResets, findUsableLink, issueLink, revokeLinks, type LinkPurpose } from '../auth/password-links';
import { hashPassword, newPasswordSchema } from '../auth/passwords';
import { isTwoFactorRequired, roleNeedsTwoFactor, setTwoFactorRequired, TWO_FACTOR_ROLES } from '../auth/policy';
import type { Role } from '../auth/roles';
import { deleteUserSessions } from '../auth/sessions';
import { removeTwoFactor } from '../auth/two-factor';
import { countOtherActiveAdmins, findUserByEmail, findUserById, insertUser, NO_PASSWORD, updateActive, updatePassword, updateRole, type UserRecord } from '../auth/users';
import { accountEmail } from './account-email';

/**
 * What the account use cases need: the staff pages pass the service context, the command line its own database,
 * configuration and the system clock. `kickOutbox` wakes the sender after a commit that queued an email (the command
 * line has none: the running service sends the email within seconds).
 */
export interface AccountDeps {
  db: Knex;
  config: Config;
  clock: Clock;
  kickOutbox?(): void;
}

/** At most this many reset emails an hour for one account from the forgotten-password form; further requests send nothing. */
export const MAX_RESETS_PER_HOUR = 3;

async function userOr404(db: Tx, userId: number): Promise<UserRecord> {
  const user = await findUserById(db, userId);
  if (!user) throw new NotFoundError('not_found', 'No staff account with that number.');
  return user;
}

function refuseOwnAccount(actor: Actor, userId: number): void {
  if (actor.id === userId) throw new ConflictError('own_account', 'You cannot disable your own account or change your own role. Ask another administrator.');
}

/** Someone else must still be able to run the service: the last active administrator cannot be disabled or demoted. */
async function keepAnAdmin(db: Tx, user: UserRecord): Promise<void> {
  if (user.role === 'admin' && user.isActive && (await countOtherActiveAdmins(db, user.id)) === 0) {
    throw new ConflictError('last_admin', `${user.name} is the only active administrator. Make someone else an administrator first.`);
  }
}

async function sendLink(db: Tx, deps: AccountDeps, user: UserRecord, purpose: LinkPurpose, now: Date): Promise<void> {
  const link = await issueLink(db, deps.config, user.id, purpose, now);
  await enqueueEmail(db, accountEmail(deps.config, user, link), now, publicHost(deps.config));
}

/**
 * Creates an account without a password and emails its owner a set-password link (valid 7 days). An address that
 * already has an account is a 422 on `email`.
 */
export async function inviteUser(deps: AccountDeps, actor: Actor, input: { email: string; name: string; role: Role }): Promise<UserRecord> {
  const now = deps.clock.now();
  const user = await writeTransaction(deps.db, async (trx) => {
    if (await findUserByEmail(trx, input.email)) throw new ValidationError([{ path: 'email', message: 'There is already a staff account for this address.' }]);
    const id = await insertUser(trx, { ...input, passwordHash: NO_PASSWORD }, now);
    const created = await userOr404(trx, id);
    await sendLink(trx, deps, created, 'invite', now);
    await recordAudit(trx, actor, { action: 'user_invited', targetType: 'user', targetId: id, details: { email: input.email, role: input.role } }, now);
    return created;
  });
  deps.kickOutbox?.();
  return user;
}

/**
 * An administrator sends a set-password link: a new invitation (7 days) while the person has never set a password,
 * otherwise a reset (1 hour). Earlier links stop working. 409 `account_disabled` for a disabled account.
 */
export async function sendPasswordLink(deps: AccountDeps, actor: Actor, userId: number): Promise<{ user: UserRecord; purpose: LinkPurpose }> {
  const now = deps.clock.now();
  const done = await writeTransaction(deps.db, async (trx) => {
    const user = await userOr404(trx, userId);
    if (!user.isActive) throw new ConflictError('account_disabled', `${user.name}'s account is disabled. Enable it first.`);
    const purpose: LinkPurpose = user.hasPassword ? 'reset' : 'invite';
    await sendLink(trx, deps, user, purpose, now);
    const action = purpose === 'invite' ? 'user_invited' : 'password_reset_requested';
    await recordAudit(trx, actor, { action, targetType: 'user', targetId: user.id, details: { email: user.email, ...(purpose === 'invite' ? { resent: true } : { by: 'administrator' }) } }, now);
    return { user, purpose };
  });
  deps.kickOutbox?.();
  return done;
}

/**
 * The forgotten-password form. Whatever the address, the caller shows the same answer, so the form does not tell
 * who has an account (OWASP Forgot Password Cheat Sheet); an email goes only to an active account, and at most
 * MAX_RESETS_PER_HOUR an hour.
 */
export async function requestPasswordReset(deps: AccountDeps, email: string, ip: string): Promise<void> {
  const now = deps.clock.now();
  const sent = await writeTransaction(deps.db, async (trx) => {
    const user = await findUserByEmail(trx, email);
    if (!user || !user.isActive) return false;
    if ((await countRecentResets(trx, user.id, new Date(now.getTime() - 3600_000))) >= MAX_RESETS_PER_HOUR) return false;
    await sendLink(trx, deps, user, 'reset', now);
    await recordAudit(trx, user, { action: 'password_reset_requested', targetType: 'user', targetId: user.id, details: { by: 'forgotten_password_form', ip } }, now);
    return true;
  });
  if (sent) deps.kickOutbox?.();
}

/** The person a set-password link is for, or 404 `account_link_invalid` (unknown, used, replaced and expired alike). */
export async function openPasswordLink(deps: AccountDeps, token: string): Promise<{ user: UserRecord; purpose: LinkPurpose }> {
  const link = await findUsableLink(deps.db, token, deps.clock.now());
  const user = link && (await findUserById(deps.db, link.userId));
  if (!link || !user) throw invalidLink();
  return { user, purpose: link.purpose };
}

/** 404 `account_link_invalid`: one answer for a link that is unknown, used, replaced or expired. */
export function invalidLink(): NotFoundError {
  return new NotFoundError('account_link_invalid', 'This link has expired, has been used already, or was replaced by a newer one. Ask for a new one below.');
}

/**
 * Sets the password from a link: the link is used up (a conditional update: twice at once, one wins), every other
 * link of the person is revoked, and all their sessions end. 422 for a password the rules refuse.
 */
export async function setPasswordFromLink(deps: AccountDeps, token: string, form: unknown, ip: string): Promise<UserRecord> {
  const { user, purpose } = await openPasswordLink(deps, token);
  const parsed = newPasswordSchema(user.email).safeParse(form);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const passwordHash = await hashPassword(parsed.data.password);
  const now = deps.clock.now();
  await writeTransaction(deps.db, async (trx) => {
    const link = await findUsableLink(trx, token, now);
    if (!link || !(await consumeLink(trx, link.id, now))) throw invalidLink();
    await updatePassword(trx, user.id, passwordHash, now);
    await revokeLinks(trx, user.id, now);
    const sessionsEnded = await deleteUserSessions(trx, user.id);
    const action = purpose === 'invite' && !user.hasPassword ? 'password_set' : 'password_reset_completed';
    await recordAudit(trx, user, { action, targetType: 'user', targetId: user.id, details: { ip, sessionsEnded } }, now);
  });
  return user;
}

/**
 * Disables an account: it cannot sign in or use its API tokens, its sessions end and its links stop working.
 * 409 `own_account` for one's own account, 409 `last_admin` for the last active administrator, 404 `not_found`.
 */
export async function disableUser(deps: AccountDeps, actor: Actor, userId: number): Promise<UserRecord> {
  const now = deps.clock.now();
  return writeTransaction(deps.db, async (trx) => {
    const user = await userOr404(trx, userId);
    refuseOwnAccount(actor, userId);
    await keepAnAdmin(trx, user);
    if (!(await updateActive(trx, userId, false, now))) return user;
    const sessionsEnded = await deleteUserSessions(trx, userId);
    await revokeLinks(trx, userId, now);
    await recordAudit(trx, actor, { action: 'user_disabled', targetType: 'user', targetId: userId, details: { email: user.email, sessionsEnded } }, now);
    return user;
  });
}

/** Enables a disabled account again: its password and API tokens work again. 404 `not_found`. */
export async function enableUser(deps: AccountDeps, actor: Actor, userId: number): Promise<UserRecord> {
  const now = deps.clock.now();
  return writeTransaction(deps.db, async (trx) => {
    const user = await userOr404(trx, userId);
    if (await updateActive(trx, userId, true, now)) await recordAudit(trx, actor, { action: 'user_enabled', targetType: 'user', targetId: userId, details: { email: user.email } }, now);
    return user;
  });
}

/** Signs the person out everywhere (every browser); their API tokens are not touched. Returns how many sessions ended. */
export async function endUserSessions(deps: AccountDeps, actor: Actor, userId: number): Promise<number> {
  const now = deps.clock.now();
  return writeTransaction(deps.db, async (trx) => {
    const user = await userOr404(trx, userId);
    const ended = await deleteUserSessions(trx, userId);
    await recordAudit(trx, actor, { action: 'sessions_ended', targetType: 'user', targetId: userId, details: { email: user.email, sessionsEnded: ended } }, now);
    return ended;
  });
}

/** For a lost authenticator: switches the person's two-factor off (they set it up again at next sign-in if required). */
export async function removeUserTwoFactor(deps: AccountDeps, actor: Actor, userId: number): Promise<boolean> {
  const now = deps.clock.now();
  return writeTransaction(deps.db, async (trx) => {
    const user = await userOr404(trx, userId);
    if (!(await removeTwoFactor(trx, userId, now))) return false;
    const sessionsEnded = await deleteUserSessions(trx, userId);
    await recordAudit(trx, actor, { action: 'totp_removed', targetType: 'user', targetId: userId, details: { email: user.email, by: 'administrator', sessionsEnded } }, now);
    return true;
  });
}

/**
 * Changes a person's role. Not one's own (409 `own_account`), and not the last administrator's (409 `last_admin`). When the new role requires two-factor and
 * the person has none, their sessions end: they set it up at their next sign-in.
 */
export async function changeRole(deps: AccountDeps, actor: Actor, userId: number, role: Role): Promise<UserRecord> {
  const now = deps.clock.now();
  return writeTransaction(deps.db, async (trx) => {
    const user = await userOr404(trx, userId);
    if (user.role === role) return user;
    refuseOwnAccount(actor, userId);
    await keepAnAdmin(trx, user);
    await updateRole(trx, userId, role, now);
    const mustEnrol = roleNeedsTwoFactor(role, await isTwoFactorRequired(trx)) && !user.hasTotp;
    const sessionsEnded = mustEnrol ? await deleteUserSessions(trx, userId) : 0;
    await recordAudit(trx, actor, { action: 'role_changed', targetType: 'user', targetId: userId, details: { email: user.email, from: user.role, to: role, sessionsEnded } }, now);
    return { ...user, role };
  });
}

/**
 * Requires (or stops requiring) two-factor sign-in for administrators and the treasurer. Turning it on ends the
 * sessions of those who have no two-factor yet: at their next sign-in they must set it up before anything else. An
 * administrator must have set it up themselves first (409 `two_factor_not_set_up`), or they would lock themselves out
 * of the page; the command line may turn it on regardless.
 */
export async function setTwoFactorRequirement(deps: AccountDeps, actor: Actor, required: boolean): Promise<{ changed: boolean; sessionsEnded: number }> {
  const now = deps.clock.now();
  return writeTransaction(deps.db, async (trx) => {
    if (required && actor.id !== null && !(await userOr404(trx, actor.id)).hasTotp) {
      throw new ConflictError('two_factor_not_set_up', 'Set up two-factor sign-in on your own account first (Your account → Two-factor sign-in).');
    }
    if (!(await setTwoFactorRequired(trx, required, now))) return { changed: false, sessionsEnded: 0 };
    let sessionsEnded = 0;
    if (required) {
      const without = await trx('users').select('id').whereIn('role', [...TWO_FACTOR_ROLES]).whereNull('totp_enabled_at');
      for (const row of without) sessionsEnded += await deleteUserSessions(trx, Number(row.id));
    }
    await recordAudit(trx, actor, { action: 'totp_requirement_changed', targetType: 'setting', targetId: 'require_two_factor', details: { required, roles: TWO_FACTOR_ROLES, sessionsEnded } }, now);
    return { changed: true, sessionsEnded };
  });
}
