import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { type Sandbox, type StartSandboxOptions, startSandbox, stripeConfigFor } from '../src';

export const WEBHOOK_SECRET = 'whsec_test_sandbox_secret';

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(private current = new Date('2026-11-12T10:00:00Z')) {}
  now = (): Date => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  seconds(): number {
    return Math.floor(this.current.getTime() / 1000);
  }
}

export async function startTestSandbox(overrides: Partial<StartSandboxOptions> = {}): Promise<Sandbox> {
  return startSandbox({ webhookSecret: WEBHOOK_SECRET, webhookRetryDelaysMs: [20, 40], expirySweepMs: 0, ...overrides });
}

export function stripeFor(sandbox: Sandbox): Stripe {
  return new Stripe('sk_test_sandbox', stripeConfigFor(sandbox));
}

export interface ReceivedWebhook {
  event: Stripe.Event;
  rawBody: string;
  signature: string;
}

/**
 * The app's side of webhooks in miniature: reads the raw body and verifies it with the
 * SDK, answering 400 on a bad signature as an app would.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  readonly rejected: string[] = [];
  /** Statuses to answer before going back to 200, e.g. [500, 500]. */
  failWith: number[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));
  private verifier = new Stripe('sk_test_unused');

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/stripe`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  types(): string[] {
    return this.received.map((hook) => hook.event.type);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const signature = String(req.headers['stripe-signature'] ?? '');
      const forced = this.failWith.shift();
      if (forced) {
        res.writeHead(forced).end();
        return;
      }
      try {
        const event = this.verifier.webhooks.constructEvent(rawBody, signature, WEBHOOK_SECRET);
        this.received.push({ event, rawBody, signature });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"received":true}');
      } catch (err) {
        this.rejected.push(err instanceof Error ? err.message : String(err));
        res.writeHead(400).end();
      }
    });
  }
}

export const TICKET_SESSION: Stripe.Checkout.SessionCreateParams = {
  mode: 'payment',
  line_items: [
    { quantity: 2, price_data: { currency: 'gbp', unit_amount: 1250, product_data: { name: 'Autumn seminar — member' } } },
    { quantity: 1, price_data: { currency: 'gbp', unit_amount: 3000, product_data: { name: 'Autumn seminar — non-member' } } },
  ],
  client_reference_id: 'BK-1001',
  customer_email: 'ada@example.org',
  metadata: { booking_id: '42' },
  payment_intent_data: { metadata: { booking_id: '42', booking_reference: 'BK-1001' } },
  success_url: 'http://app.test/bookings/BK-1001/paid?session_id={CHECKOUT_SESSION_ID}',
  cancel_url: 'http://app.test/bookings/BK-1001/cancelled',
};

/** The StripeError a call rejects with; fails the test if the call succeeds. */
export async function stripeErrorOf(call: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof Stripe.errors.StripeError) return err;
    throw err;
  }
  throw new Error('expected the Stripe call to fail, but it succeeded');
}

/** Polls until `isDone`, for things driven by the sandbox's own timers. */
export async function waitUntil(isDone: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!isDone()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface SandboxFixture {
  sandbox: Sandbox;
  stripe: Stripe;
  /** Only with `webhooks: true`. */
  receiver: WebhookReceiver;
}

/**
 * Registers the hooks of a sandbox test file: a sandbox (and with `webhooks`, a receiver it delivers to) started
 * once per file, or per test with `per: 'test'`; before each test, deliveries finish and every store and
 * record is emptied. Read the parts from the returned object inside tests, once the hooks have run.
 */
export function useSandbox(options: { now?: () => Date; webhooks?: boolean; per?: 'file' | 'test' } = {}): SandboxFixture {
  const fixture = {} as SandboxFixture;
  const start = async () => {
    if (options.webhooks) fixture.receiver = new WebhookReceiver();
    const webhookUrl = options.webhooks ? await fixture.receiver.start() : undefined;
    fixture.sandbox = await startTestSandbox({ ...(options.now ? { now: options.now } : {}), ...(webhookUrl ? { webhookUrl } : {}) });
    fixture.stripe = stripeFor(fixture.sandbox);
  };
  const stop = async () => {
    await fixture.sandbox.close();
    await fixture.receiver?.close();
  };
  const clear = async () => {
    await fixture.sandbox.flush();
    fixture.sandbox.reset();
    if (fixture.receiver) {
      fixture.receiver.received.length = 0;
      fixture.receiver.rejected.length = 0;
    }
  };
  if (options.per === 'test') {
    beforeEach(start);
    afterEach(stop);
  } else {
    beforeAll(start);
    afterAll(stop);
    beforeEach(clear);
  }
  return fixture;
}
