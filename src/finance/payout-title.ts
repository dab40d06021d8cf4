import { formatMoney } from '../lib/money';
import { inZone } from '../lib/time';

/**
 * A payout as the bank statement shows it: "£510.86 paid on 30 Nov 2026". The treasurer matches payouts to the bank
 * by amount and date; Stripe's id (po_…) goes underneath, for the Stripe dashboard.
 */
export function payoutTitle(payout: { amount: number; currency: string; status: string; arrivalDate: Date }, zone: string): string {
  const amount = formatMoney(payout.amount, payout.currency);
  const day = inZone(payout.arrivalDate, zone).toFormat('d LLL yyyy');
  switch (payout.status) {
    case 'paid':
      return `${amount} paid on ${day}`;
    case 'failed':
      return `${amount} due on ${day}, failed`;
    case 'canceled':
      return `${amount} due on ${day}, cancelled`;
    default:
      return `${amount} arriving on ${day}`;
  }
}
