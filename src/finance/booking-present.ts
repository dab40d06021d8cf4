import { KIND_TITLES } from './documents/render';
import { decimalAmount } from '../lib/csv';
import { formatRange } from '../lib/time';
import type { FinanceBooking } from './booking';
import { OPEN_DISPUTE_STATUSES } from './categories';
import { dateTime, money, shortDate } from './present';

const label = (s: string) => s.replace(/_/g, ' ');

/** The finance view of one booking: what was paid, refunded and disputed, and what can be done next. */
export function bookingPageView(view: FinanceBooking, zone: string, chosenAttendeeIds: Set<string> = new Set()) {
  const { booking, event } = view;
  const c = booking.currency;
  const isInvoice = booking.paymentMethod === 'invoice';
  return {
    documents: view.documents.map((d) => ({
      number: d.number,
      kind: KIND_TITLES[d.kind],
      issueDate: d.snapshot.issueDate,
      amount: money(d.snapshot.totals.gross, d.currency),
      credits: d.snapshot.credits?.number ?? null,
    })),
    booking: {
      reference: booking.reference,
      status: booking.status,
      statusLabel: label(booking.status),
      buyerName: booking.buyerName,
      buyerEmail: booking.buyerEmail,
      organisation: booking.buyerOrganisation,
      purchaseOrder: booking.purchaseOrder,
      billingContact: booking.billingContact,
      billingEmail: booking.billingEmail,
      billingAddress: booking.billingAddress,
      total: money(booking.total, c),
      refunded: money(booking.refundedTotal, c),
      method: isInvoice ? 'Invoice' : booking.paymentMethod === 'stripe' ? 'Card' : 'None (free)',
      invoiceStatus: booking.invoiceStatus ? label(booking.invoiceStatus) : null,
      invoicePaidAt: view.invoicePaidAt ? shortDate(view.invoicePaidAt, zone) : null,
      credited: isInvoice && view.invoice.credited ? money(view.invoice.credited, c) : null,
      received: isInvoice && view.invoice.received ? money(view.invoice.received, c) : null,
      outstanding: isInvoice && booking.invoiceStatus === 'outstanding' ? money(view.invoice.outstanding, c) : null,
      bookedAt: dateTime(booking.createdAt, zone),
    },
    event: { title: event.title, slug: event.slug, when: formatRange(event.startsAt, event.endsAt, event.timezone) },
    payments: view.payments.map((p) => ({
      method: p.method === 'invoice' ? 'Invoice' : 'Card',
      status: label(p.status),
      amount: money(p.amount, p.currency),
      fee: p.fee === null ? 'not synced yet' : money(p.fee, p.currency),
      net: p.net === null ? 'not synced yet' : money(p.net, p.currency),
      date: dateTime(p.paidAt, zone),
      chargeId: p.chargeId,
      payoutId: p.payoutId,
      bankReference: p.bankReference,
      note: p.note,
    })),
    credits: view.credits.map((cr) => ({
      amount: money(cr.amount, cr.currency),
      feeKept: cr.feeKept ? money(cr.feeKept, cr.currency) : null,
      reason: cr.reason,
      by: cr.createdBy,
      date: dateTime(cr.createdAt, zone),
      seats: cr.attendeeIds.map((id) => view.attendees.find((a) => a.id === id)?.name ?? `#${id}`).join(', '),
    })),
    refunds: view.refunds.map((r) => ({ amount: money(r.amount, r.currency), status: label(r.status), reason: r.reason, by: r.initiatedBy, stripeRefundId: r.stripeRefundId, payoutId: r.payoutId, lastError: r.lastError, date: dateTime(r.createdAt, zone) })),
    disputes: view.disputes.map((d) => ({ id: d.stripeDisputeId, amount: money(d.amount, d.currency), status: label(d.status), reason: d.reason, date: dateTime(d.createdAt, zone), isOpen: OPEN_DISPUTE_STATUSES.includes(d.status), deadline: d.dueBy ? `Respond in the Stripe dashboard by ${dateTime(d.dueBy, zone)}` : 'Its response deadline shows here after the next sync with Stripe' })),
    attendees: view.attendees.map((a) => ({ id: a.id, name: a.name, email: a.email, price: money(a.unitPrice, a.currency), isActive: a.status === 'active', isChosen: chosenAttendeeIds.has(String(a.id)) })),
    refundable: money(view.refundable, c),
    canRefund: view.refundable > 0 && !view.hasOpenDispute && view.payments.some((p) => p.method === 'card'),
    hasOpenDispute: view.hasOpenDispute,
    isCard: booking.stripeCheckoutSessionId !== null,
    isInvoiceOutstanding: isInvoice && booking.invoiceStatus === 'outstanding',
    /** A paid booking that still holds places: the treasurer may cancel it (or a place of it) from here. */
    isCancellable: booking.total > 0 && ['confirmed', 'waitlisted', 'pending_payment'].includes(booking.status),
  };
}

export type FinanceFormName = 'refundForm' | 'invoiceForm' | 'writeOffForm';

export interface PostedForm {
  form: FinanceFormName;
  body: Record<string, unknown>;
  /** Field errors, or a problem with the whole action (a conflict). */
  errors: Record<string, string>;
  problem: string | null;
}

const errorsOf = (fields: Record<string, string>) => ({ ...fields, fields, any: Object.keys(fields).length > 0 });
const asText = (v: unknown) => (typeof v === 'string' ? v : '');

/** The three forms of the booking page: blank with sensible defaults, or as posted with their errors. */
export function bookingForms(view: FinanceBooking, today: string, posted?: PostedForm) {
  const c = view.booking.currency;
  const mine = (form: FinanceFormName) => (posted?.form === form ? posted : undefined);
  const chosen = new Set(([] as unknown[]).concat(mine('refundForm')?.body.attendeeIds ?? []).map(String));
  const refund = mine('refundForm');
  const invoice = mine('invoiceForm');
  const writeOff = mine('writeOffForm');
  return {
    refundForm: refund ? { amount: asText(refund.body.amount), reason: asText(refund.body.reason) } : { amount: decimalAmount(view.refundable), reason: '' },
    invoiceForm: invoice ? { paidOn: asText(invoice.body.paidOn), amount: asText(invoice.body.amount), bankReference: asText(invoice.body.bankReference) } : { paidOn: today, amount: decimalAmount(view.invoice.outstanding), bankReference: '' },
    writeOffForm: { reason: asText(writeOff?.body.reason) },
    refundErrors: errorsOf(refund?.errors ?? {}),
    invoiceErrors: errorsOf(invoice?.errors ?? {}),
    writeOffErrors: errorsOf(writeOff?.errors ?? {}),
    problem: posted?.problem ?? null,
    refundHint: `Up to ${money(view.refundable, c)} is left to refund; as filled in, this is a full refund. Change it for a partial one.`,
    invoiceHint: `${money(view.invoice.outstanding, c)} is outstanding (the invoice total less credits and payments received). A smaller payment leaves the rest outstanding; a larger one is refused.`,
    chosenAttendeeIds: chosen,
  };
}
