import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { SandboxControls } from './control';
import { StripeApiError } from './errors';

const payBody = z.strictObject({
  async: z.enum(['succeed', 'fail']).optional(),
  deferSettlement: z.boolean().optional(),
  email: z.email().optional(),
  name: z.string().optional(),
});
const amountBody = z.strictObject({ amount: z.number().int().positive().optional() });
const disputeBody = z.strictObject({ charge: z.string(), amount: z.number().int().positive().optional(), reason: z.string().optional() });
const chargeBody = z.strictObject({
  amount: z.number().int().positive(),
  currency: z.string().length(3).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  description: z.string().optional(),
  email: z.email().optional(),
  name: z.string().optional(),
});
const releaseBody = z.strictObject({ order: z.union([z.array(z.string()), z.enum(['shuffle', 'reverse'])]).optional() });

/**
 * `/_sandbox/…`: the control methods over HTTP, for demos and for apps in another
 * process. JSON in and out; no API key, since it's a loopback test tool.
 */
export function createControlRouter(controls: SandboxControls): Router {
  const router = express.Router();
  router.use('/_sandbox', express.json());
  const post = (path: string, run: (req: Request) => unknown | Promise<unknown>) =>
    router.post(`/_sandbox${path}`, async (req, res) => {
      res.json((await run(req)) ?? { ok: true });
    });

  post('/sessions/:id/pay', (req) => controls.pay(String(req.params.id), payBody.parse(req.body ?? {})));
  post('/sessions/:id/settle', (req) =>
    controls.settleAsyncPayment(String(req.params.id), z.strictObject({ outcome: z.enum(['succeed', 'fail']).optional() }).parse(req.body ?? {}).outcome),
  );
  post('/sessions/:id/decline', (req) => controls.decline(String(req.params.id)));
  post('/sessions/:id/expire', (req) => controls.expire(String(req.params.id)));
  post('/refunds/:id', (req) => controls.refundFromDashboard(String(req.params.id), amountBody.parse(req.body ?? {}).amount));
  post('/disputes', (req) => {
    const body = disputeBody.parse(req.body);
    return controls.dispute(body.charge, { amount: body.amount, reason: body.reason });
  });
  post('/disputes/:id/close', (req) =>
    controls.closeDispute(String(req.params.id), z.object({ status: z.enum(['won', 'lost']) }).parse(req.body).status),
  );
  post('/payouts', (req) => {
    const body = z.strictObject({ arrival_date: z.number().int().optional() }).parse(req.body ?? {});
    return controls.createPayout({ arrivalDate: body.arrival_date ? new Date(body.arrival_date * 1000) : undefined });
  });
  post('/charges', (req) => controls.createCharge(chargeBody.parse(req.body)));
  post('/delivery', (req) => controls.setDelivery(z.strictObject({ duplicates: z.number().int().min(1).optional(), hold: z.boolean().optional() }).parse(req.body)));
  post('/held/release', (req) => controls.releaseHeld(releaseBody.parse(req.body ?? {}).order));
  post('/events/:id/resend', (req) => controls.resendEvent(String(req.params.id)));
  post('/flush', () => controls.flush());
  post('/fail-next', (req) => {
    const body = z.strictObject({ count: z.number().int().min(0), status: z.number().int().optional() }).parse(req.body);
    controls.failNext(body.count, { status: body.status });
  });
  post('/down', (req) => controls.setDown(z.strictObject({ down: z.boolean() }).parse(req.body).down));
  post('/webhook-url', (req) => controls.setWebhookUrl(z.strictObject({ url: z.url() }).parse(req.body).url));
  post('/reset', () => controls.reset());
  router.get('/_sandbox/deliveries', (_req, res) => void res.json(controls.deliveries()));
  router.get('/_sandbox/held', (_req, res) => void res.json(controls.heldEvents()));
  router.get('/_sandbox/events', (req, res) => void res.json(controls.events(typeof req.query.type === 'string' ? req.query.type : undefined)));
  router.use('/_sandbox', handleControlError);
  return router;
}

function handleControlError(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (res.headersSent) {
    next(err);
    return;
  }
  if (err instanceof StripeApiError) {
    res.status(err.status).json(err.toBody());
    return;
  }
  const message = err instanceof z.ZodError ? z.prettifyError(err) : err instanceof Error ? err.message : String(err);
  res.status(400).json({ error: { type: 'invalid_request_error', message } });
}
