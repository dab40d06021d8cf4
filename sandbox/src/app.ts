import express from 'express';
import { createApiRouter } from './api-router';
import { createCheckoutPageRouter } from './checkout-page-routes';
import { sweepExpiredSessions } from './checkout-service';
import { type SandboxContext, createContext } from './context';
import { createControls, type SandboxControls } from './control';
import { createControlRouter } from './control-routes';
import { unrecognizedUrl } from './errors';
import { resolveOptions, type SandboxOptions } from './options';

export interface SandboxCore {
  app: express.Express;
  ctx: SandboxContext;
  controls: SandboxControls;
  /** Starts the expiry sweep timer; returns its stopper. */
  startTimers(): () => void;
}

/** The app and its state without a listening socket (supertest can drive `app`). */
export function createSandboxCore(opts: SandboxOptions): SandboxCore {
  const options = resolveOptions(opts);
  const ctx = createContext(options, opts.publicUrl ?? 'http://127.0.0.1', opts.webhookUrl);
  const controls = createControls(ctx);
  const app = express();
  app.disable('x-powered-by');
  app.use(createCheckoutPageRouter(ctx));
  app.use(createControlRouter(controls));
  app.use(createApiRouter(ctx));
  app.use((req, res) => {
    const err = unrecognizedUrl(req.method, req.originalUrl.split('?')[0]);
    res.status(err.status).json(err.toBody());
  });
  const startTimers = () => {
    if (options.expirySweepMs <= 0) return () => undefined;
    const timer = setInterval(() => sweepExpiredSessions(ctx), options.expirySweepMs);
    timer.unref();
    return () => clearInterval(timer);
  };
  return { app, ctx, controls, startTimers };
}

export function createSandboxApp(opts: SandboxOptions): express.Express {
  return createSandboxCore(opts).app;
}
