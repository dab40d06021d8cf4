import type Stripe from 'stripe';
// Stripe's MIT-licensed example objects, trimmed: source, licence and changes under "Attribution" in ../README.md.
import fixtures from './fixtures.json';

/** An event as the sandbox stores and sends it (Stripe.Event is a closed union we can't build generically). */
export interface SandboxEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: object; previous_attributes?: Record<string, unknown> };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

/** Stripe's example objects, by the type the sandbox builds from each one. */
interface FixtureTypes {
  'checkout.session': Stripe.Checkout.Session;
  item: Stripe.LineItem;
  price: Stripe.Price;
  product: Stripe.Product;
  payment_intent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
  refund: Stripe.Refund;
  balance_transaction: Stripe.BalanceTransaction;
  payout: Stripe.Payout;
  dispute: Stripe.Dispute;
  event: SandboxEvent;
}

/** A fresh deep copy of Stripe's example object: callers overwrite the scenario's fields. */
export function fromFixture<K extends keyof FixtureTypes>(name: K): FixtureTypes[K] {
  // The JSON is Stripe's own example of this type; TS infers wider literal types from JSON.
  return structuredClone(fixtures[name]) as unknown as FixtureTypes[K];
}
