import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import type { CatalogueOptions } from '../../src/events/catalogue';
import { fixedClock } from '../../src/lib/clock';
import type { Logger } from '../../src/lib/logger';
import { createStripeClient } from '../../src/payments/stripe-client';
import { startSandbox, type Sandbox } from '../../sandbox/src';
import { TEST_NOW, assembleTestApp, testConfig, type TestApp } from './app';
import { createTestDatabase } from './db';
import { startTestSmtp } from './smtp';

export const WEBHOOK_SECRET = 'whsec_test_payments_secret';

export interface PaymentsTestApp extends TestApp {
  sandbox: Sandbox;
  stripe: Stripe;
  server: Server;
  baseUrl: string;
}

/**
 * The app listening on loopback with the Stripe SDK pointed at the project's sandbox, which sends
 * its signed webhooks back to the app. The sandbox shares the app's test clock, as Stripe and we
 * share real time.
 */
export async function startPaymentsTestApp(options: { now?: string; env?: Record<string, string>; catalogue?: CatalogueOptions; logger?: Logger } = {}): Promise<PaymentsTestApp> {
  const testDb = await createTestDatabase();
  const smtp = await startTestSmtp();
  const clock = fixedClock(options.now ?? TEST_NOW);
  const sandbox = await startSandbox({ webhookSecret: WEBHOOK_SECRET, now: clock.now, webhookRetryDelaysMs: [50, 100], expirySweepMs: 0 });
  // Listen first, so PUBLIC_URL (Stripe's return address) is where a browser can really reach the app.
  let handler: RequestListener = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = testConfig(testDb.database, {
    PUBLIC_URL: baseUrl,
    SMTP_URL: smtp.url,
    STRIPE_SECRET_KEY: 'sk_test_hsug',
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: sandbox.url,
    ...options.env,
  });
  const stripe = createStripeClient(config);
  const base = assembleTestApp({ testDb, smtp, config, clock, stripe, catalogue: options.catalogue, logger: options.logger });
  handler = base.app;
  sandbox.setWebhookUrl(`${baseUrl}/webhooks/stripe`);
  return {
    ...base,
    sandbox,
    stripe,
    server,
    baseUrl,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await sandbox.close();
      await base.close();
    },
  };
}

export function paidEvent(ticketTypes?: Array<{ name: string; price: number; membersOnly?: boolean; quota?: number }>) {
  return {
    kind: 'seminar' as const,
    capacity: 30,
    allowsInvoice: true,
    refundDeadlineAt: '2026-03-10T00:00:00Z',
    refundFee: 1000,
    tickets: ticketTypes ?? [
      { name: 'Member', price: 6000, membersOnly: true },
      { name: 'Non-member', price: 9500 },
    ],
  };
}

export function sessionIdOf(checkoutUrl: string): string {
  return checkoutUrl.split('/').pop()!;
}

/** Where Stripe sends the buyer back after paying: the session's success_url with its id filled in, as a path. */
export async function successPathOf(stripe: { checkout: { sessions: { retrieve(id: string): Promise<{ success_url?: string | null }> } } }, sessionId: string): Promise<string> {
  const session = await stripe.checkout.sessions.retrieve(sessionId);
  const url = new URL(String(session.success_url).replace('{CHECKOUT_SESSION_ID}', sessionId));
  return `${url.pathname}${url.search}`;
}
