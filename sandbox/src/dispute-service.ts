import type Stripe from 'stripe';
import { type SandboxContext, nowSeconds } from './context';
import { invalidRequest } from './errors';
import { emitEvent } from './events';
import { recordBalanceTransaction } from './ledger';
import { buildDispute } from './objects-balance';

export interface DisputeOptions {
  amount?: number;
  reason?: string;
}

/**
 * A chargeback. Like Stripe, the disputed amount and the dispute fee leave the balance
 * as soon as the dispute opens (an `adjustment`, reporting category `dispute`).
 */
export function openDispute(ctx: SandboxContext, chargeId: string, opts: DisputeOptions = {}): Stripe.Dispute {
  const charge = ctx.store.charge(chargeId);
  if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${chargeId} did not succeed, so it cannot be disputed.`);
  if (charge.disputed) throw invalidRequest(`Charge ${chargeId} is already disputed.`);
  const amount = opts.amount ?? charge.amount - charge.amount_refunded;
  if (amount < 1) throw invalidRequest(`Charge ${chargeId} has nothing left to dispute.`);
  const dispute = buildDispute(charge, amount, opts.reason ?? 'fraudulent', nowSeconds(ctx));
  const withdrawal = recordBalanceTransaction(ctx, {
    amount: -amount,
    fee: ctx.options.disputeFee,
    feeDescription: 'Dispute fee',
    currency: charge.currency,
    type: 'adjustment',
    reportingCategory: 'dispute',
    source: dispute.id,
    description: `Chargeback withdrawal for ${charge.id}`,
  });
  dispute.balance_transactions = [withdrawal];
  ctx.store.disputes.set(dispute.id, dispute);
  charge.disputed = true;
  emitEvent(ctx, 'charge.dispute.created', dispute);
  emitEvent(ctx, 'charge.dispute.funds_withdrawn', dispute);
  return dispute;
}

/** Won: the amount comes back (the fee does not). Lost: nothing more moves; the withdrawal stands. */
export function closeDispute(ctx: SandboxContext, disputeId: string, status: 'won' | 'lost'): Stripe.Dispute {
  const dispute = ctx.store.dispute(disputeId);
  if (dispute.status === 'won' || dispute.status === 'lost') {
    throw invalidRequest(`Dispute ${disputeId} is already closed (${dispute.status}).`);
  }
  const previous = { status: dispute.status };
  dispute.status = status;
  if (status === 'won') {
    const reinstatement = recordBalanceTransaction(ctx, {
      amount: dispute.amount,
      fee: 0,
      currency: dispute.currency,
      type: 'adjustment',
      reportingCategory: 'dispute_reversal',
      source: dispute.id,
      description: `Chargeback reversal for ${String(dispute.charge)}`,
    });
    dispute.balance_transactions = [...dispute.balance_transactions, reinstatement];
    emitEvent(ctx, 'charge.dispute.funds_reinstated', dispute);
  }
  emitEvent(ctx, 'charge.dispute.closed', dispute, undefined, previous);
  return dispute;
}
