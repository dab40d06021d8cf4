import type Stripe from 'stripe';
import { type SandboxContext, nowSeconds } from './context';
import { invalidRequest } from './errors';
import { emitEvent } from './events';
import { newId } from './ids';
import { recordBalanceTransaction } from './ledger';
import { buildPayout } from './objects-balance';

export interface PayoutOptions {
  arrivalDate?: Date;
  currency?: string;
}

const DAY = 24 * 3600;

/**
 * An automatic payout of every balance transaction not yet paid out. Pending funds are
 * treated as available so tests need not move the clock. Paid at once.
 */
export function createPayout(ctx: SandboxContext, opts: PayoutOptions = {}): Stripe.Payout {
  const currency = opts.currency ?? 'gbp';
  const included = [...ctx.store.balanceTransactions.values()].filter(
    (txn) => txn.currency === currency && txn.type !== 'payout' && !ctx.store.payoutOfTransaction.has(txn.id),
  );
  const amount = included.reduce((sum, txn) => sum + txn.net, 0);
  if (amount <= 0) throw invalidRequest(`Nothing to pay out: the unpaid ${currency} balance is ${amount}.`, 'balance_insufficient');
  const created = nowSeconds(ctx);
  const arrival = opts.arrivalDate ? Math.floor(opts.arrivalDate.getTime() / 1000) : created - (created % DAY) + DAY;
  const id = newId('po');
  const payout = buildPayout(id, amount, currency, created, arrival);
  const own = recordBalanceTransaction(ctx, {
    amount: -amount,
    fee: 0,
    currency,
    type: 'payout',
    reportingCategory: 'payout',
    source: id,
    description: 'STRIPE PAYOUT',
  });
  payout.balance_transaction = own.id;
  for (const txn of [...included, own]) ctx.store.payoutOfTransaction.set(txn.id, id);
  ctx.store.payouts.set(id, payout);
  emitEvent(ctx, 'payout.created', payout);
  payout.status = 'paid';
  emitEvent(ctx, 'payout.paid', payout, undefined, { status: 'pending' });
  return payout;
}
