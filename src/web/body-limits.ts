import type { Request, RequestHandler } from 'express';
import { AppError } from '../lib/errors';

/** The largest JSON or form body the service reads (the booking API, every HTML form but the member upload). */
export const FORM_BODY_LIMIT_BYTES = 100 * 1024;

/** A request whose body has not been read yet: it declares one (Content-Length above 0, or chunked) and it is still arriving. */
function hasUnreadBody(req: Request): boolean {
  const declaresBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  return declaresBody && !req.complete;
}

/** "1 MB", "100 KB": a limit in the words an error page uses. */
export function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`;
}

/**
 * Refuses, with 413 `body_too_large`, a request whose Content-Length already says its body is over `limitBytes`,
 * before a byte of the body is read (body-parser would otherwise read, and discard, the whole of it first).
 * Multipart bodies are left to the upload routes, which check them after the sign-in and role
 * (admin/uploads.ts). A chunked body has no length to check: the parser stops at the limit and the request
 * timeout bounds the rest.
 */
export function refuseDeclaredOversize(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    if (req.is('multipart/form-data')) return next();
    const declared = Number(req.get('content-length'));
    if (Number.isFinite(declared) && declared > limitBytes) {
      throw new AppError('body_too_large', `The request is larger than this service accepts (${describeBytes(limitBytes)}), so nothing was read or saved.`);
    }
    next();
  };
}

/**
 * A response sent before the request's body was read (a refusal, a redirect to sign in, a 413) closes the connection:
 * otherwise Node keeps it open to read and discard a body that may be huge or never come, until the request timeout.
 */
export function closeAfterUnreadBody(): RequestHandler {
  return (req, res, next) => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof res.writeHead>) {
      if (hasUnreadBody(req) && !res.headersSent) res.setHeader('Connection', 'close');
      return writeHead.apply(this, args);
    } as typeof res.writeHead;
    next();
  };
}
