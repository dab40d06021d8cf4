import type { SandboxEvent } from './fixtures';
import { postJson } from './http-post';
import { signatureHeader } from './webhook-signing';

export interface DeliveryRecord {
  eventId: string;
  type: string;
  /** 1 for the first try of a delivery, 2+ for its retries. */
  attempt: number;
  url: string;
  /** HTTP status, or null when the connection failed. */
  status: number | null;
  error?: string;
  at: Date;
}

export interface DeliverySettings {
  /** Send each event this many times (Stripe may deliver an event more than once). */
  duplicates: number;
  /** Queue events instead of sending them, until `releaseHeld`. */
  hold: boolean;
}

/** Ids in the order to send (others stay held), or a shuffle, or the reverse of arrival. */
export type ReleaseOrder = string[] | 'shuffle' | 'reverse';

export interface DispatcherOptions {
  secret: string;
  retryDelaysMs: number[];
  timeoutMs: number;
  signatureClock: () => Date;
  now: () => Date;
}

const USER_AGENT = 'Stripe/1.0 (+https://stripe.com/docs/webhooks)';

/**
 * Sends events to the webhook endpoint. First attempts go out one at a time, in the
 * order events happened, so tests are deterministic; retries run on their own timers
 * and so may overtake later events, as Stripe's do.
 */
export class WebhookDispatcher {
  private url: string | undefined;
  private settings: DeliverySettings = { duplicates: 1, hold: false };
  private held: SandboxEvent[] = [];
  private log: DeliveryRecord[] = [];
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  private chain: Promise<void> = Promise.resolve();
  private timers = new Set<NodeJS.Timeout>();
  private isStopped = false;

  constructor(private readonly opts: DispatcherOptions) {}

  setUrl(url: string | undefined): void {
    this.url = url;
  }

  hasEndpoint(): boolean {
    return this.url !== undefined;
  }

  configure(settings: Partial<DeliverySettings>): void {
    if (settings.duplicates !== undefined && (!Number.isInteger(settings.duplicates) || settings.duplicates < 1)) {
      throw new Error('duplicates must be an integer of at least 1');
    }
    this.settings = { ...this.settings, ...settings };
  }

  /** Called once per event. With no endpoint the event is only kept in the event list, like Stripe. */
  publish(event: SandboxEvent): void {
    if (!this.url) return;
    if (this.settings.hold) {
      this.held.push(event);
      return;
    }
    for (let i = 0; i < this.settings.duplicates; i++) this.enqueue(event);
  }

  heldEvents(): SandboxEvent[] {
    return [...this.held];
  }

  releaseHeld(order?: ReleaseOrder): SandboxEvent[] {
    const released = this.pickHeld(order);
    this.held = this.held.filter((event) => !released.includes(event));
    for (const event of released) this.enqueue(event);
    return released;
  }

  resend(event: SandboxEvent): void {
    this.enqueue(event);
  }

  deliveries(): DeliveryRecord[] {
    return [...this.log];
  }

  /** Resolves once no delivery is queued, in flight or waiting to retry. */
  flush(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  reset(): void {
    this.settings = { duplicates: 1, hold: false };
    this.held = [];
    this.log = [];
  }

  stop(): void {
    this.isStopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.pending = 0;
    this.wakeIdleWaiters();
  }

  private pickHeld(order?: ReleaseOrder): SandboxEvent[] {
    if (order === undefined) return [...this.held];
    if (order === 'reverse') return [...this.held].reverse();
    if (order === 'shuffle') return shuffle([...this.held]);
    return order.map((id) => {
      const event = this.held.find((candidate) => candidate.id === id);
      if (!event) throw new Error(`event ${id} is not held`);
      return event;
    });
  }

  private enqueue(event: SandboxEvent): void {
    this.pending++;
    this.chain = this.chain.then(() => this.attempt(event, 1));
  }

  private async attempt(event: SandboxEvent, attempt: number): Promise<void> {
    const ok = await this.post(event, attempt);
    const delay = this.opts.retryDelaysMs[attempt - 1];
    if (ok || delay === undefined || this.isStopped) {
      this.settle();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.attempt(event, attempt + 1);
    }, delay);
    this.timers.add(timer);
  }

  private async post(event: SandboxEvent, attempt: number): Promise<boolean> {
    const url = this.url;
    const record: DeliveryRecord = { eventId: event.id, type: event.type, attempt, url: url ?? '', status: null, at: this.opts.now() };
    this.log.push(record);
    if (!url) {
      record.error = 'no webhook URL';
      return false;
    }
    const payload = JSON.stringify(event, null, 2);
    const timestamp = Math.floor(this.opts.signatureClock().getTime() / 1000);
    const headers = { 'Stripe-Signature': signatureHeader(payload, this.opts.secret, timestamp), 'User-Agent': USER_AGENT };
    const outcome = await postJson(url, payload, headers, this.opts.timeoutMs);
    if ('error' in outcome) {
      record.error = outcome.error;
      return false;
    }
    record.status = outcome.status;
    return outcome.status >= 200 && outcome.status < 300;
  }

  private settle(): void {
    this.pending = Math.max(0, this.pending - 1);
    if (this.pending === 0) this.wakeIdleWaiters();
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
