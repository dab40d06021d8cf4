import type Stripe from 'stripe';
import { type SandboxContext, nowSeconds } from './context';
import { type BalanceTransactionFields, buildBalanceTransaction } from './objects-balance';

const DAY = 24 * 3600;
/** Card funds in the UK become available two days after the charge (Stripe's standard schedule). */
export const CHARGE_AVAILABILITY_SECONDS = 2 * DAY;

export function recordBalanceTransaction(
  ctx: SandboxContext,
  fields: Omit<BalanceTransactionFields, 'created' | 'availableOn'> & { availableOn?: number; created?: number },
): Stripe.BalanceTransaction {
  const created = fields.created ?? nowSeconds(ctx);
  const txn = buildBalanceTransaction({ ...fields, created, availableOn: fields.availableOn ?? created });
  ctx.store.balanceTransactions.set(txn.id, txn);
  return txn;
}

/** Status follows the injected clock, so it is brought up to date whenever it is read. */
export function refreshAvailability(ctx: SandboxContext): void {
  const now = nowSeconds(ctx);
  for (const txn of ctx.store.balanceTransactions.values()) {
    txn.status = txn.available_on <= now ? 'available' : 'pending';
  }
}
