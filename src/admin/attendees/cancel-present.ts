import type { BookingView, CancelOutcome, RefundChoice } from '../../bookings';
import { formatMoney } from '../../lib/money';
import { formatRange } from '../../lib/time';
import type { CancelPreview } from './cancel';

const CHOICE_LABELS: Record<RefundChoice, string> = {
  policy: 'Under the event’s refund policy',
  full: 'In full',
  none: 'No refund',
};

/** One refund choice as the confirmation page shows it: what is given back, what is kept, and what is left to pay. */
function optionView(preview: CancelPreview, option: CancelPreview['options'][number], chosen: string | undefined) {
  const c = preview.view.booking.currency;
  const money = (n: number) => formatMoney(n, c);
  let result: string;
  if (preview.kind === 'card') {
    result = option.amount > 0 ? `${money(option.amount)} refunded to the card` : 'Nothing refunded';
    if (option.feeKept > 0) result += `; ${money(option.feeKept)} kept`;
  } else {
    const owed = preview.left - option.amount;
    result = option.amount > 0 ? `${money(option.amount)} credited to the invoice` : 'Nothing credited';
    result += owed > 0 ? `; the invoice still asks for ${money(owed)}` : '; nothing left to pay';
  }
  return {
    value: option.choice,
    label: CHOICE_LABELS[option.choice],
    result,
    isDisabled: option.refusal !== null,
    refusal: option.refusal,
    isChecked: chosen === option.choice,
  };
}

/** The confirmation page's view-model: the booking, the seats that go, and each refund choice with its amounts. */
export function cancelPageView(preview: CancelPreview, form: { refund?: string; reason?: string }, seatId?: number) {
  const { booking, event } = preview.view;
  const c = booking.currency;
  const money = (n: number) => formatMoney(n, c);
  const hasMoney = preview.kind !== null;
  const paidNothing = booking.total > 0 && !hasMoney;
  return {
    booking: {
      reference: booking.reference,
      buyerName: booking.buyerName,
      buyerEmail: booking.buyerEmail,
      organisation: booking.buyerOrganisation,
      total: booking.total > 0 ? money(booking.total) : 'Free',
      isPending: booking.status === 'pending_payment',
      isWaitlisted: booking.status === 'waitlisted',
    },
    event: { slug: event.slug, title: event.title, when: formatRange(event.startsAt, event.endsAt, event.timezone) },
    seats: preview.seats.map((a) => ({ name: a.name, email: a.email, price: a.unitPrice > 0 ? money(a.unitPrice) : 'Free' })),
    seatId: seatId ?? null,
    isWhole: preview.isWhole,
    isCard: preview.kind === 'card',
    isInvoice: preview.kind === 'invoice',
    left: money(preview.left),
    invoice: preview.invoice
      ? { total: money(preview.invoice.total), credited: money(preview.invoice.credited), received: money(preview.invoice.received), outstanding: money(preview.invoice.outstanding) }
      : null,
    hasMoney,
    paidNothing,
    options: hasMoney ? preview.options.map((o) => optionView(preview, o, form.refund)) : [],
    refusal: preview.refusal,
    reason: form.reason ?? '',
    action: `/admin/bookings/${booking.reference}/cancel`,
    back: `/admin/events/${event.slug}/attendees`,
  };
}

/** The notice after a cancellation: numbers only in the address, words from here. */
export function cancelNoticeQuery(view: BookingView, outcome: CancelOutcome): string {
  const params = new URLSearchParams({ notice: 'cancelled', seats: String(outcome.cancelled.length), refund: String(outcome.refundAmount), credit: String(outcome.creditAmount) });
  return `/admin/events/${view.event.slug}/attendees?${params.toString()}`;
}
