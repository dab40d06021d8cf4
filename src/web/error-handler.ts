import type { ErrorRequestHandler, RequestHandler } from 'express';
import { translateDbError } from '../db/errors/index';
import { AppError, NotFoundError } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { redactUrl } from '../lib/redact';
import { prepareRefusal } from './rate-limit';
import { noteRefusal } from './security-log';
import type { Views } from './views';

export { consoleLogger, type Logger } from '../lib/logger';

export function wantsJson(path: string): boolean {
  return path.startsWith('/api/') || path.startsWith('/webhooks/');
}

export const notFound: RequestHandler = (_req, _res, next) => next(new NotFoundError('not_found', 'Page not found.'));

/** Body-parser and similar errors carry a 4xx status; they are the client's mistake, not ours. */
function clientError(err: unknown): AppError | undefined {
  const e = err as { status?: number; type?: string; expose?: boolean; message?: string };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    const code = e.type === 'entity.parse.failed' ? 'malformed_body' : e.type === 'entity.too.large' ? 'body_too_large' : 'bad_request';
    const message = code === 'malformed_body' ? 'The request body is not valid JSON.' : code === 'body_too_large' ? 'The request is larger than this service accepts, so nothing was saved.' : 'Bad request.';
    return new AppError(code, message);
  }
  return undefined;
}

export function errorHandler(views: Views, logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const client = err instanceof AppError ? undefined : clientError(err);
    const fromDb = err instanceof AppError || client ? undefined : translateDbError(err);
    const known = err instanceof AppError ? err : (client ?? fromDb);
    const requestId = String(res.locals.requestId ?? '');
    const path = redactUrl(req.path);
    if (fromDb && fromDb.status !== 400) logger.warn('database refused a change', { requestId, path, code: fromDb.code, error: err instanceof Error ? err.message : String(err) });
    if (!known) logger.error('unhandled error', { requestId, path, error: err instanceof Error ? err.stack : String(err) });
    const status = known?.status ?? 500;
    const code = known?.code ?? 'internal_error';
    // The refusal logger (security-log.ts) writes 401/403/429 and token failures once the answer is sent.
    noteRefusal(res, code);
    const message = known?.message ?? `Something went wrong on our side. Please try again; if it keeps happening, quote reference ${requestId}.`;
    if (res.headersSent) return;
    prepareRefusal(res, err);
    if (wantsJson(req.path)) {
      res.status(status).json({ error: { code, message, ...(known?.details ? { details: known.details } : {}) } });
      return;
    }
    const title = status === 404 ? 'Not found' : status === 422 ? 'Please check the address' : status === 429 ? 'Please wait before trying again' : 'Sorry';
    res.status(status).type('html').send(views.render('errors/error', { title, status, code, message, details: known?.details }));
  };
}
