import { Router, type Request, type Response } from 'express';
import type { ServiceContext } from '../../context';
import { AppError, ValidationError } from '../../lib/errors';
import { clientAddress } from '../../web/rate-limit';
import { noteRefusal } from '../../web/security-log';
import { fieldErrors, parseInput } from '../../web/validate';
import type { Views } from '../../web/views';
import { renderAdmin } from '../render';
import { invalidLink, openPasswordLink, requestPasswordReset, setPasswordFromLink } from '../users/service';
import { formTokenFor } from './form-token';
import { LINK_LIFETIME_MS } from './password-links';
import { PASSWORD_HINT } from './passwords';
import { forgotPasswordSchema, linkTokenSchema } from './schemas';

/**
 * The pages reached without signing in: "forgotten your password?" and the set-password link from an invitation or
 * a reset email. Their forms carry the signed form cookie's CSRF token, like the sign-in form.
 */
export function passwordRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();

  function renderForgot(req: Request, res: Response, model: Record<string, unknown>, status = 200) {
    const csrfToken = formTokenFor(req, res, ctx.config, ctx.clock.now());
    renderAdmin(views, res, 'password-forgot', { title: 'Forgotten password', form: {}, errors: {}, csrfToken, resetMinutes: LINK_LIFETIME_MS.reset / 60_000, ...model }, status);
  }

  router.get('/password/forgot', (req, res) => renderForgot(req, res, {}));

  router.post('/password/forgot', async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      const { email } = parseInput(forgotPasswordSchema, form);
      await requestPasswordReset(ctx, email, clientAddress(req));
      // The same answer whether or not the address has an account.
      renderForgot(req, res, { sentTo: email });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      renderForgot(req, res, { form: { email: typeof form.email === 'string' ? form.email : '' }, errors: fieldErrors(error) }, error.status);
    }
  });

  function renderInvalidLink(res: Response, error: AppError) {
    // Logged as a private-link failure (web/security-log.ts); the address is redacted there.
    noteRefusal(res, error.code);
    renderAdmin(views, res, 'password-link-invalid', { title: 'This link does not work', message: error.message }, error.status);
  }

  async function renderSetPassword(req: Request, res: Response, token: string, errors: Record<string, string>, status = 200) {
    const { user, purpose } = await openPasswordLink(ctx, token);
    const csrfToken = formTokenFor(req, res, ctx.config, ctx.clock.now());
    const isInvite = purpose === 'invite' && !user.hasPassword;
    renderAdmin(views, res, 'password-set', { title: isInvite ? 'Choose your password' : 'Choose a new password', name: user.name, email: user.email, isInvite, token, errors, passwordHint: PASSWORD_HINT, csrfToken }, status);
  }

  router.get('/set-password/:token', async (req, res) => {
    const token = linkTokenSchema.safeParse(req.params.token);
    if (!token.success) return renderInvalidLink(res, invalidLink());
    try {
      await renderSetPassword(req, res, token.data, {});
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      renderInvalidLink(res, error);
    }
  });

  router.post('/set-password/:token', async (req, res) => {
    const token = linkTokenSchema.safeParse(req.params.token);
    if (!token.success) return renderInvalidLink(res, invalidLink());
    try {
      await setPasswordFromLink(ctx, token.data, req.body ?? {}, clientAddress(req));
      res.redirect(303, '/admin/sign-in?password_set=1');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (!(error instanceof ValidationError)) return renderInvalidLink(res, error);
      try {
        await renderSetPassword(req, res, token.data, fieldErrors(error), error.status);
      } catch (again) {
        // The link stopped working between the two reads (used in another tab): say so, as for any dead link.
        if (!(again instanceof AppError)) throw again;
        renderInvalidLink(res, again);
      }
    }
  });

  return router;
}
