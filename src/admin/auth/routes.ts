import { Router, type Request, type Response } from 'express';
import type { ServiceContext } from '../../context';
import { AppError, ValidationError } from '../../lib/errors';
import { clientAddress, withRetryAfter } from '../../web/rate-limit';
import { fieldErrors, parseInput } from '../../web/validate';
import { noteRefusal } from '../../web/security-log';
import type { Views } from '../../web/views';
import { renderAdmin } from '../render';
import { sessionOf } from './middleware';
import { homeFor } from './roles';
import { nextPathSchema, signInSchema } from './schemas';
import { signIn, signOut } from './service';
import { createSession, SESSION_COOKIE } from './sessions';

function cookieOptions(ctx: ServiceContext) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: ctx.config.publicUrl.startsWith('https:'), path: '/' };
}

export function authRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();

  /** The sign-in form needs a CSRF token too (login CSRF), so a visitor gets a short anonymous session. */
  async function renderSignIn(req: Request, res: Response, model: Record<string, unknown>, status = 200) {
    if (!sessionOf(res)) {
      const session = await createSession(ctx.db, null, ctx.clock.now());
      res.cookie(SESSION_COOKIE, session.id, cookieOptions(ctx));
      res.locals.staffSession = { id: session.id, csrfToken: session.csrfToken, user: null, rowId: 0 };
    }
    const next = nextPathSchema.parse(req.query.next ?? (req.body as Record<string, unknown> | undefined)?.next);
    renderAdmin(views, res, 'sign-in', { title: 'Staff sign-in', next, form: {}, errors: {}, ...model }, status);
  }

  router.get('/sign-in', async (req, res) => {
    if (sessionOf(res)?.user) return res.redirect(303, nextPathSchema.parse(req.query.next));
    await renderSignIn(req, res, { signedOut: req.query.signed_out === '1' });
  });

  router.post('/sign-in', async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const kept = { email: typeof form.email === 'string' ? form.email : '' };
    try {
      const input = parseInput(signInSchema, form);
      const { sessionId, user } = await signIn(ctx, { ...input, ip: clientAddress(req), previousSessionId: sessionOf(res)?.id });
      res.cookie(SESSION_COOKIE, sessionId, cookieOptions(ctx));
      const next = nextPathSchema.parse(form.next);
      // No page asked for (the form's default "/admin"): each role's own home.
      res.redirect(303, next === '/admin' ? homeFor(user.role) : next);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      noteRefusal(res, error.code, { account: kept.email });
      const errors = error instanceof ValidationError ? fieldErrors(error) : {};
      withRetryAfter(res, error);
      await renderSignIn(req, res, { form: kept, errors, problem: error instanceof ValidationError ? null : error.message }, error.status);
    }
  });

  router.post('/sign-out', async (_req, res) => {
    const session = sessionOf(res);
    if (session) await signOut(ctx, session.id, session.user);
    res.clearCookie(SESSION_COOKIE, cookieOptions(ctx));
    res.redirect(303, '/admin/sign-in?signed_out=1');
  });

  return router;
}
