import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { createSandboxCore } from './app';
import type { SandboxControls } from './control';
import type { SandboxOptions } from './options';

export interface Sandbox extends SandboxControls {
  /** `http://host:port`: the API base and, unless publicUrl was given, the checkout pages' base. */
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export interface StartSandboxOptions extends SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export async function startSandbox(opts: StartSandboxOptions): Promise<Sandbox> {
  const core = createSandboxCore(opts);
  const host = opts.host ?? '127.0.0.1';
  const server = core.app.listen(opts.port ?? 0, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (!opts.publicUrl) core.ctx.publicUrl = url;
  const stopTimers = core.startTimers();
  return {
    ...core.controls,
    url,
    host,
    port,
    close: async () => {
      stopTimers();
      core.ctx.webhooks.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Options for `new Stripe(key, …)` that point the real SDK at this sandbox, with no retries. */
export function stripeConfigFor(sandbox: Pick<Sandbox, 'host' | 'port'>, overrides: Stripe.StripeConfig = {}): Stripe.StripeConfig {
  return { host: sandbox.host, port: sandbox.port, protocol: 'http', maxNetworkRetries: 0, timeout: 5000, ...overrides };
}
