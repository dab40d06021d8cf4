import type Stripe from 'stripe';
import { fromFixture } from './fixtures';
import { newId } from './ids';

export interface BalanceTransactionFields {
  amount: number;
  fee: number;
  feeDescription?: string;
  currency: string;
  type: Stripe.BalanceTransaction.Type;
  reportingCategory: string;
  source: string;
  description: string | null;
  created: number;
  availableOn: number;
}

export function buildBalanceTransaction(fields: BalanceTransactionFields): Stripe.BalanceTransaction {
  const txn = fromFixture('balance_transaction');
  Object.assign(txn, {
    id: newId('txn'),
    amount: fields.amount,
    available_on: fields.availableOn,
    created: fields.created,
    currency: fields.currency,
    description: fields.description,
    fee: fields.fee,
    fee_details: fields.fee
      ? [{ amount: fields.fee, application: null, currency: fields.currency, description: fields.feeDescription ?? 'Stripe processing fees', type: 'stripe_fee' }]
      : [],
    net: fields.amount - fields.fee,
    reporting_category: fields.reportingCategory,
    source: fields.source,
    status: fields.availableOn <= fields.created ? 'available' : 'pending',
    type: fields.type,
  });
  return txn;
}

export function buildPayout(id: string, amount: number, currency: string, created: number, arrivalDate: number): Stripe.Payout {
  const payout = fromFixture('payout');
  Object.assign(payout, {
    id,
    amount,
    arrival_date: arrivalDate,
    automatic: true,
    balance_transaction: null,
    created,
    currency,
    metadata: {},
    reconciliation_status: 'completed',
    status: 'pending',
  });
  return payout;
}

export function buildDispute(charge: Stripe.Charge, amount: number, reason: string, created: number): Stripe.Dispute {
  const dispute = fromFixture('dispute');
  const sevenDays = 7 * 24 * 3600;
  Object.assign(dispute, {
    id: newId('dp'),
    amount,
    balance_transactions: [],
    charge: charge.id,
    created,
    currency: charge.currency,
    evidence_details: { ...dispute.evidence_details, due_by: created + sevenDays },
    is_charge_refundable: false,
    payment_intent: charge.payment_intent,
    reason,
    status: 'needs_response',
  });
  return dispute;
}
