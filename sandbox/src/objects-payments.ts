import type Stripe from 'stripe';
import { fromFixture } from './fixtures';
import { newId, randomToken } from './ids';

export interface PaymentIntentFields {
  amount: number;
  currency: string;
  created: number;
  metadata: Record<string, string>;
  description: string | null;
}

export function buildPaymentIntent(fields: PaymentIntentFields): Stripe.PaymentIntent {
  const intent = fromFixture('payment_intent');
  const id = newId('pi');
  Object.assign(intent, {
    id,
    amount: fields.amount,
    amount_received: 0,
    client_secret: `${id}_secret_${randomToken(25)}`,
    created: fields.created,
    currency: fields.currency,
    description: fields.description,
    metadata: { ...fields.metadata },
    status: 'requires_payment_method',
  });
  return intent;
}

export interface Billing {
  email: string;
  name: string | null;
}

export type ChargeFailure = { code: string; declineCode: string; message: string };

/** A card charge for a PaymentIntent; Stripe copies the intent's metadata onto it. */
export function buildCharge(intent: Stripe.PaymentIntent, billing: Billing, created: number, failure?: ChargeFailure): Stripe.Charge {
  const charge = fromFixture('charge');
  const id = newId('ch');
  const isPaid = !failure;
  Object.assign(charge, {
    id,
    amount: intent.amount,
    amount_captured: isPaid ? intent.amount : 0,
    amount_refunded: 0,
    balance_transaction: null,
    billing_details: { ...charge.billing_details, email: billing.email, name: billing.name },
    calculated_statement_descriptor: 'HSUG SANDBOX',
    captured: isPaid,
    created,
    currency: intent.currency,
    description: intent.description,
    disputed: false,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    metadata: { ...intent.metadata },
    paid: isPaid,
    payment_intent: intent.id,
    payment_method: newId('pm'),
    receipt_email: intent.receipt_email,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${id}/refunds` },
    status: isPaid ? 'succeeded' : 'failed',
  });
  if (failure) {
    charge.outcome = {
      ...charge.outcome!,
      network_status: 'declined_by_network',
      reason: failure.declineCode,
      seller_message: 'The bank did not return any further details with this decline.',
      type: 'issuer_declined',
    };
  }
  return charge;
}

export interface RefundFields {
  amount: number;
  charge: Stripe.Charge;
  created: number;
  reason: Stripe.Refund.Reason | null;
  metadata: Record<string, string>;
  balanceTransactionId: string;
}

/** Card refunds get an acquirer reference a moment after creation; until then it is pending. */
export function buildRefund(id: string, fields: RefundFields): Stripe.Refund {
  const refund = fromFixture('refund');
  Object.assign(refund, {
    id,
    amount: fields.amount,
    balance_transaction: fields.balanceTransactionId,
    charge: fields.charge.id,
    created: fields.created,
    currency: fields.charge.currency,
    destination_details: {
      card: { reference: null, reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    metadata: { ...fields.metadata },
    payment_intent: fields.charge.payment_intent,
    reason: fields.reason,
    status: 'succeeded',
  });
  return refund;
}
