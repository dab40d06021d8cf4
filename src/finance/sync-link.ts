import type { Knex } from 'knex';
import { writeTransaction } from '../db/dialect';
import { toDbTime } from '../lib/time';
import { CHARGE_TYPES } from './categories';

/**
 * Payments and refunds learn their fee, net and payout from the mirror of Stripe's balance. Only rows
 * that differ are touched, so running it again changes nothing.
 */
export async function linkRecordsToBalance(db: Knex, now: Date): Promise<number> {
  return writeTransaction(db, async (trx) => {
    const payments = await trx('payments as p')
      .join('balance_transactions as bt', 'bt.source_id', 'p.stripe_charge_id')
      .whereIn('bt.type', CHARGE_TYPES)
      .whereRaw("(coalesce(p.fee, -1) <> bt.fee or coalesce(p.net, -1) <> bt.net or coalesce(p.stripe_balance_transaction_id, '') <> bt.id or coalesce(p.stripe_payout_id, '') <> coalesce(bt.payout_id, ''))")
      .select('p.id', 'bt.id as bt_id', 'bt.fee', 'bt.net', 'bt.payout_id');
    for (const row of payments) {
      await trx('payments')
        .where({ id: row.id })
        .update({ fee: row.fee, net: row.net, stripe_balance_transaction_id: row.bt_id, stripe_payout_id: row.payout_id, updated_at: toDbTime(now) });
    }
    const refunds = await trx('refunds as r')
      .join('balance_transactions as bt', 'bt.source_id', 'r.stripe_refund_id')
      .whereRaw("(coalesce(r.stripe_balance_transaction_id, '') <> bt.id or coalesce(r.stripe_payout_id, '') <> coalesce(bt.payout_id, ''))")
      .select('r.id', 'bt.id as bt_id', 'bt.payout_id');
    for (const row of refunds) {
      await trx('refunds').where({ id: row.id }).update({ stripe_balance_transaction_id: row.bt_id, stripe_payout_id: row.payout_id, updated_at: toDbTime(now) });
    }
    return payments.length + refunds.length;
  });
}
