import type { Knex } from 'knex';
import { findBookingById, listAttendees, type AttendeeRecord, type BookingRecord } from '../../bookings';
import type { ServiceContext } from '../../context';
import { findEventById, listTicketTypes } from '../../events/queries';
import { priceBasis } from '../../events/terms';
import type { EventRecord } from '../../events/types';
import { normaliseEmail } from '../../lib/email';
import { publicHost, invoicePayUrl } from '../../lib/links';
import { formatDate, inZone, toDbTime } from '../../lib/time';
import { enqueueEmail } from '../../mail/outbox';
import { documentEmail } from './email';
import { chargedFor, documentLines, documentTotals, type AdjustmentForLine, type PlaceForLine } from './lines';
import { financialYearOf, formatDocumentNumber, nextSequence, SERIES } from './numbers';
import { findDocument, findInvoiceOfBooking, findReceiptOfPayment, type DocumentRecord } from './queries';
import type { DocumentKind, DocumentSnapshot } from './snapshot';

/**
 * Issuing finance documents, each in the transaction that causes it (the booking, the payment, the credit, the
 * refund), under the event's lock that transaction already holds: the number is taken there (numbers.ts), the whole
 * document is fixed as a snapshot in its row, and its emails are queued. Nothing is rendered here: the PDF is made from
 * the snapshot when it is emailed or downloaded. Each function is idempotent: the same source never gets a second
 * document (unique columns), so a repeated webhook or retry returns the one already issued.
 */

const addressLines = (text: string | null) => (text ?? '').split(/\r?\n|,(?=\s)/).map((l) => l.trim()).filter(Boolean);

interface Parties {
  booking: BookingRecord;
  event: EventRecord;
  seats: AttendeeRecord[];
  typeName: (ticketTypeId: number) => string;
}

async function loadParties(trx: Knex.Transaction, bookingId: number): Promise<Parties> {
  const booking = await findBookingById(trx, bookingId);
  if (!booking) throw new Error(`booking ${bookingId} does not exist: no document can be issued for it`);
  const event = (await findEventById(trx, booking.eventId))!;
  const types = (await listTicketTypes(trx, [event.id])).get(event.id) ?? [];
  const seats = await listAttendees(trx, bookingId);
  return { booking, event, seats, typeName: (id) => types.find((t) => t.id === id)?.name ?? 'Ticket' };
}

function placesOf(parties: Parties, seats: AttendeeRecord[]): PlaceForLine[] {
  // A seat booked with a discount code (issue 18): its list price, and what the code took off; unitPrice is what it cost.
  return seats.map((s) => ({ attendeeName: s.name, ticketType: parties.typeName(s.ticketTypeId), unitPrice: s.unitPrice + s.discountAmount, discount: s.discountAmount }));
}

interface Draft {
  kind: DocumentKind;
  parties: Parties;
  places: PlaceForLine[];
  adjustments: AdjustmentForLine[];
  payment?: DocumentSnapshot['payment'];
  credits?: DocumentRecord | null;
  reason?: string | null;
  source: { paymentId?: number; refundId?: number; creditId?: number };
}

/** Numbers, snapshots and stores one document, and queues its emails. */
async function issue(trx: Knex.Transaction, ctx: ServiceContext, draft: Draft): Promise<DocumentRecord> {
  const now = ctx.clock.now();
  const zone = ctx.config.timezone;
  const { booking, event } = draft.parties;
  const year = financialYearOf(now, zone);
  const series = SERIES[draft.kind];
  const sequence = await nextSequence(trx, series, year);
  const number = formatDocumentNumber(series, year, sequence);
  const vatRate = ctx.config.vat?.rateBasisPoints ?? null;
  const lines = documentLines(draft.places, draft.adjustments, vatRate);
  const totals = documentTotals(lines);
  const isInvoice = draft.kind === 'invoice';
  const dueDate = isInvoice ? inZone(now, zone).plus({ days: ctx.config.invoiceTermsDays }).toFormat('d LLLL yyyy') : null;
  const snapshot: DocumentSnapshot = {
    version: 1,
    kind: draft.kind,
    number,
    issuedAt: now.toISOString(),
    issueDate: inZone(now, zone).toFormat('d LLLL yyyy'),
    dueDate,
    termsDays: isInvoice ? ctx.config.invoiceTermsDays : null,
    currency: booking.currency,
    issuer: { name: ctx.config.orgName, address: ctx.config.orgAddress, email: ctx.config.orgContactEmail, vatNumber: ctx.config.vat?.number ?? null },
    customer: {
      organisation: booking.buyerOrganisation,
      name: booking.buyerName,
      email: booking.buyerEmail,
      billingContact: booking.billingContact,
      billingEmail: booking.billingEmail,
      address: addressLines(booking.billingAddress),
    },
    booking: { reference: booking.reference, event: event.title, eventDate: formatDate(event.startsAt, event.timezone), purchaseOrder: booking.purchaseOrder, discountCode: booking.discountCode },
    lines,
    vatRate,
    totals,
    priceBasis: priceBasis(ctx.config),
    bank: isInvoice && ctx.config.bank ? { ...ctx.config.bank } : null,
    payByCardUrl: isInvoice && ctx.payments.isAvailable ? invoicePayUrl(ctx.config, booking.reference) : null,
    payment: draft.payment ?? null,
    credits: draft.credits ? { kind: draft.credits.kind, number: draft.credits.number, issueDate: draft.credits.snapshot.issueDate } : null,
    reason: draft.reason ?? null,
  };
  const [row] = await trx('finance_documents')
    .insert({
      kind: draft.kind,
      number,
      series,
      financial_year: year,
      sequence,
      booking_id: booking.id,
      amount: Math.abs(totals.gross),
      currency: booking.currency,
      credits_document_id: draft.credits?.id ?? null,
      payment_id: draft.source.paymentId ?? null,
      refund_id: draft.source.refundId ?? null,
      credit_id: draft.source.creditId ?? null,
      snapshot: JSON.stringify(snapshot),
      issued_at: toDbTime(now),
    })
    .returning('id');
  const id = Number(typeof row === 'object' ? row.id : row);
  const doc = (await findDocument(trx, id))!;
  await queueDocumentEmails(trx, ctx, doc, booking);
  return doc;
}

/**
 * Each document in its own email (never with a calendar invitation): to the buyer, and a copy of an invoice or credit
 * note to the billing email given at booking when it is not the buyer's.
 */
async function queueDocumentEmails(trx: Knex.Transaction, ctx: ServiceContext, doc: DocumentRecord, booking: BookingRecord): Promise<void> {
  const now = ctx.clock.now();
  const host = publicHost(ctx.config);
  await enqueueEmail(trx, documentEmail(doc, booking, 'buyer'), now, host);
  const billing = booking.billingEmail;
  if (doc.kind !== 'receipt' && billing && normaliseEmail(billing) !== normaliseEmail(booking.buyerEmail)) {
    await enqueueEmail(trx, documentEmail(doc, booking, 'billing'), now, host);
  }
}

/** The invoice of an invoice booking, when it is confirmed (placed, or given a place from the waitlist). */
export async function issueInvoice(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number): Promise<DocumentRecord> {
  const existing = await findInvoiceOfBooking(trx, bookingId);
  if (existing) return existing;
  const parties = await loadParties(trx, bookingId);
  const seats = parties.seats.filter((s) => s.status === 'active');
  return issue(trx, ctx, { kind: 'invoice', parties, places: placesOf(parties, seats), adjustments: [], source: {} });
}

/** The receipt of a card payment, issued when the payment is recorded. */
export async function issueCardReceipt(trx: Knex.Transaction, ctx: ServiceContext, paymentId: number): Promise<DocumentRecord | undefined> {
  const existing = await findReceiptOfPayment(trx, paymentId);
  if (existing) return existing;
  const payment = await trx('payments').where({ id: paymentId }).first('id', 'booking_id', 'amount', 'method', 'status', 'paid_at', 'stripe_payment_intent_id');
  if (!payment || payment.booking_id === null || payment.method !== 'card' || Number(payment.amount) <= 0) return undefined;
  const parties = await loadParties(trx, Number(payment.booking_id));
  const amount = Number(payment.amount);
  const seats = parties.seats.filter((s) => s.status === 'active');
  const places = placesOf(parties, seats);
  // A payment that is not for the places (a second payment, one made after they had gone) is receipted as it is.
  const isForPlaces = places.length > 0 && places.reduce((s, p) => s + chargedFor(p), 0) === amount;
  return issue(trx, ctx, {
    kind: 'receipt',
    parties,
    places: isForPlaces ? places : [],
    adjustments: isForPlaces ? [] : [{ description: `Payment for booking ${parties.booking.reference}`, amount }],
    payment: { method: 'card', paidOn: inZone(new Date(payment.paid_at), ctx.config.timezone).toFormat('d LLLL yyyy'), reference: payment.stripe_payment_intent_id ? String(payment.stripe_payment_intent_id) : null, amount },
    source: { paymentId },
  });
}

/**
 * The receipt of an invoice paid in full (the payment that brought it to nothing): the invoice's lines, less any credit
 * notes, the amount received, by bank transfer or by card (the last payment's way), when, and the bank references the
 * treasurer recorded or the card payment's reference.
 */
export async function issueInvoicePaidReceipt(trx: Knex.Transaction, ctx: ServiceContext, bookingId: number, paymentId: number): Promise<DocumentRecord | undefined> {
  const invoice = await findInvoiceOfBooking(trx, bookingId);
  const parties = await loadParties(trx, bookingId);
  // Bank transfers and card payments made from the invoice's "pay by card instead" link alike.
  const received = await trx('payments')
    .where({ booking_id: bookingId })
    .whereIn('method', ['invoice', 'card'])
    .whereIn('status', ['succeeded', 'partially_refunded'])
    .orderBy('id')
    .select('method', 'amount', 'amount_refunded', 'bank_reference', 'stripe_payment_intent_id', 'paid_at');
  const amount = received.reduce((s: number, p: { method: string; amount: number | string; amount_refunded: number | string }) => s + Number(p.amount) - (p.method === 'card' ? Number(p.amount_refunded) : 0), 0);
  const last = received[received.length - 1];
  if (!last || amount <= 0) return undefined;
  const places: PlaceForLine[] = invoice
    ? invoice.snapshot.lines.filter((l) => l.ticketType !== null).map((l) => ({ attendeeName: l.description, ticketType: l.ticketType!, unitPrice: l.unitPrice, discount: l.discount }))
    : placesOf(parties, parties.seats);
  const creditNotes = invoice ? await trx('finance_documents').where({ kind: 'credit_note', credits_document_id: invoice.id }).orderBy('id').select('number', 'amount') : [];
  const adjustments: AdjustmentForLine[] = creditNotes.map((c: { number: string; amount: number | string }) => ({ description: `Less credit note ${c.number}`, amount: -Number(c.amount) }));
  const listed = places.reduce((s, p) => s + chargedFor(p), 0) + adjustments.reduce((s, a) => s + a.amount, 0);
  if (listed !== amount) adjustments.push({ description: 'Difference (credited or written off before this payment)', amount: amount - listed });
  const references = received.map((p: { bank_reference: string | null; stripe_payment_intent_id: string | null }) => p.bank_reference ?? p.stripe_payment_intent_id).filter(Boolean).join(', ');
  return issue(trx, ctx, {
    kind: 'receipt',
    parties,
    places,
    adjustments,
    payment: { method: last.method === 'card' ? 'card' : 'bank_transfer', paidOn: inZone(new Date(last.paid_at), ctx.config.timezone).toFormat('d LLLL yyyy'), reference: references || null, amount },
    credits: null,
    reason: invoice ? `Payment of invoice ${invoice.number} in full` : null,
    source: { paymentId },
  });
}

/** What a credit or a refund gives back, as lines: the places at their price, less what was kept or not given back. */
function creditLines(parties: Parties, attendeeIds: number[], amount: number, feeKept: number, reason: string): { places: PlaceForLine[]; adjustments: AdjustmentForLine[] } {
  const seats = parties.seats.filter((s) => attendeeIds.includes(s.id));
  const places = placesOf(parties, seats);
  if (places.length === 0) return { places: [], adjustments: [{ description: reason, amount }] };
  const adjustments: AdjustmentForLine[] = [];
  if (feeKept > 0) adjustments.push({ description: 'Cancellation fee kept under the refund policy', amount: -feeKept });
  const rest = amount - (places.reduce((s, p) => s + chargedFor(p), 0) - feeKept);
  if (rest !== 0) adjustments.push({ description: rest < 0 ? 'Not credited: already paid or credited before' : 'Further credit', amount: rest });
  return { places, adjustments };
}

/** The credit note of a credit on an invoice (staff cancelling seats or the booking, or the event being cancelled). */
export async function issueCreditNoteForCredit(trx: Knex.Transaction, ctx: ServiceContext, creditId: number): Promise<DocumentRecord> {
  const existing = await trx('finance_documents').where({ credit_id: creditId }).first('id');
  if (existing) return (await findDocument(trx, Number(existing.id)))!;
  const credit = await trx('credits').where({ id: creditId }).first('booking_id', 'amount', 'fee_kept', 'reason', 'attendee_ids');
  if (!credit) throw new Error(`credit ${creditId} does not exist: no credit note can be issued for it`);
  const parties = await loadParties(trx, Number(credit.booking_id));
  const attendeeIds = (JSON.parse(String(credit.attendee_ids)) as unknown[]).map(Number);
  const { places, adjustments } = creditLines(parties, attendeeIds, Number(credit.amount), Number(credit.fee_kept), String(credit.reason));
  return issue(trx, ctx, { kind: 'credit_note', parties, places, adjustments, credits: await findInvoiceOfBooking(trx, parties.booking.id), reason: String(credit.reason), source: { creditId } });
}

/** The credit note of a card refund, once the card payment provider has taken it (pending or succeeded). */
export async function issueCreditNoteForRefund(trx: Knex.Transaction, ctx: ServiceContext, refundId: number): Promise<DocumentRecord | undefined> {
  const existing = await trx('finance_documents').where({ refund_id: refundId }).first('id');
  if (existing) return findDocument(trx, Number(existing.id));
  const refund = await trx('refunds').where({ id: refundId }).first('booking_id', 'payment_id', 'amount', 'fee_kept', 'reason', 'attendee_ids');
  if (!refund || refund.booking_id === null || Number(refund.amount) <= 0) return undefined;
  const parties = await loadParties(trx, Number(refund.booking_id));
  const attendeeIds = refund.attendee_ids ? String(refund.attendee_ids).split(',').map(Number) : [];
  const reason = refund.reason ? String(refund.reason) : 'Refund';
  const { places, adjustments } = creditLines(parties, attendeeIds, Number(refund.amount), Number(refund.fee_kept ?? 0), reason);
  const receipt = refund.payment_id === null ? undefined : await findReceiptOfPayment(trx, Number(refund.payment_id));
  return issue(trx, ctx, { kind: 'credit_note', parties, places, adjustments, credits: receipt ?? null, reason, source: { refundId } });
}
