import { z } from 'zod';
import { toDbTime } from '../lib/time';

/** Stripe sends ids, or the object when expanded; we keep the id. */
const idOrObject = z.union([z.string(), z.object({ id: z.string() }).transform((o) => o.id)]).nullable().optional();
const unix = z.number().int().nonnegative();

/**
 * With expand[]=data.source: a charge, or a refund or dispute that names its charge. A charge's card gives its last
 * four digits (for "refund to the card ending 4242"); a dispute gives its response deadline (`evidence_details.due_by`).
 */
const source = z
  .union([
    z.string().transform((id) => ({ id, charge: null as string | null, cardLast4: null as string | null, dueBy: null as number | null })),
    z
      .object({
        id: z.string(),
        object: z.string().optional(),
        charge: idOrObject,
        payment_method_details: z.object({ card: z.object({ last4: z.string().regex(/^\d{4}$/).nullable().optional() }).nullable().optional() }).nullable().optional(),
        evidence_details: z.object({ due_by: unix.nullable().optional() }).nullable().optional(),
      })
      .transform((o) => ({
        id: o.id,
        charge: o.object === 'charge' ? o.id : (o.charge ?? null),
        cardLast4: o.payment_method_details?.card?.last4 ?? null,
        dueBy: o.object === 'dispute' ? (o.evidence_details?.due_by ?? null) : null,
      })),
  ])
  .nullable()
  .optional();

/** Only the fields the treasurer's pages use; anything else Stripe adds is ignored. */
export const stripeBalanceTransactionSchema = z.object({
  id: z.string().min(1).max(255),
  amount: z.number().int(),
  fee: z.number().int(),
  net: z.number().int(),
  currency: z.string().length(3),
  type: z.string().min(1).max(40),
  reporting_category: z.string().min(1).max(60),
  status: z.string().min(1).max(20),
  source,
  description: z.string().nullable().optional(),
  fee_details: z.array(z.object({ amount: z.number().int(), currency: z.string(), description: z.string().nullable().optional(), type: z.string() })).default([]),
  created: unix,
  available_on: unix,
});

export const stripePayoutSchema = z.object({
  id: z.string().min(1).max(255),
  amount: z.number().int(),
  currency: z.string().length(3),
  status: z.string().min(1).max(20),
  reconciliation_status: z.string().nullable().optional(),
  automatic: z.boolean().optional(),
  balance_transaction: idOrObject,
  failure_code: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  arrival_date: unix,
  created: unix,
});

export type BalanceTransactionRow = Record<string, string | number | null>;

const fromUnix = (seconds: number) => toDbTime(new Date(seconds * 1000));

export function balanceTransactionRow(input: unknown, now: Date): BalanceTransactionRow {
  const txn = stripeBalanceTransactionSchema.parse(input);
  return {
    id: txn.id,
    type: txn.type,
    reporting_category: txn.reporting_category,
    amount: txn.amount,
    fee: txn.fee,
    net: txn.net,
    currency: txn.currency.toUpperCase(),
    fee_details: JSON.stringify(txn.fee_details.map((f) => ({ amount: f.amount, type: f.type, description: f.description ?? null }))),
    source_id: txn.source?.id ?? null,
    charge_id: txn.source?.charge ?? (txn.source?.id.startsWith('ch_') || txn.source?.id.startsWith('py_') ? txn.source.id : null),
    status: txn.status,
    card_last4: txn.source?.cardLast4 ?? null,
    dispute_due_by: txn.source?.dueBy ? fromUnix(txn.source.dueBy) : null,
    description: txn.description ? txn.description.slice(0, 500) : null,
    created_at: fromUnix(txn.created),
    available_on: fromUnix(txn.available_on),
    synced_at: toDbTime(now),
  };
}

export function payoutRow(input: unknown, now: Date): Record<string, string | number | boolean | null> {
  const payout = stripePayoutSchema.parse(input);
  return {
    id: payout.id,
    amount: payout.amount,
    currency: payout.currency.toUpperCase(),
    status: payout.status,
    reconciliation_status: payout.reconciliation_status ?? null,
    is_automatic: payout.automatic ?? true,
    balance_transaction_id: payout.balance_transaction ?? null,
    failure_code: payout.failure_code ?? null,
    description: payout.description ? payout.description.slice(0, 500) : null,
    arrival_date: fromUnix(payout.arrival_date),
    created_at: fromUnix(payout.created),
    synced_at: toDbTime(now),
  };
}

/** Stripe never changes these again (a paid payout can still fail, so it is re-read while recent). */
export const FINAL_PAYOUT_STATUSES = ['paid', 'failed', 'canceled'] as const;
