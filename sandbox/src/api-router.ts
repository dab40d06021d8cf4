import express, { type Router } from 'express';
import type { SandboxContext } from './context';
import { unrecognizedUrl } from './errors';
import { type ApiHandler, handleApi } from './api-handler';
import { assignRequestId, dropWhenDown, handleApiError, injectFailures, requireTestKey, sendStripeError } from './api-middleware';
import { registerBalanceRoutes } from './routes-balance';
import { registerCheckoutRoutes } from './routes-checkout';
import { registerEventRoutes } from './routes-events';
import { registerPaymentRoutes } from './routes-payments';

export interface RouteTable {
  get(path: string, handler: ApiHandler): void;
  post(path: string, handler: ApiHandler): void;
}

/** Stripe's HTTP API under `/v1`: request id, outage, key check, injected failures, then the routes. */
export function createApiRouter(ctx: SandboxContext): Router {
  const router = express.Router();
  router.use('/v1', assignRequestId, dropWhenDown(ctx), requireTestKey, injectFailures(ctx));
  router.use('/v1', express.text({ type: 'application/x-www-form-urlencoded', limit: '1mb' }));
  const table: RouteTable = {
    get: (path, handler) => router.get(path, handleApi(ctx, handler)),
    post: (path, handler) => router.post(path, handleApi(ctx, handler)),
  };
  registerCheckoutRoutes(ctx, table);
  registerPaymentRoutes(ctx, table);
  registerBalanceRoutes(ctx, table);
  registerEventRoutes(ctx, table);
  router.use('/v1', (req, res) => sendStripeError(res, unrecognizedUrl(req.method, req.originalUrl.split('?')[0])));
  router.use('/v1', handleApiError);
  return router;
}
