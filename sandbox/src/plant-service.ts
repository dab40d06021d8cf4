import type Stripe from 'stripe';
import { type SandboxContext, nowSeconds } from './context';
import { invalidParam } from './errors';
import { buildPaymentIntent } from './objects-payments';
import { succeedIntent } from './payment-service';

export interface PlantPaymentInput {
  amount: number;
  currency?: string;
  metadata?: Record<string, string>;
  description?: string;
  email?: string;
  name?: string;
}

export interface PlantedPayment {
  paymentIntent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
  balanceTransaction: Stripe.BalanceTransaction;
}

/**
 * A succeeded payment made outside our checkout flow (a payment link, the dashboard):
 * what reconciliation must notice as "a Stripe payment with no booking".
 */
export function plantPayment(ctx: SandboxContext, input: PlantPaymentInput): PlantedPayment {
  if (!Number.isInteger(input.amount) || input.amount < 1) throw invalidParam('amount must be a positive integer', 'amount');
  const intent = buildPaymentIntent({
    amount: input.amount,
    currency: input.currency ?? 'gbp',
    created: nowSeconds(ctx),
    metadata: input.metadata ?? {},
    description: input.description ?? null,
  });
  ctx.store.paymentIntents.set(intent.id, intent);
  const charge = succeedIntent(ctx, intent, { email: input.email ?? 'buyer@example.com', name: input.name ?? null });
  const balanceTransaction = ctx.store.balanceTransaction(String(charge.balance_transaction));
  return { paymentIntent: intent, charge, balanceTransaction };
}
