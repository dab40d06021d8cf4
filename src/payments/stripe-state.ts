import type Stripe from 'stripe';
import type { StripeState } from './types';

const idOf = (value: string | { id: string } | null | undefined): string | null => (value ? (typeof value === 'string' ? value : value.id) : null);
const fromUnix = (seconds: number) => new Date(seconds * 1000);

function parseAttendeeIds(value: string | undefined): number[] | null {
  if (!value) return null;
  const ids = value.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return ids.length ? ids : null;
}

/**
 * Reads everything Stripe knows about one checkout: the session, its payment, refunds and disputes.
 * Called outside any transaction; the result is then applied under the booking's lock.
 */
export async function fetchStripeState(stripe: Stripe, sessionId: string): Promise<StripeState> {
  const session = await stripe.checkout.sessions.retrieve(sessionId, { expand: ['payment_intent.latest_charge'] });
  const intent = typeof session.payment_intent === 'object' ? session.payment_intent : null;
  const paymentIntentId = idOf(session.payment_intent);
  const charge = intent && typeof intent.latest_charge === 'object' ? intent.latest_charge : null;

  const refunds: StripeState['refunds'] = [];
  const disputes: StripeState['disputes'] = [];
  if (paymentIntentId) {
    for await (const refund of stripe.refunds.list({ payment_intent: paymentIntentId, limit: 100 })) {
      refunds.push({
        id: refund.id,
        amount: refund.amount,
        status: refund.status ?? 'pending',
        reason: refund.metadata?.reason ?? refund.reason ?? null,
        ourRefundId: refund.metadata?.refund_id ? Number(refund.metadata.refund_id) : null,
        attendeeIds: parseAttendeeIds(refund.metadata?.attendee_ids),
        created: fromUnix(refund.created),
      });
    }
    for await (const dispute of stripe.disputes.list({ payment_intent: paymentIntentId, limit: 100 })) {
      if (idOf(dispute.payment_intent) !== paymentIntentId) continue;
      disputes.push({ id: dispute.id, amount: dispute.amount, status: dispute.status, reason: dispute.reason ?? null, created: fromUnix(dispute.created) });
    }
  }

  return {
    sessionId: session.id,
    sessionStatus: (session.status ?? 'open') as StripeState['sessionStatus'],
    paymentStatus: session.payment_status as StripeState['paymentStatus'],
    amountTotal: session.amount_total ?? 0,
    currency: (session.currency ?? 'gbp').toUpperCase(),
    paymentIntentId,
    paymentIntentStatus: intent?.status ?? null,
    chargeId: charge?.id ?? null,
    balanceTransactionId: idOf(charge?.balance_transaction as string | { id: string } | null | undefined),
    paidAt: charge ? fromUnix(charge.created) : null,
    refunds,
    disputes,
  };
}
