import type { Request, RequestHandler, Response } from 'express';
import type { EventOrigin, SandboxContext } from './context';
import { StripeApiError } from './errors';
import { sweepExpiredSessions } from './checkout-service';
import { decodeForm, type FormObject } from './form-decode';
import { fingerprintRequest } from './idempotency';

export interface ApiCall {
  params: Record<string, string>;
  /** Decoded query string (GET) or form body (POST). */
  input: FormObject;
  origin: EventOrigin;
}

export type ApiHandler = (call: ApiCall) => unknown;

interface Outcome {
  status: number;
  body: unknown;
  /** Stripe keeps a response under its key only once the endpoint ran: not for bad params. */
  isSaved: boolean;
}

/** Runs one API call: idempotency, Stripe-shaped errors, and the JSON answer. */
export function handleApi(ctx: SandboxContext, handler: ApiHandler): RequestHandler {
  return (req, res) => {
    const key = req.method === 'POST' ? req.get('Idempotency-Key') : undefined;
    if (key) res.set('Idempotency-Key', key);
    const outcome = runCall(ctx, req, res, handler, key);
    res.status(outcome.status).json(outcome.body);
  };
}

function runCall(ctx: SandboxContext, req: Request, res: Response, handler: ApiHandler, key: string | undefined): Outcome {
  const requestId = String(res.locals.requestId);
  let input: FormObject;
  try {
    input = readInput(req);
  } catch (err) {
    return toOutcome(err);
  }
  const call: ApiCall = { params: paramsOf(req), input, origin: { id: requestId, idempotency_key: key ?? null } };
  if (!key) return runHandler(ctx, handler, call);
  const fingerprint = fingerprintRequest(req.method, req.path, input);
  const saved = ctx.idempotency.get(key);
  if (saved && saved.fingerprint !== fingerprint) {
    return toOutcome(new StripeApiError(400, 'idempotency_error',
      `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`));
  }
  if (saved) {
    res.set('Idempotent-Replayed', 'true');
    res.set('Original-Request', saved.requestId);
    return { status: saved.status, body: saved.body, isSaved: true };
  }
  const outcome = runHandler(ctx, handler, call);
  if (outcome.isSaved) ctx.idempotency.save(key, { fingerprint, status: outcome.status, body: outcome.body, requestId });
  return outcome;
}

function runHandler(ctx: SandboxContext, handler: ApiHandler, call: ApiCall): Outcome {
  try {
    sweepExpiredSessions(ctx);
    // A snapshot: a replayed response must not change as the stored objects do.
    return { status: 200, body: structuredClone(handler(call)), isSaved: true };
  } catch (err) {
    return toOutcome(err);
  }
}

function toOutcome(err: unknown): Outcome {
  if (err instanceof StripeApiError) return { status: err.status, body: err.toBody(), isSaved: !err.isValidation };
  console.error('payments sandbox: unexpected error', err);
  return { status: 500, body: new StripeApiError(500, 'api_error', 'Sandbox internal error.').toBody(), isSaved: false };
}

function readInput(req: Request): FormObject {
  if (req.method === 'POST') return decodeForm(typeof req.body === 'string' ? req.body : '');
  const queryStart = req.originalUrl.indexOf('?');
  return decodeForm(queryStart === -1 ? '' : req.originalUrl.slice(queryStart + 1));
}

function paramsOf(req: Request): Record<string, string> {
  return Object.fromEntries(Object.entries(req.params).map(([name, value]) => [name, String(value)]));
}
