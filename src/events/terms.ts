import type { Config } from '../config';
import { formatMoney } from '../lib/money';
import { formatInstant } from '../lib/time';
import type { EventRecord } from './types';

/**
 * What an event promises the people who book it, in words, from one place: its refund terms (each event's deadline
 * and fee: DESIGN.md, Main flows 5), the price basis (VAT), and whom to write to. The event page, the booking form,
 * the booking page and the emails all say these sentences, so they never disagree.
 */

/**
 * Whom to write to about an event: its own contact email, or the organisation's (`ORG_CONTACT_EMAIL`) when it has none;
 * a blank one (an event saved with an empty field) counts as none, so no email says "Write to ." (issue 15).
 */
export function contactEmailFor(event: Pick<EventRecord, 'contactEmail'>, config: Pick<Config, 'orgContactEmail'>): string {
  return event.contactEmail?.trim() || config.orgContactEmail;
}

/**
 * The price basis, in one line, said the same way on the event page, the booking form, the payment step, the emails
 * and every finance document: with a VAT number (`VAT_NUMBER`, `VAT_RATE`), prices include VAT at that rate; without
 * one, an organisation cannot charge VAT, so every price is the whole price with no VAT in it.
 */
export function priceBasis(config: Pick<Config, 'orgName' | 'vat'>): string {
  if (!config.vat) return `No VAT is charged: the ${config.orgName} is not registered for VAT.`;
  return `Prices include VAT at ${vatRateLabel(config.vat.rateBasisPoints)} (VAT registration number ${config.vat.number}).`;
}

/** A VAT rate in basis points as people write it: 2000 → "20%", 1750 → "17.5%". */
export function vatRateLabel(basisPoints: number): string {
  const whole = Math.floor(basisPoints / 100);
  const rest = basisPoints % 100;
  return rest === 0 ? `${whole}%` : `${whole}.${String(rest).padStart(2, '0').replace(/0$/, '')}%`;
}

export interface RefundTerms {
  /** The deadline in the event's zone ("Tuesday 10 March 2026, 12:00am"), or null: until the event starts. */
  deadlineLabel: string | null;
  /** The fee kept on a cancellation ("£10.00"), or null when nothing is kept. */
  feeLabel: string | null;
  /** A booking paid by card: how to cancel and what comes back. */
  card: string;
  /** A booking paid by invoice: cancelled by the organisers, the invoice credited by the same rules. */
  invoice: string;
}

type TermsEvent = Pick<EventRecord, 'refundDeadlineAt' | 'refundFee' | 'currency' | 'timezone'>;

/**
 * The event's refund terms as sentences. The money itself is worked out by bookings/ (`cancellationMoney`): the price
 * less the fee until the deadline (or the start, without one), nothing after it.
 */
export function refundTerms(event: TermsEvent, contactEmail: string): RefundTerms {
  const deadlineLabel = event.refundDeadlineAt ? formatInstant(event.refundDeadlineAt, event.timezone) : null;
  const feeLabel = event.refundFee > 0 ? formatMoney(event.refundFee, event.currency) : null;
  const until = deadlineLabel ? `by ${deadlineLabel}` : 'before the event starts';
  const refund = feeLabel ? `we refund what you paid less a ${feeLabel} cancellation fee` : 'we refund what you paid in full';
  const credit = feeLabel ? `we credit the invoice less a ${feeLabel} cancellation fee` : 'we credit the invoice in full';
  return {
    deadlineLabel,
    feeLabel,
    card: `Card payments: cancel online ${until} and ${refund}.${deadlineLabel ? ' After that, places are not refunded.' : ''}`,
    invoice: `Invoice bookings: write to ${contactEmail} ${until} to cancel, and ${credit}.${deadlineLabel ? ' After that, the full price is due.' : ''}`,
  };
}
