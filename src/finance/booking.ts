import { findBookingByReference, listAttendees, type AttendeeRecord, type BookingRecord } from '../bookings';
import type { ServiceContext } from '../context';
import { findEventById } from '../events/queries';
import type { EventRecord } from '../events/types';
import { NotFoundError } from '../lib/errors';
import { findInvoicePaidAt, listDisputesOfBooking, listPaymentsOfBooking, listRefundsOfBooking, type FinanceDispute, type FinancePayment, type FinanceRefund } from './booking-queries';
import { OPEN_DISPUTE_STATUSES } from './categories';
import { listCreditsOfBooking, type CreditRecord } from './credits';
import { listDocumentsOfBooking, type DocumentRecord } from './documents/queries';
import { invoiceBalance, type InvoiceBalance } from './outstanding';

export interface FinanceBooking {
  booking: BookingRecord;
  event: EventRecord;
  attendees: AttendeeRecord[];
  payments: FinancePayment[];
  refunds: FinanceRefund[];
  disputes: FinanceDispute[];
  invoicePaidAt: Date | null;
  /** Credits on an invoice booking's invoice, oldest first. */
  credits: CreditRecord[];
  /** The booking's invoices, receipts and credit notes, in the order they were issued. */
  documents: DocumentRecord[];
  /** An invoice booking's figures: total, credited, received, outstanding. */
  invoice: InvoiceBalance;
  /** What a card refund may still return: the card payment less refunds not failed. */
  refundable: number;
  hasOpenDispute: boolean;
}

export async function getFinanceBooking(ctx: ServiceContext, reference: string): Promise<FinanceBooking> {
  const booking = await findBookingByReference(ctx.db, reference);
  if (!booking) throw new NotFoundError('booking_not_found', 'No booking with that reference.');
  const [event, attendees, payments, refunds, disputes, invoicePaidAt, credits, invoice, documents] = await Promise.all([
    findEventById(ctx.db, booking.eventId),
    listAttendees(ctx.db, booking.id),
    listPaymentsOfBooking(ctx.db, booking.id),
    listRefundsOfBooking(ctx.db, booking.id),
    listDisputesOfBooking(ctx.db, booking.id),
    findInvoicePaidAt(ctx.db, booking.id),
    listCreditsOfBooking(ctx.db, booking.id),
    invoiceBalance(ctx.db, booking.id),
    listDocumentsOfBooking(ctx.db, booking.id),
  ]);
  const card = payments.filter((p) => p.method === 'card').at(-1);
  const refunded = refunds.filter((r) => r.status !== 'failed' && r.status !== 'canceled').reduce((s, r) => s + r.amount, 0);
  return {
    booking,
    event: event!,
    attendees,
    payments,
    refunds,
    disputes,
    invoicePaidAt,
    credits,
    documents,
    invoice,
    refundable: card ? Math.max(0, card.amount - refunded) : 0,
    hasOpenDispute: disputes.some((d) => OPEN_DISPUTE_STATUSES.includes(d.status)),
  };
}
