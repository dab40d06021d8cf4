import { Faults } from './faults';
import { IdempotencyStore } from './idempotency';
import type { ResolvedOptions } from './options';
import { Store } from './store';
import { WebhookDispatcher } from './webhook-delivery';

/** Who caused an event: an API request (with its idempotency key), or nobody (dashboard, timers, the hosted page). */
export interface EventOrigin {
  id: string | null;
  idempotency_key: string | null;
}

export const NO_ORIGIN: EventOrigin = { id: null, idempotency_key: null };

/** Everything a sandbox instance owns; services take it first, like a db handle. */
export interface SandboxContext {
  readonly options: ResolvedOptions;
  readonly store: Store;
  readonly webhooks: WebhookDispatcher;
  readonly faults: Faults;
  readonly idempotency: IdempotencyStore;
  /** Set once the server listens, when no publicUrl was given. */
  publicUrl: string;
}

export function createContext(options: ResolvedOptions, publicUrl: string, webhookUrl?: string): SandboxContext {
  const webhooks = new WebhookDispatcher({
    secret: options.webhookSecret,
    retryDelaysMs: options.webhookRetryDelaysMs,
    timeoutMs: options.webhookTimeoutMs,
    signatureClock: options.signatureClock,
    now: options.now,
  });
  webhooks.setUrl(webhookUrl);
  return { options, store: new Store(), webhooks, faults: new Faults(), idempotency: new IdempotencyStore(), publicUrl };
}

export function nowSeconds(ctx: SandboxContext): number {
  return Math.floor(ctx.options.now().getTime() / 1000);
}
