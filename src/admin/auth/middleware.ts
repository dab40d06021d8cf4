import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { ServiceContext } from '../../context';
import { ForbiddenError, UnauthorizedError } from '../../lib/errors';
import { findUserByApiToken } from './api-tokens';
import { formTokenMatches } from './form-token';
import { can, type Permission, type StaffUser } from './roles';
import { findSession, SESSION_COOKIE, type Session } from './sessions';

export const SIGN_IN_PATH = '/admin/sign-in';

/**
 * The forms under /admin that a visitor posts before signing in (paths relative to /admin). Their CSRF token is the
 * signed form cookie (form-token.ts), not a session's.
 */
export function isPublicForm(path: string): boolean {
  return path === '/sign-in' || path === '/password/forgot' || /^\/set-password\/[^/]+$/.test(path);
}

/** What the admin router knows about the request's session: its id (from the cookie) and the stored session. */
export interface LoadedSession extends Session {
  id: string;
}

/** The staff session cookie: HttpOnly, SameSite=Lax, Secure over https, for the whole site. */
export function sessionCookieOptions(ctx: ServiceContext) {
  return { httpOnly: true, sameSite: 'lax' as const, secure: ctx.config.publicUrl.startsWith('https:'), path: '/' };
}

export function setSessionCookie(ctx: ServiceContext, res: Response, sessionId: string): void {
  res.cookie(SESSION_COOKIE, sessionId, sessionCookieOptions(ctx));
}

export function sessionOf(res: Response): LoadedSession | undefined {
  return res.locals.staffSession as LoadedSession | undefined;
}

/** The signed-in person (HTML) or the API token's owner; routes behind a guard always have one. */
export function staffOf(res: Response): StaffUser {
  const user = res.locals.staffUser as StaffUser | undefined;
  if (!user) throw new UnauthorizedError('unauthorized', 'Authentication required.');
  return user;
}

export class CsrfError extends ForbiddenError {
  constructor() {
    super('csrf_failed', 'This form has expired or did not come from this site, so nothing was changed. Go back, reload the page and try again.');
  }
}

export function loadStaffSession(ctx: ServiceContext): RequestHandler {
  return async (req, res, next) => {
    const id = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
    if (typeof id === 'string' && id.length >= 20 && id.length <= 100) {
      const session = await findSession(ctx.db, id, ctx.clock.now(), ctx.config.sessions);
      if (session) {
        res.locals.staffSession = { ...session, id } satisfies LoadedSession;
        if (session.user) res.locals.staffUser = session.user;
      }
    }
    next();
  };
}

function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function signInRedirect(req: Request): string {
  const next = req.method === 'GET' && req.originalUrl.startsWith('/admin') ? req.originalUrl : '/admin';
  return `${SIGN_IN_PATH}?next=${encodeURIComponent(next)}`;
}

/**
 * Every request that can change something carries a CSRF token, as a form field (_csrf) or, from the check-in
 * script, the X-CSRF-Token header: the session's synchroniser token, or for the forms posted before sign-in the
 * signed form cookie's. Without a session there is nothing else to change: the visitor is sent to sign in.
 */
export function verifyCsrf(ctx: ServiceContext): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    if (isPublicForm(req.path)) {
      if (!formTokenMatches(req, ctx.config, ctx.clock.now())) throw new CsrfError();
      return next();
    }
    const session = sessionOf(res);
    if (!session) return res.redirect(303, signInRedirect(req));
    const body = req.body as Record<string, unknown> | undefined;
    if (!sameToken(body?._csrf ?? req.get('x-csrf-token'), session.csrfToken)) throw new CsrfError();
    next();
  };
}

/**
 * HTML guard: anonymous visitors go to the sign-in page (and someone half-way through sign-in to it too, which sends
 * them on to the step they owe); the wrong role gets 403.
 */
export function requirePage(permission: Permission): RequestHandler {
  return (req, res, next) => {
    const user = res.locals.staffUser as StaffUser | undefined;
    if (!user) return res.redirect(303, signInRedirect(req));
    if (!can(user.role, permission)) throw new ForbiddenError('forbidden', 'Your staff role does not include this page. Ask an administrator if you need it.');
    next();
  };
}

/** API authentication: Authorization: Bearer <api token>; the token has its owner's role. */
export function authenticateApi(ctx: ServiceContext): RequestHandler {
  return async (req, res, next) => {
    const token = req.get('authorization')?.match(/^Bearer\s+(\S{20,200})$/i)?.[1];
    const user = token ? await findUserByApiToken(ctx.db, token, ctx.clock.now()) : undefined;
    if (!user) {
      res.set('WWW-Authenticate', 'Bearer realm="hsug-admin"');
      throw new UnauthorizedError('unauthorized', 'Send a staff API token as Authorization: Bearer <token>.');
    }
    res.locals.staffUser = user;
    next();
  };
}

export function requireApi(permission: Permission): RequestHandler {
  return (_req, res, next) => {
    const user = staffOf(res);
    if (!can(user.role, permission)) throw new ForbiddenError('forbidden', 'This API token\'s role does not allow that.');
    next();
  };
}
