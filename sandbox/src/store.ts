import type Stripe from 'stripe';
import { resourceMissing } from './errors';
import type { SandboxEvent } from './fixtures';

/** What the session was created with that Stripe keeps but doesn't show on the session. */
export interface SessionExtras {
  lineItems: Stripe.LineItem[];
  paymentIntentData: { metadata: Record<string, string>; description: string | null };
  /** A delayed payment method's outcome, waiting for `settleAsyncPayment`. */
  pendingAsync?: { outcome: 'succeed' | 'fail'; billing: { email: string; name: string | null } };
}

/** All sandbox state, in memory. Maps keep insertion order, which lists rely on. */
export class Store {
  readonly sessions = new Map<string, Stripe.Checkout.Session>();
  readonly sessionExtras = new Map<string, SessionExtras>();
  readonly products = new Map<string, Stripe.Product>();
  readonly paymentIntents = new Map<string, Stripe.PaymentIntent>();
  readonly charges = new Map<string, Stripe.Charge>();
  readonly refunds = new Map<string, Stripe.Refund>();
  readonly balanceTransactions = new Map<string, Stripe.BalanceTransaction>();
  readonly payouts = new Map<string, Stripe.Payout>();
  readonly disputes = new Map<string, Stripe.Dispute>();
  readonly events = new Map<string, SandboxEvent>();
  /** Stripe links a balance transaction to its payout server-side only (the `payout` list filter). */
  readonly payoutOfTransaction = new Map<string, string>();

  clear(): void {
    for (const map of this.allMaps()) map.clear();
    this.sessionExtras.clear();
    this.payoutOfTransaction.clear();
  }

  session(id: string): Stripe.Checkout.Session {
    return found(this.sessions.get(id), 'checkout.session', id);
  }
  extras(sessionId: string): SessionExtras {
    return found(this.sessionExtras.get(sessionId), 'checkout.session', sessionId);
  }
  paymentIntent(id: string): Stripe.PaymentIntent {
    return found(this.paymentIntents.get(id), 'payment_intent', id);
  }
  charge(id: string): Stripe.Charge {
    return found(this.charges.get(id), 'charge', id);
  }
  refund(id: string): Stripe.Refund {
    return found(this.refunds.get(id), 'refund', id);
  }
  balanceTransaction(id: string): Stripe.BalanceTransaction {
    return found(this.balanceTransactions.get(id), 'balance transaction', id);
  }
  payout(id: string): Stripe.Payout {
    return found(this.payouts.get(id), 'payout', id);
  }
  dispute(id: string): Stripe.Dispute {
    return found(this.disputes.get(id), 'dispute', id);
  }
  event(id: string): SandboxEvent {
    return found(this.events.get(id), 'event', id);
  }

  /** Any stored object by id, for `expand[]`. */
  findAny(id: string): object | undefined {
    for (const map of this.allMaps()) {
      const hit = map.get(id);
      if (hit) return hit;
    }
    return undefined;
  }

  private allMaps(): Map<string, object>[] {
    return [
      this.sessions,
      this.products,
      this.paymentIntents,
      this.charges,
      this.refunds,
      this.balanceTransactions,
      this.payouts,
      this.disputes,
      this.events,
    ];
  }
}

function found<T>(value: T | undefined, kind: string, id: string): T {
  if (value === undefined) throw resourceMissing(kind, id);
  return value;
}
