import { z } from 'zod';
import type { Actor } from '../../admin/audit/log';
import { CLI_ACTOR } from '../../admin/audit/log';
import { isTwoFactorRequired } from '../../admin/auth/policy';
import { findUserByEmail, listUsers, type UserRecord } from '../../admin/auth/users';
import { stateOf } from '../../admin/users/present';
import { inviteSchema } from '../../admin/users/schemas';
import { disableUser, enableUser, endUserSessions, inviteUser, removeUserTwoFactor, sendPasswordLink, setTwoFactorRequirement, type AccountDeps } from '../../admin/users/service';
import { AppError, ValidationError } from '../../lib/errors';
import { systemClock } from '../../lib/clock';
import { parseFlags, validateFlags } from '../args';
import type { CliCommand, CliContext } from '../types';

/**
 * Staff account commands: the same use cases as the administrators' page (src/admin/users/service.ts), done as
 * "command line" in the audit log. Emails are queued in the outbox; the running service sends them.
 */

const emailFlags = z.object({ email: z.string({ message: 'is required' }).trim().pipe(z.email('must be an email address')) });
const MAIL_NOTE = 'The email goes out from the running service (npm start) within seconds.';

function depsOf(ctx: CliContext): AccountDeps {
  return { db: ctx.db, config: ctx.config, clock: systemClock };
}

/** Runs an account use case, turning a refusal (409, 422) into a message and exit code 1. */
async function refusalsAsExit1(io: CliContext['io'], run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    io.err(error instanceof ValidationError ? (error.details ?? []).map((d) => `--${d.path}: ${d.message}`).join('\n') : error.message);
    return 1;
  }
}

/** A command that names one account by --email. */
function accountCommand(name: string, summary: string, run: (ctx: CliContext, user: UserRecord, actor: Actor) => Promise<string>): CliCommand {
  return {
    name,
    usage: `${name} --email E`,
    summary,
    async run(args, ctx) {
      const { data, problems } = validateFlags(emailFlags, parseFlags(args).flags);
      if (!data) {
        problems.forEach((p) => ctx.io.err(p));
        ctx.io.err(`Usage: npm run cli -- ${this.usage}`);
        return 2;
      }
      const user = await findUserByEmail(ctx.db, data.email);
      if (!user) {
        ctx.io.err(`No staff account for ${data.email} (see users:list).`);
        return 1;
      }
      return refusalsAsExit1(ctx.io, async () => {
        ctx.io.out(await run(ctx, user, CLI_ACTOR));
        return 0;
      });
    },
  };
}

export const inviteUserCommand: CliCommand = {
  name: 'users:invite',
  usage: 'users:invite --email E --name N --role R',
  summary: 'invite someone: makes the account and emails them a set-password link (valid 7 days)',
  async run(args, ctx) {
    const { data, problems } = validateFlags(inviteSchema, parseFlags(args).flags);
    if (!data) {
      problems.forEach((p) => ctx.io.err(p));
      ctx.io.err(`Usage: npm run cli -- ${this.usage}`);
      return 2;
    }
    return refusalsAsExit1(ctx.io, async () => {
      const user = await inviteUser(depsOf(ctx), CLI_ACTOR, data);
      ctx.io.out(`Invited ${user.role} ${user.name} <${user.email}> (user ${user.id}). ${MAIL_NOTE}`);
      return 0;
    });
  },
};

export const listUsersCommand: CliCommand = {
  name: 'users:list',
  usage: 'users:list',
  summary: 'list staff accounts: role, state (active, invited, disabled), two-factor',
  async run(_args, { db, io }) {
    const users = await listUsers(db);
    if (users.length === 0) io.out('No staff accounts. Make the first with users:create.');
    for (const u of users) {
      io.out(`${String(u.id).padStart(4)}  ${u.email.padEnd(32)} ${u.name.padEnd(24)} ${u.role.padEnd(10)} ${stateOf(u).padEnd(9)} two-factor ${u.hasTotp ? 'on' : 'off'}`);
    }
    io.out(`Two-factor sign-in is ${(await isTwoFactorRequired(db)) ? '' : 'not '}required for administrators and treasurers.`);
    return 0;
  },
};

export const disableUserCommand = accountCommand('users:disable', 'disable an account: no sign-in, no API tokens, its sessions end', async (ctx, user, actor) => {
  await disableUser(depsOf(ctx), actor, user.id);
  return `Disabled ${user.email}. Their sessions have ended and their API tokens no longer work.`;
});

export const enableUserCommand = accountCommand('users:enable', 'enable a disabled account again', async (ctx, user, actor) => {
  await enableUser(depsOf(ctx), actor, user.id);
  return `Enabled ${user.email}.`;
});

export const resetPasswordCommand = accountCommand('users:reset-password', 'email a password reset link (valid 1 hour; an invitation again if they never set one)', async (ctx, user, actor) => {
  const { purpose } = await sendPasswordLink(depsOf(ctx), actor, user.id);
  return `${purpose === 'invite' ? 'A new invitation' : 'A password reset link'} is on its way to ${user.email}; earlier links no longer work. ${MAIL_NOTE}`;
});

export const endSessionsCommand = accountCommand('users:end-sessions', "sign someone out of every browser at once", async (ctx, user, actor) => {
  const ended = await endUserSessions(depsOf(ctx), actor, user.id);
  return `Ended ${ended} ${ended === 1 ? 'session' : 'sessions'} of ${user.email}.`;
});

export const removeTotpCommand = accountCommand('users:remove-totp', 'remove two-factor sign-in from an account (a lost phone without recovery codes)', async (ctx, user, actor) => {
  const removed = await removeUserTwoFactor(depsOf(ctx), actor, user.id);
  return removed ? `Removed two-factor sign-in from ${user.email}; their sessions have ended.` : `${user.email} had no two-factor sign-in.`;
});

export const requireTotpCommand: CliCommand = {
  name: 'users:require-totp',
  usage: 'users:require-totp on|off',
  summary: 'require (or stop requiring) two-factor sign-in for administrators and treasurers',
  async run(args, ctx) {
    const choice = parseFlags(args).positional[0];
    if (choice !== 'on' && choice !== 'off') {
      ctx.io.err('Say on or off.');
      ctx.io.err(`Usage: npm run cli -- ${this.usage}`);
      return 2;
    }
    return refusalsAsExit1(ctx.io, async () => {
      const { changed, sessionsEnded } = await setTwoFactorRequirement(depsOf(ctx), CLI_ACTOR, choice === 'on');
      if (!changed) ctx.io.out(`Two-factor sign-in was already ${choice === 'on' ? 'required' : 'not required'}; nothing changed.`);
      else if (choice === 'on') ctx.io.out(`Two-factor sign-in is now required for administrators and treasurers. ${sessionsEnded} ${sessionsEnded === 1 ? 'session' : 'sessions'} of people without it ended; they set it up at their next sign-in.`);
      else ctx.io.out('Two-factor sign-in is no longer required.');
      return 0;
    });
  },
};
