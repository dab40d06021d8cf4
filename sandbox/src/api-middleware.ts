import type { NextFunction, Request, Response } from 'express';
import type { SandboxContext } from './context';
import { StripeApiError } from './errors';
import { API_VERSION } from './events';
import { newId } from './ids';

export function sendStripeError(res: Response, err: StripeApiError): void {
  res.status(err.status).json(err.toBody());
}

/** Every API response carries a `Request-Id`; events made by the request quote it. */
export function assignRequestId(req: Request, res: Response, next: NextFunction): void {
  const id = newId('req');
  res.locals.requestId = id;
  res.set('Request-Id', id);
  res.set('Stripe-Version', req.get('Stripe-Version') ?? API_VERSION);
  next();
}

/** "Down" drops the connection without an answer, the fastest failure the SDK can see. */
export function dropWhenDown(ctx: SandboxContext) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (ctx.faults.isDown) {
      req.socket.destroy();
      return;
    }
    next();
  };
}

/** Any `sk_test_…` key is accepted, as Bearer (the SDK) or Basic (`curl -u sk_test_…:`). */
export function requireTestKey(req: Request, res: Response, next: NextFunction): void {
  const key = apiKeyOf(req.get('Authorization'));
  if (key === undefined) {
    sendStripeError(res, new StripeApiError(401, 'invalid_request_error',
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."));
    return;
  }
  if (!key.startsWith('sk_test_')) {
    sendStripeError(res, new StripeApiError(401, 'invalid_request_error', `Invalid API Key provided: ${redact(key)}`, 'api_key_invalid'));
    return;
  }
  next();
}

function apiKeyOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme.toLowerCase() === 'bearer') return value.trim();
  if (scheme.toLowerCase() === 'basic') return Buffer.from(value, 'base64').toString('utf8').split(':')[0];
  return undefined;
}

function redact(key: string): string {
  return key.length > 8 ? `${key.slice(0, 8)}${'*'.repeat(4)}${key.slice(-4)}` : '****';
}

export function injectFailures(ctx: SandboxContext) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const status = ctx.faults.takeFailure();
    if (status === undefined) {
      next();
      return;
    }
    const type = status >= 500 ? 'api_error' : 'invalid_request_error';
    const code = status === 429 ? 'rate_limit' : undefined;
    sendStripeError(res, new StripeApiError(status, type, `Sandbox: injected failure (HTTP ${status}).`, code));
  };
}

/** Body-parser and other framework errors, still in Stripe's shape. */
export function handleApiError(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  if (err instanceof StripeApiError) {
    sendStripeError(res, err);
    return;
  }
  const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
  const message = status < 500 ? 'The request body could not be read.' : 'Sandbox internal error.';
  sendStripeError(res, new StripeApiError(status, status < 500 ? 'invalid_request_error' : 'api_error', message));
}
