import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { ServiceContext } from '../../context';
import { ForbiddenError, UnauthorizedError } from '../../lib/errors';
import { findUserByApiToken } from './api-tokens';
import { can, type Permission, type StaffUser } from './roles';
import { findSession, SESSION_COOKIE, type Session } from './sessions';

export const SIGN_IN_PATH = '/admin/sign-in';

/** What the admin router knows about the request's session: its id (from the cookie) and the stored session. */
export interface LoadedSession extends Session {
  id: string;
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
      const session = await findSession(ctx.db, id, ctx.clock.now());
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
 * Every request that can change something carries the session's synchroniser token, as a form field
 * (_csrf) or, from the check-in script, the X-CSRF-Token header. Without a session there is nothing
 * to change: the visitor is sent to sign in (except the sign-in form itself, which has its own session).
 */
export function verifyCsrf(): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    const session = sessionOf(res);
    if (!session?.user && req.path !== '/sign-in') return res.redirect(303, signInRedirect(req));
    const body = req.body as Record<string, unknown> | undefined;
    if (!session || !sameToken(body?._csrf ?? req.get('x-csrf-token'), session.csrfToken)) throw new CsrfError();
    next();
  };
}

/** HTML guard: anonymous visitors go to the sign-in page; the wrong role gets 403. */
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
