import type { Request, Response } from 'express';
import type { ServiceContext } from '../../context';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors';
import { fieldErrors, parseInput } from '../../web/validate';
import type { Views } from '../../web/views';
import { staffOf } from '../auth/middleware';
import { isTwoFactorRequired } from '../auth/policy';
import { countUserSessions } from '../auth/sessions';
import { findUserById, listUsers } from '../auth/users';
import { formBody, idParam } from '../params';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { presentAuditRow, presentUser, roleOptions } from './present';
import { inviteSchema, requirementFormSchema, roleFormSchema } from './schemas';
import { changeRole, disableUser, enableUser, endUserSessions, inviteUser, removeUserTwoFactor, sendPasswordLink, setTwoFactorRequirement } from './service';

/** What each action's redirect says on the person's page. */
const NOTICES: Record<string, string> = {
  invited: 'Invitation sent. The link in it works for 7 days.',
  'invite-resent': 'A new invitation has been sent; the earlier link no longer works.',
  'reset-sent': 'A password reset link has been sent. It works for 1 hour; the earlier link no longer works.',
  disabled: 'The account is disabled: it cannot sign in or use its API tokens, and its sessions have ended.',
  enabled: 'The account is enabled again.',
  'sessions-ended': 'They have been signed out everywhere.',
  'two-factor-removed': 'Two-factor sign-in has been removed from the account, and its sessions have ended.',
  role: 'The role has been changed.',
};

const LIST_NOTICES: Record<string, string> = {
  'rule-on': 'Two-factor sign-in is now required for administrators and treasurers. Those without it set it up at their next sign-in.',
  'rule-off': 'Two-factor sign-in is no longer required (anyone who has it keeps using it).',
};

/**
 * The administrators' page for staff accounts (permission `users:manage`, administrators only): invite, send a
 * set-password link, disable and enable, end sessions, remove two-factor, change role, and the rule that requires
 * two-factor for administrators and treasurers. Each change is in the audit log.
 */
export function userRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  const zone = ctx.config.timezone;

  async function renderList(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const users = (await listUsers(ctx.db)).map((u) => presentUser(u, zone));
    renderAdmin(views, res, 'users/list', {
      title: 'Staff accounts',
      users,
      twoFactorRequired: await isTwoFactorRequired(ctx.db),
      notice: LIST_NOTICES[String(req.query.done ?? '')] ?? null,
      ...extra,
    }, status);
  }

  routes.get('/users', 'users:manage', (req, res) => renderList(req, res));

  routes.post('/users/two-factor-rule', 'users:manage', async (req, res) => {
    const { required } = parseInput(requirementFormSchema, formBody(req));
    try {
      await setTwoFactorRequirement(ctx, staffOf(res), required);
      res.redirect(303, `/admin/users?done=${required ? 'rule-on' : 'rule-off'}`);
    } catch (error) {
      if (!(error instanceof AppError) || error instanceof ValidationError) throw error;
      await renderList(req, res, { problem: error.message }, error.status);
    }
  });

  function renderInvite(res: Response, form: Record<string, unknown>, errors: Record<string, string>, status = 200) {
    renderAdmin(views, res, 'users/invite', { title: 'Invite someone', form, roles: roleOptions(typeof form.role === 'string' ? form.role : 'organiser'), errors }, status);
  }

  routes.get('/users/new', 'users:manage', (_req, res) => renderInvite(res, {}, {}));

  routes.post('/users', 'users:manage', async (req, res) => {
    const form = formBody(req);
    try {
      const user = await inviteUser(ctx, staffOf(res), parseInput(inviteSchema, form));
      res.redirect(303, `/admin/users/${user.id}?done=invited`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const kept = { name: typeof form.name === 'string' ? form.name : '', email: typeof form.email === 'string' ? form.email : '', role: form.role };
      renderInvite(res, kept, fieldErrors(error), error.status);
    }
  });

  async function renderPerson(req: Request, res: Response, userId: number, extra: Record<string, unknown> = {}, status = 200) {
    const user = await findUserById(ctx.db, userId);
    if (!user) throw new NotFoundError('not_found', 'No staff account with that number.');
    const history = await ctx.db('audit_log').select('at', 'actor', 'action', 'details').where({ target_type: 'user', target_id: String(userId) }).orderBy('id', 'desc').limit(20);
    renderAdmin(views, res, 'users/person', {
      title: user.name,
      person: presentUser(user, zone),
      isSelf: staffOf(res).id === userId,
      sessions: await countUserSessions(ctx.db, userId, ctx.clock.now(), ctx.config.sessions),
      roles: roleOptions(user.role),
      history: history.map((row: Record<string, unknown>) => presentAuditRow(row, zone)),
      notice: NOTICES[String(req.query.done ?? '')] ?? null,
      ...extra,
    }, status);
  }

  routes.get('/users/:userId', 'users:manage', async (req, res) => renderPerson(req, res, idParam(req, 'userId')));

  /** A button on the person's page: do it, then back to the page with what happened; a refusal (409) is shown there. */
  function action(path: string, run: (req: Request, res: Response, userId: number) => Promise<string>) {
    routes.post(`/users/:userId/${path}`, 'users:manage', async (req, res) => {
      const userId = idParam(req, 'userId');
      try {
        const done = await run(req, res, userId);
        res.redirect(303, `/admin/users/${userId}?done=${done}`);
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error;
        await renderPerson(req, res, userId, { problem: error instanceof ValidationError ? (error.details?.[0]?.message ?? error.message) : error.message }, error.status);
      }
    });
  }

  action('password-link', async (_req, res, userId) => ((await sendPasswordLink(ctx, staffOf(res), userId)).purpose === 'invite' ? 'invite-resent' : 'reset-sent'));
  action('disable', async (_req, res, userId) => (await disableUser(ctx, staffOf(res), userId), 'disabled'));
  action('enable', async (_req, res, userId) => (await enableUser(ctx, staffOf(res), userId), 'enabled'));
  action('end-sessions', async (_req, res, userId) => (await endUserSessions(ctx, staffOf(res), userId), 'sessions-ended'));
  action('remove-two-factor', async (_req, res, userId) => (await removeUserTwoFactor(ctx, staffOf(res), userId), 'two-factor-removed'));
  action('role', async (req, res, userId) => (await changeRole(ctx, staffOf(res), userId, parseInput(roleFormSchema, formBody(req)).role), 'role'));
}
