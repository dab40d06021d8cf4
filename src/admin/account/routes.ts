import type { Request, Response } from 'express';
import type { ServiceContext } from '../../context';
import { AppError, ValidationError } from '../../lib/errors';
import { formatInstant } from '../../lib/time';
import { fieldErrors, parseInput } from '../../web/validate';
import type { Views } from '../../web/views';
import { sessionCookieOptions, sessionOf, setSessionCookie, staffOf } from '../auth/middleware';
import { PASSWORD_HINT } from '../auth/passwords';
import { isTwoFactorRequired, roleNeedsTwoFactor } from '../auth/policy';
import { countUnusedRecoveryCodes } from '../auth/recovery-codes';
import { ROLE_LABELS } from '../auth/roles';
import { enrolmentCodeSchema } from '../auth/schemas';
import { countUserSessions, SESSION_COOKIE } from '../auth/sessions';
import { pendingEnrolment } from '../auth/two-factor';
import { findUserById } from '../auth/users';
import { formBody } from '../params';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { changeOwnPassword, confirmTwoFactor, endOtherSessions, renewRecoveryCodes, startTwoFactor, switchOffTwoFactor, type OwnSession } from './service';

const NOTICES: Record<string, string> = {
  password: 'Your password has been changed. Any other browser signed in as you has been signed out.',
  sessions: 'You have been signed out everywhere else.',
  'two-factor-off': 'Two-factor sign-in is off.',
};

function ownSession(res: Response): OwnSession {
  const session = sessionOf(res)!;
  return { id: session.id, rowId: session.rowId };
}

/**
 * The signed-in person's own account, open to every role: their password, their two-factor sign-in and recovery
 * codes, and signing out their other browsers.
 */
export function accountRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {

  /** A session ended by too many wrong passwords: the cookie goes, and the error page says why. */
  function forgetCookieOn(error: AppError, res: Response): void {
    if (error.code === 'unauthorized') res.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx));
  }

  routes.get('/account', 'staff', async (req, res) => {
    const user = staffOf(res);
    const record = await findUserById(ctx.db, user.id);
    const now = ctx.clock.now();
    renderAdmin(views, res, 'account/index', {
      title: 'Your account',
      person: { name: user.name, email: user.email, roleLabel: ROLE_LABELS[user.role] },
      passwordChanged: record?.passwordChangedAt ? formatInstant(record.passwordChangedAt, ctx.config.timezone) : null,
      hasTwoFactor: record?.hasTotp ?? false,
      recoveryCodesLeft: record?.hasTotp ? await countUnusedRecoveryCodes(ctx.db, user.id) : 0,
      otherSessions: Math.max(0, (await countUserSessions(ctx.db, user.id, now, ctx.config.sessions)) - 1),
      notice: NOTICES[String(req.query.done ?? '')] ?? null,
    });
  });

  function renderPasswordForm(res: Response, errors: Record<string, string>, status = 200) {
    renderAdmin(views, res, 'account/password', { title: 'Change your password', errors, passwordHint: PASSWORD_HINT, email: staffOf(res).email }, status);
  }

  routes.get('/account/password', 'staff', (_req, res) => renderPasswordForm(res, {}));

  routes.post('/account/password', 'staff', async (req, res) => {
    try {
      const sessionId = await changeOwnPassword(ctx, staffOf(res), ownSession(res), formBody(req));
      setSessionCookie(ctx, res, sessionId);
      res.redirect(303, '/admin/account?done=password');
    } catch (error) {
      if (!(error instanceof ValidationError)) {
        if (error instanceof AppError) forgetCookieOn(error, res);
        throw error;
      }
      renderPasswordForm(res, fieldErrors(error), error.status);
    }
  });

  async function renderTwoFactor(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const user = staffOf(res);
    const record = await findUserById(ctx.db, user.id);
    const hasTwoFactor = record?.hasTotp ?? false;
    const enrolment = hasTwoFactor ? null : await pendingEnrolment(ctx.db, ctx.config, user);
    renderAdmin(
      views,
      res,
      'account/two-factor',
      {
        title: 'Two-factor sign-in',
        hasTwoFactor,
        enrolment,
        action: '/admin/account/two-factor/confirm',
        required: roleNeedsTwoFactor(user.role, await isTwoFactorRequired(ctx.db)),
        recoveryCodesLeft: hasTwoFactor ? await countUnusedRecoveryCodes(ctx.db, user.id) : 0,
        notice: NOTICES[String(req.query.done ?? '')] ?? null,
        errors: {},
        ...extra,
      },
      status,
    );
  }

  routes.get('/account/two-factor', 'staff', (req, res) => renderTwoFactor(req, res));

  routes.post('/account/two-factor/start', 'staff', async (_req, res) => {
    await startTwoFactor(ctx, staffOf(res));
    res.redirect(303, '/admin/account/two-factor');
  });

  routes.post('/account/two-factor/confirm', 'staff', async (req, res) => {
    try {
      const { code } = parseInput(enrolmentCodeSchema, formBody(req));
      const codes = await confirmTwoFactor(ctx, staffOf(res), code);
      renderAdmin(views, res, 'recovery-codes', { title: 'Your recovery codes', codes, continueTo: '/admin/account', justEnrolled: true });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderTwoFactor(req, res, { errors: fieldErrors(error) }, error.status);
    }
  });

  routes.post('/account/two-factor/recovery-codes', 'staff', async (req, res) => {
    try {
      const codes = await renewRecoveryCodes(ctx, staffOf(res), ownSession(res), formBody(req).currentPassword);
      renderAdmin(views, res, 'recovery-codes', { title: 'Your new recovery codes', codes, continueTo: '/admin/account', justEnrolled: false });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      forgetCookieOn(error, res);
      if (error.code === 'unauthorized') throw error;
      await renderTwoFactor(req, res, error instanceof ValidationError ? { renewErrors: fieldErrors(error) } : { problem: error.message }, error.status);
    }
  });

  routes.post('/account/two-factor/disable', 'staff', async (req, res) => {
    try {
      await switchOffTwoFactor(ctx, staffOf(res), ownSession(res), formBody(req).currentPassword);
      res.redirect(303, '/admin/account/two-factor?done=two-factor-off');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      forgetCookieOn(error, res);
      if (error.code === 'unauthorized') throw error;
      await renderTwoFactor(req, res, error instanceof ValidationError ? { offErrors: fieldErrors(error) } : { problem: error.message }, error.status);
    }
  });

  routes.post('/account/end-sessions', 'staff', async (_req, res) => {
    await endOtherSessions(ctx, staffOf(res), ownSession(res));
    res.redirect(303, '/admin/account?done=sessions');
  });
}
