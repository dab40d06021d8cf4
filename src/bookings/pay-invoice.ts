import type { ServiceContext } from '../context';
import type { EventRecord } from '../events/types';
import { AppError, ConflictError, UnauthorizedError } from '../lib/errors';
import { errorFields } from '../lib/logger';
import { invoicePayToken } from '../lib/links';
import { tokenMatches, hashToken } from '../lib/tokens';
import { findBookingByReference } from './queries';
import type { BookingRecord } from './types';
import { bookingNotFound, loadBookingView } from './view';

/**
 * "Pay by card instead": paying what an invoice booking still owes through the card payment provider, from the link on
 * the invoice (PDF and email) or the booking's private page. The payment goes against the invoice (finance/ counts it
 * as received and closes the invoice when it is paid in full); the seats never change. Network calls happen here,
 * outside any transaction.
 */

/** Minutes a "pay by card instead" checkout stays open (Stripe's minimum is 30). */
const INVOICE_CHECKOUT_MINUTES = 60;

export interface InvoicePayment {
  booking: BookingRecord;
  event: EventRecord;
  /** What the invoice still asks for, minor units (invoiced − credited − paid, never below zero). */
  outstanding: number;
  invoiceNumber: string | null;
}

/**
 * The invoice booking, for whoever holds its invoice's pay link or its manage link; the same 404 as the manage link for
 * a wrong token or an unknown reference. Throws UnauthorizedError `token_required`, NotFoundError `booking_not_found`.
 */
async function findForPayer(ctx: ServiceContext, reference: string, token: string | undefined): Promise<BookingRecord> {
  if (!token) throw new UnauthorizedError('token_required', 'This link needs its private token. Use the link from your invoice or confirmation email.');
  const booking = await findBookingByReference(ctx.db, reference);
  if (!booking) throw bookingNotFound();
  const isPayer = tokenMatches(token, hashToken(invoicePayToken(ctx.config, booking.reference))) || tokenMatches(token, booking.manageTokenHash);
  if (!isPayer) throw bookingNotFound();
  return booking;
}

/**
 * What the payment page shows: the amount outstanding and the invoice. Throws 409 `not_invoiced` (not an invoice
 * booking), `booking_cancelled`, `nothing_outstanding` (paid, credited, written off), and as findForPayer.
 */
export async function getInvoicePayment(ctx: ServiceContext, reference: string, token: string | undefined): Promise<InvoicePayment> {
  const found = await findForPayer(ctx, reference, token);
  const { booking, event } = await loadBookingView(ctx.db, found.id);
  if (booking.paymentMethod !== 'invoice') throw new ConflictError('not_invoiced', 'This booking is not paid by invoice, so there is no invoice to pay.');
  if (booking.status === 'cancelled') throw new ConflictError('booking_cancelled', 'This booking is cancelled, so its invoice cannot be paid by card here. Please write to us about anything still owed.');
  const outstanding = booking.status === 'confirmed' ? await ctx.documents.invoiceOutstanding(ctx.db, booking.id) : 0;
  if (outstanding <= 0) throw new ConflictError('nothing_outstanding', 'This invoice has nothing left to pay: it has been paid, credited or written off.');
  const invoice = (await ctx.documents.ofBooking(booking.id)).find((d) => d.kind === 'invoice');
  return { booking, event, outstanding, invoiceNumber: invoice?.number ?? null };
}

/**
 * Starts (or reopens) the card checkout for exactly what the invoice still asks for and returns the payment page's URL;
 * the session is recorded as ours before the URL is returned. Throws as getInvoicePayment, and 503 `payment_unavailable`.
 */
export async function payInvoiceByCard(ctx: ServiceContext, reference: string, token: string | undefined): Promise<string> {
  const { booking, event, outstanding, invoiceNumber } = await getInvoicePayment(ctx, reference, token);
  // The buyer comes back to this same page, with the same link they came by (a billing contact never gets the manage link).
  const back = `${ctx.config.publicUrl}/bookings/${booking.reference}/pay-invoice?token=${encodeURIComponent(token!)}`;
  try {
    const started = await ctx.payments.startInvoiceCheckout({
      bookingId: booking.id,
      reference: booking.reference,
      amount: outstanding,
      currency: booking.currency,
      buyerEmail: booking.billingEmail ?? booking.buyerEmail,
      description: `${invoiceNumber ? `Invoice ${invoiceNumber}` : 'Invoice'} for ${event.title} (booking ${booking.reference})`,
      expiresAt: new Date(ctx.clock.now().getTime() + INVOICE_CHECKOUT_MINUTES * 60_000),
      successUrl: `${back}&paid=1`,
      cancelUrl: back,
    });
    return started.url;
  } catch (error) {
    if (error instanceof AppError) throw error;
    ctx.logger.warn('invoice card checkout could not be started', { booking: booking.reference, ...errorFields(error) });
    throw new AppError('payment_unavailable', 'We could not reach our card payment provider, so nothing has been charged. Please try again in a few minutes, or pay by bank transfer as the invoice says.');
  }
}

/** The "pay by card instead" link for the booking's own page (the holder's manage token opens it). */
export function invoicePayPath(reference: string, token: string): string {
  return `/bookings/${reference}/pay-invoice?token=${encodeURIComponent(token)}`;
}
