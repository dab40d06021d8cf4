import { Router, type Request, type Response } from 'express';
import type { ServiceContext } from '../../context';
import { writeTransaction } from '../../db/dialect';
import { AppError, ValidationError } from '../../lib/errors';
import { clientAddress, prepareRefusal } from '../../web/rate-limit';
import { fieldErrors, parseInput } from '../../web/validate';
import { noteRefusal } from '../../web/security-log';
import type { Views } from '../../web/views';
import { renderAdmin } from '../render';
import { formTokenFor } from './form-token';
import { sessionCookieOptions, sessionOf, setSessionCookie, type LoadedSession } from './middleware';
import { passwordRoutes } from './password-routes';
import { codeSchema, enrolmentCodeSchema, nextPathSchema, signInSchema } from './schemas';
import { signIn, signInWithCode, signInWithEnrolment, signOut, type HalfwaySession } from './service';
import { SESSION_COOKIE, type SessionStage } from './sessions';
import { beginEnrolment, pendingEnrolment } from './two-factor';
import { homeFor } from './roles';

const STAGE_PATHS: Record<SessionStage, string> = { code: '/admin/sign-in/code', enrol: '/admin/sign-in/two-factor' };

function withNext(path: string, next: string): string {
  return next === '/admin' ? path : `${path}?next=${encodeURIComponent(next)}`;
}

function halfway(session: LoadedSession | undefined, stage: SessionStage): HalfwaySession | undefined {
  return session?.pending?.stage === stage ? { id: session.id, rowId: session.rowId, pending: session.pending } : undefined;
}

function nextOf(req: Request): string {
  return nextPathSchema.parse(req.query.next ?? (req.body as Record<string, unknown> | undefined)?.next);
}

/**
 * Sign-in in up to two steps (password, then a two-factor code or the two-factor set-up a role requires) and
 * sign-out. The sign-in form writes nothing when shown: its CSRF token lives in a signed cookie (form-token.ts).
 */
export function authRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();

  function renderSignIn(req: Request, res: Response, model: Record<string, unknown>, status = 200) {
    const csrfToken = formTokenFor(req, res, ctx.config, ctx.clock.now());
    renderAdmin(views, res, 'sign-in', { title: 'Staff sign-in', next: nextOf(req), form: {}, errors: {}, csrfToken, ...model }, status);
  }

  router.get('/sign-in', (req, res) => {
    const session = sessionOf(res);
    if (session?.user) return res.redirect(303, nextOf(req));
    if (session?.pending) return res.redirect(303, withNext(STAGE_PATHS[session.pending.stage], nextOf(req)));
    renderSignIn(req, res, { signedOut: req.query.signed_out === '1', passwordSet: req.query.password_set === '1' });
  });

  router.post('/sign-in', async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const kept = { email: typeof form.email === 'string' ? form.email : '' };
    try {
      const input = parseInput(signInSchema, form);
      const { sessionId, stage, user } = await signIn(ctx, { ...input, ip: clientAddress(req), previousSessionId: sessionOf(res)?.id });
      setSessionCookie(ctx, res, sessionId);
      // No page asked for (the form's default "/admin"): each role's own home, after any two-factor step.
      const next = nextOf(req) === '/admin' ? homeFor(user.role) : nextOf(req);
      res.redirect(303, stage ? withNext(STAGE_PATHS[stage], next) : next);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      noteRefusal(res, error.code, { account: kept.email });
      const errors = error instanceof ValidationError ? fieldErrors(error) : {};
      prepareRefusal(res, error);
      renderSignIn(req, res, { form: kept, errors, problem: error instanceof ValidationError ? null : error.message }, error.status);
    }
  });

  router.get('/sign-in/code', (req, res) => {
    if (!halfway(sessionOf(res), 'code')) return res.redirect(303, withNext('/admin/sign-in', nextOf(req)));
    renderAdmin(views, res, 'sign-in-code', { title: 'Two-factor code', next: nextOf(req), errors: {} });
  });

  router.post('/sign-in/code', async (req, res) => {
    const session = halfway(sessionOf(res), 'code');
    if (!session) return res.redirect(303, withNext('/admin/sign-in', nextOf(req)));
    try {
      const { code } = parseInput(codeSchema, req.body ?? {});
      const { sessionId } = await signInWithCode(ctx, session, code, clientAddress(req));
      setSessionCookie(ctx, res, sessionId);
      res.redirect(303, nextOf(req));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      noteRefusal(res, error.code, { account: session.pending.user.email });
      if (error.code === 'too_many_codes') {
        res.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx));
        return renderSignIn(req, res, { problem: error.message }, error.status);
      }
      const errors = error instanceof ValidationError ? fieldErrors(error) : { code: error.message };
      renderAdmin(views, res, 'sign-in-code', { title: 'Two-factor code', next: nextOf(req), errors }, error.status);
    }
  });

  async function renderEnrolment(req: Request, res: Response, session: HalfwaySession, errors: Record<string, string>, status = 200) {
    const person = session.pending.user;
    let enrolment = await pendingEnrolment(ctx.db, ctx.config, person);
    if (!enrolment) {
      // Only when the pending secret was sealed under an earlier SESSION_SECRET: start again with a new one.
      await writeTransaction(ctx.db, (trx) => beginEnrolment(trx, ctx.config, person.id, ctx.clock.now()));
      enrolment = await pendingEnrolment(ctx.db, ctx.config, person);
    }
    renderAdmin(views, res, 'two-factor-setup', { title: 'Set up two-factor sign-in', enrolment, required: true, action: withNext('/admin/sign-in/two-factor', nextOf(req)), errors }, status);
  }

  router.get('/sign-in/two-factor', async (req, res) => {
    const session = halfway(sessionOf(res), 'enrol');
    if (!session) return res.redirect(303, withNext('/admin/sign-in', nextOf(req)));
    await renderEnrolment(req, res, session, {});
  });

  router.post('/sign-in/two-factor', async (req, res) => {
    const session = halfway(sessionOf(res), 'enrol');
    if (!session) return res.redirect(303, withNext('/admin/sign-in', nextOf(req)));
    try {
      const { code } = parseInput(enrolmentCodeSchema, req.body ?? {});
      const { sessionId, recoveryCodes } = await signInWithEnrolment(ctx, session, code, clientAddress(req));
      setSessionCookie(ctx, res, sessionId);
      renderAdmin(views, res, 'recovery-codes', { title: 'Your recovery codes', codes: recoveryCodes, continueTo: nextOf(req), justEnrolled: true });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderEnrolment(req, res, session, fieldErrors(error), error.status);
    }
  });

  router.post('/sign-out', async (_req, res) => {
    const session = sessionOf(res);
    if (session) await signOut(ctx, session.id, session.user);
    res.clearCookie(SESSION_COOKIE, sessionCookieOptions(ctx));
    res.redirect(303, '/admin/sign-in?signed_out=1');
  });

  router.use(passwordRoutes(ctx, views));
  return router;
}
