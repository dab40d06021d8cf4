import { DateTime } from 'luxon';
import { decimalAmount } from '../lib/csv';
import { ValidationError } from '../lib/errors';
import type { FinanceBooking } from './booking';
import { money } from './present';
import type { InvoicePaymentInput } from './invoices';
import type { StaffRefundInput } from './refund';

/**
 * The review step before a refund, a bank payment or a write-off: nothing happens on the first click. The form posts
 * its values; the page that comes back says in words what will happen ("Refund £95.00 to the card ending 4242 …; the
 * booking stays confirmed"), with the values still editable, and a confirm button that posts them again with
 * `reviewed`, a fingerprint of exactly what was stated. The action runs only when the values posted are the ones
 * reviewed; a changed amount brings the review back with the new effect (`changed`).
 */

export interface Review {
  heading: string;
  /** What will happen, sentence by sentence. */
  effects: string[];
  confirmLabel: string;
  /** The fingerprint of what the effects describe; posted back as `reviewed`. */
  reviewed: string;
}

const places = (n: number) => `${n} ${n === 1 ? 'place' : 'places'}`;

/** Refuses, before the review, what the action would refuse anyway: more than is left, places no longer booked. */
export function checkRefund(view: FinanceBooking, input: StaffRefundInput): void {
  if (input.amount > view.refundable) throw new ValidationError([{ path: 'amount', message: `Enter at most ${money(view.refundable, view.booking.currency)}, what is left to refund` }]);
  const active = new Set(view.attendees.filter((a) => a.status === 'active').map((a) => a.id));
  if (input.attendeeIds.some((id) => !active.has(id))) throw new ValidationError([{ path: 'attendeeIds', message: 'Choose places that are still booked' }]);
}

export function refundReview(view: FinanceBooking, input: StaffRefundInput, cardLast4: string | null): Review {
  const { booking } = view;
  const c = booking.currency;
  const card = view.payments.filter((p) => p.method === 'card').at(-1);
  const cardText = cardLast4 ? `the card ending ${cardLast4}` : `the card that paid (Stripe charge ${card?.chargeId ?? 'unknown'})`;
  const active = view.attendees.filter((a) => a.status === 'active');
  const chosen = active.filter((a) => input.attendeeIds.includes(a.id));
  const left = view.refundable - input.amount;
  const effects = [`Refund ${money(input.amount, c)} to ${cardText}, for booking ${booking.reference} (${booking.buyerName}, ${view.event.title}).`];
  if (chosen.length === 0) effects.push(`No place is cancelled: the booking stays ${booking.status.replace(/_/g, ' ')} with its ${places(active.length)} (a goodwill refund).`);
  else if (chosen.length === active.length) effects.push(`All its places are cancelled (${chosen.map((a) => a.name).join(', ')}), so the booking is cancelled; each person's calendar is told.`);
  else effects.push(`${chosen.length === 1 ? 'This place is' : 'These places are'} cancelled and told: ${chosen.map((a) => a.name).join(', ')}. The booking stays ${booking.status.replace(/_/g, ' ')} with ${places(active.length - chosen.length)}.`);
  const before = card ? card.amount - view.refundable : 0;
  if (left > 0) effects.push(`It is a partial refund: ${money(left, c)} is left to refund after it.`);
  else if (before > 0) effects.push(`It refunds all that is left (${money(before, c)} was refunded before): nothing is left to refund after it.`);
  else effects.push('It is a full refund: nothing is left to refund after it.');
  effects.push(`${booking.buyerName} is emailed once Stripe confirms the refund. It cannot be taken back: Stripe returns the money to the card.`);
  return { heading: `Check the refund for booking ${booking.reference}`, effects, confirmLabel: `Refund ${money(input.amount, c)} to the card`, reviewed: `refund:${input.amount}:${[...input.attendeeIds].sort((a, b) => a - b).join(',')}` };
}

export function invoicePaymentReview(view: FinanceBooking, input: InvoicePaymentInput, zone: string): Review {
  const { booking } = view;
  const c = booking.currency;
  const left = view.invoice.outstanding - input.amount;
  const day = DateTime.fromISO(input.paidOn, { zone }).setLocale('en-GB').toFormat('d LLLL yyyy');
  return {
    heading: `Check the bank payment for booking ${booking.reference}`,
    effects: [
      `Record ${money(input.amount, c)} received by bank transfer on ${day}, reference “${input.bankReference}”, against the invoice of booking ${booking.reference} (${booking.buyerOrganisation ?? booking.buyerName}${booking.purchaseOrder ? `, PO ${booking.purchaseOrder}` : ''}).`,
      left === 0 ? 'The invoice is then paid in full and leaves the list of invoices outstanding.' : `${money(left, c)} stays outstanding on the invoice after it.`,
      `${booking.buyerName} is emailed a receipt${left === 0 ? '' : ' that says what is still due'}. The booking's places do not change.`,
      'A payment recorded by mistake cannot be removed here: check the amount against the bank statement.',
    ],
    confirmLabel: `Record ${money(input.amount, c)} received`,
    reviewed: `invoice:${input.amount}:${input.paidOn}:${input.bankReference}`,
  };
}

export function writeOffReview(view: FinanceBooking): Review {
  const { booking } = view;
  const c = booking.currency;
  return {
    heading: `Check the write-off for booking ${booking.reference}`,
    effects: [
      `Write off the ${money(view.invoice.outstanding, c)} still outstanding on the invoice of booking ${booking.reference} (${booking.buyerOrganisation ?? booking.buyerName}${booking.purchaseOrder ? `, PO ${booking.purchaseOrder}` : ''}).`,
      'The invoice is closed as written off and leaves the list of invoices outstanding; nothing more is asked of the buyer, and no email is sent.',
      `The booking stays ${booking.status.replace(/_/g, ' ')}: its places are not cancelled.`,
      'This cannot be undone here.',
    ],
    confirmLabel: `Write off ${money(view.invoice.outstanding, c)}`,
    reviewed: `write-off:${view.invoice.outstanding}`,
  };
}

/** What the review's form shows: the values posted, as typed (an amount back in pounds). */
export function amountText(pence: number): string {
  return decimalAmount(pence);
}
