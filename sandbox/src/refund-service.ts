import type Stripe from 'stripe';
import { type EventOrigin, type SandboxContext, NO_ORIGIN, nowSeconds } from './context';
import { invalidParam, invalidRequest } from './errors';
import { emitEvent } from './events';
import { newId, randomToken } from './ids';
import { recordBalanceTransaction } from './ledger';
import { formatMoney } from './money';
import { buildRefund } from './objects-payments';

export interface RefundInput {
  payment_intent?: string;
  charge?: string;
  amount?: number;
  reason?: Stripe.Refund.Reason;
  metadata?: Record<string, string>;
}

/** Refunds from the API and from the dashboard alike: the charge, a negative balance transaction, three events. */
export function createRefund(ctx: SandboxContext, input: RefundInput, origin: EventOrigin = NO_ORIGIN): Stripe.Refund {
  const charge = refundableCharge(ctx, input);
  const remaining = charge.amount - charge.amount_refunded;
  const amount = input.amount ?? remaining;
  if (amount > remaining) {
    throw invalidRequest(
      `Refund amount (${formatMoney(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatMoney(remaining, charge.currency)})`,
      'amount_too_large',
      'amount',
    );
  }
  const id = newId('re');
  const txn = recordBalanceTransaction(ctx, {
    amount: -amount,
    fee: 0,
    currency: charge.currency,
    type: 'refund',
    reportingCategory: 'refund',
    source: id,
    description: 'REFUND FOR CHARGE',
  });
  const refund = buildRefund(id, {
    amount,
    charge,
    created: nowSeconds(ctx),
    reason: input.reason ?? null,
    metadata: input.metadata ?? {},
    balanceTransactionId: txn.id,
  });
  ctx.store.refunds.set(id, refund);
  emitEvent(ctx, 'refund.created', refund, origin);
  applyToCharge(ctx, charge, refund, origin);
  assignAcquirerReference(ctx, refund, origin);
  return refund;
}

function refundableCharge(ctx: SandboxContext, input: RefundInput): Stripe.Charge {
  if (input.charge && input.payment_intent) {
    throw invalidParam('You can only specify one of these parameters: charge, payment_intent.', 'payment_intent');
  }
  const charge = input.charge ? ctx.store.charge(input.charge) : latestCharge(ctx, input.payment_intent);
  if (charge.status !== 'succeeded') {
    throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, 'charge_not_refundable', 'charge');
  }
  if (charge.disputed && !isDisputeClosed(ctx, charge.id)) {
    throw invalidRequest(`Charge ${charge.id} has been charged back; refunds are not possible while a dispute is open.`, 'charge_disputed', 'charge');
  }
  if (charge.amount_refunded >= charge.amount) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge_already_refunded', 'charge');
  }
  return charge;
}

function latestCharge(ctx: SandboxContext, paymentIntentId: string | undefined): Stripe.Charge {
  if (!paymentIntentId) throw invalidParam('One of the following params should be provided for this request: payment_intent or charge.', 'charge', 'parameter_missing');
  const intent = ctx.store.paymentIntent(paymentIntentId);
  if (intent.status !== 'succeeded' || typeof intent.latest_charge !== 'string') {
    throw invalidRequest(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, 'charge_not_refundable', 'payment_intent');
  }
  return ctx.store.charge(intent.latest_charge);
}

function isDisputeClosed(ctx: SandboxContext, chargeId: string): boolean {
  return [...ctx.store.disputes.values()].every((d) => d.charge !== chargeId || d.status === 'won' || d.status === 'lost');
}

function applyToCharge(ctx: SandboxContext, charge: Stripe.Charge, refund: Stripe.Refund, origin: EventOrigin): void {
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += refund.amount;
  charge.refunded = charge.amount_refunded >= charge.amount;
  if (charge.refunds) charge.refunds.data = [refund, ...charge.refunds.data];
  emitEvent(ctx, 'charge.refunded', charge, origin, previous);
}

function assignAcquirerReference(ctx: SandboxContext, refund: Stripe.Refund, origin: EventOrigin): void {
  const card = refund.destination_details?.card;
  if (!card) return;
  const previous = { destination_details: { card: { reference: card.reference, reference_status: card.reference_status } } };
  card.reference = randomToken(23).toUpperCase();
  card.reference_status = 'available';
  emitEvent(ctx, 'refund.updated', refund, origin, previous);
}
