import type { Knex } from 'knex';
import type Stripe from 'stripe';
import { publicHost } from '../lib/links';
import { findBookingById, findEmailsAlreadyBooked, waitlistPosition } from '../bookings/queries';
import { getBookingForHolder, insertBookingWithReference, insertSeats, loadBookingView, queueNoticeFor, wantedSeats, type BookingView, type CreatedBooking, type LockedEvent } from '../bookings/service';
import { seatsTaken, takeSeats } from '../bookings/booking-scope';
import { promoteWaitlist } from '../bookings/waitlist';
import type { BookingRequest } from '../bookings/schemas';
import type { ServiceContext } from '../context';
import { lockRow, writeTransaction } from '../db/dialect';
import { remainingSeats, seatsFit } from '../events/availability';
import { findEventById, listTicketTypes } from '../events/queries';
import type { EventRecord, TicketTypeRecord } from '../events/types';
import { AppError, ConflictError, ValidationError } from '../lib/errors';
import { toDbTime } from '../lib/time';
import { enqueueEmail } from '../mail/outbox';
import { todayIn } from '../members/dates';
import { emailsWithoutCurrentMembership } from '../members/queries';
import { paymentNotice } from './notices';

export interface PaidBookingResult extends CreatedBooking {
  checkoutUrl?: string;
}

function checkPrices(request: BookingRequest, types: TicketTypeRecord[]): void {
  const changed = request.items
    .map((item, index) => ({ item, index, type: types[index] }))
    .filter(({ item, type }) => item.expectedPrice !== undefined && item.expectedPrice !== type.price);
  if (changed.length) {
    throw new ConflictError(
      'price_changed',
      'A price has changed since the page was loaded. Please check the new prices and book again.',
      changed.map(({ index, type }) => ({ path: `items.${index}.expectedPrice`, message: `${type.name} now costs ${type.price} (minor units)` })),
    );
  }
}

async function checkMembership(trx: Knex.Transaction, request: BookingRequest, types: TicketTypeRecord[], event: EventRecord, now: Date) {
  const memberItems = request.items.map((item, index) => ({ item, index })).filter(({ index }) => types[index].membersOnly);
  if (memberItems.length === 0) return;
  const missing = new Set(await emailsWithoutCurrentMembership(trx, memberItems.map(({ item }) => item.attendee.email), todayIn(now, event.timezone)));
  const problems = memberItems.filter(({ item }) => missing.has(item.attendee.email));
  if (problems.length) {
    throw new ConflictError(
      'membership_required',
      'Member prices are for current HSUG members. We could not find a current membership for the email address given; choose the non-member ticket, or contact us if you think this is wrong.',
      problems.map(({ index, item }) => ({ path: `items.${index}.attendee.email`, message: `${item.attendee.email} is not on the current member list` })),
    );
  }
}

function checkInvoiceDetails(request: BookingRequest, event: EventRecord): void {
  if (request.paymentMethod !== 'invoice') return;
  if (!event.allowsInvoice) throw new ConflictError('invoice_not_available', 'This event cannot be paid by invoice; please pay by card.');
  const problems = [
    !request.buyer.organisation && { path: 'buyer.organisation', message: 'Enter the organisation to invoice' },
    !request.purchaseOrder && { path: 'purchaseOrder', message: 'Enter the purchase order number' },
    !request.billingContact && { path: 'billingContact', message: 'Enter who should receive the invoice (name and email)' },
  ].filter((p): p is { path: string; message: string } => !!p);
  if (problems.length) throw new ValidationError(problems);
}

export function lineItems(types: TicketTypeRecord[]): Array<{ label: string; amount: number; quantity: number; type: TicketTypeRecord }> {
  const lines = new Map<number, { label: string; amount: number; quantity: number; type: TicketTypeRecord }>();
  for (const type of types) {
    const line = lines.get(type.id) ?? { label: type.name, amount: 0, quantity: 0, type };
    line.quantity += 1;
    line.amount += type.price;
    lines.set(type.id, line);
  }
  return [...lines.values()];
}

/**
 * A paid booking, in the caller's locked transaction: a card booking holds its seats as
 * pending_payment until the hold expires, an invoice booking is confirmed at once with the invoice
 * outstanding, and a full event takes a waitlist. The Stripe session is created after the commit.
 */
export async function holdPaidBooking(trx: Knex.Transaction, ctx: ServiceContext, locked: LockedEvent, request: BookingRequest, now: Date): Promise<BookingView> {
  const { event, types, itemTypes } = locked;
  const isInvoice = request.paymentMethod === 'invoice';
  checkPrices(request, itemTypes);
  checkInvoiceDetails(request, event);
  await checkMembership(trx, request, itemTypes, event, now);
  if ((await findEmailsAlreadyBooked(trx, event.id, request.items.map((i) => i.attendee.email), now)).length > 0) {
    throw new ConflictError('already_booked', 'One of these email addresses already has a place at this event.');
  }
  const counts = await seatsTaken(trx, event, now);
  const wanted = wantedSeats(itemTypes);
  const fits = seatsFit(event, types, counts, wanted);
  // A full event takes a waitlist (offered a place to pay for when one frees); a sold-out ticket type does not.
  const waitlist = !fits && remainingSeats(event, counts) < itemTypes.length;
  if (!fits && !waitlist) throw new ConflictError('sold_out', 'Sorry, there are not enough places of that ticket type left for this booking.');
  if (fits) takeSeats(trx, event, wanted);

  const booking = await insertBookingWithReference(trx, ctx, (reference, manageTokenHash) => ({
    reference,
    eventId: event.id,
    status: waitlist ? 'waitlisted' : isInvoice ? 'confirmed' : 'pending_payment',
    buyer: request.buyer,
    total: itemTypes.reduce((sum, t) => sum + t.price, 0),
    currency: event.currency,
    paymentMethod: isInvoice ? 'invoice' : 'stripe',
    holdExpiresAt: isInvoice || waitlist ? undefined : new Date(now.getTime() + ctx.config.holdMinutes * 60_000),
    purchaseOrder: request.purchaseOrder,
    billingContact: request.billingContact,
    manageTokenHash,
    now,
  }));
  const attendees = await insertSeats(trx, ctx, booking, request, itemTypes, now);
  const view: BookingView = { booking, attendees, event, waitlistPosition: waitlist ? await waitlistPosition(trx, booking) : undefined };
  if (waitlist) {
    await queueNoticeFor(trx, ctx, 'waitlisted', view);
  } else if (isInvoice) {
    await queueNoticeFor(trx, ctx, 'confirmed', view);
    await enqueueEmail(trx, paymentNotice(ctx, { kind: 'pro_forma', event, booking, lines: lineItems(itemTypes) }), now, publicHost(ctx.config));
  }
  return view;
}

/** Stripe's 30-minute minimum for a session's expiry, with a minute's margin for the request's travel. */
const STRIPE_MINIMUM_MS = 31 * 60_000;

function requireStripe(ctx: ServiceContext): Stripe {
  if (!ctx.stripe) throw new AppError('payment_unavailable', 503, 'Card payments are not available at the moment.');
  return ctx.stripe;
}

/** Releases a hold at once when no checkout could be started, so the seats are not locked up for nothing. */
async function releaseHold(ctx: ServiceContext, bookingId: number, reason: string): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    const booking = await findBookingById(trx, bookingId);
    if (!booking) return;
    await lockRow(trx, 'events', booking.eventId);
    const changed = await trx('bookings')
      .where({ id: bookingId, status: 'pending_payment' })
      .update({ status: 'cancelled', cancelled_at: toDbTime(now), cancel_reason: reason, updated_at: toDbTime(now) });
    if (changed) await promoteWaitlist(trx, ctx, (await findEventById(trx, booking.eventId))!);
  });
}

/**
 * Creates the Stripe Checkout Session for a held booking. Each attempt has its own idempotency key:
 * reusing a key after a failure would replay the failure (alf.io #1254).
 */
export async function startCheckout(ctx: ServiceContext, bookingId: number, options: { releaseOnFailure: boolean } = { releaseOnFailure: true }): Promise<string> {
  const stripe = requireStripe(ctx);
  // Stripe wants a session's expires_at at least 30 minutes after it receives the request: a hold
  // with less left than that (a 30-minute hold a moment old, a buyer coming back late) is extended.
  const minimum = new Date(ctx.clock.now().getTime() + STRIPE_MINIMUM_MS);
  await ctx.db('bookings').where({ id: bookingId, status: 'pending_payment' }).where('hold_expires_at', '<', toDbTime(minimum)).update({ hold_expires_at: toDbTime(minimum) });
  await ctx.db('bookings').where({ id: bookingId }).increment('checkout_attempts', 1);
  const row = await ctx.db('bookings').where({ id: bookingId }).first('checkout_attempts');
  const { booking, event, attendees } = await loadBookingView(ctx.db, bookingId);
  if (booking.status !== 'pending_payment' || !booking.holdExpiresAt) throw new ConflictError('hold_expired', 'This booking is no longer waiting for payment.');
  const types = (await listTicketTypes(ctx.db, [event.id])).get(event.id) ?? [];
  const byType = new Map<number, { name: string; price: number; quantity: number }>();
  for (const a of attendees) {
    const line = byType.get(a.ticketTypeId) ?? { name: types.find((t) => t.id === a.ticketTypeId)?.name ?? 'Ticket', price: a.unitPrice, quantity: 0 };
    line.quantity += 1;
    byType.set(a.ticketTypeId, line);
  }
  const metadata = { booking_id: String(booking.id), booking_reference: booking.reference };
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: 'payment',
    line_items: [...byType.values()].map((line) => ({
      quantity: line.quantity,
      price_data: { currency: booking.currency.toLowerCase(), unit_amount: line.price, product_data: { name: `${event.title} — ${line.name}` } },
    })),
    client_reference_id: booking.reference,
    customer_email: booking.buyerEmail,
    metadata,
    payment_intent_data: { metadata, description: `${event.title} (${booking.reference})` },
    expires_at: Math.floor(booking.holdExpiresAt.getTime() / 1000),
    success_url: `${ctx.config.publicUrl}/checkout/success?session_id={CHECKOUT_SESSION_ID}`,
    cancel_url: `${ctx.config.publicUrl}/checkout/cancelled?reference=${booking.reference}`,
  };
  let session: Stripe.Checkout.Session;
  try {
    session = await stripe.checkout.sessions.create(params, { idempotencyKey: `checkout-${booking.reference}-${row.checkout_attempts}` });
  } catch {
    if (!options.releaseOnFailure) {
      throw new AppError('payment_unavailable', 503, 'We could not reach our card payment provider, so nothing has been charged. Your place is still held for you: please try the link again in a few minutes.');
    }
    await releaseHold(ctx, bookingId, 'The card payment provider could not be reached');
    throw new AppError(
      'payment_unavailable',
      503,
      'We could not reach our card payment provider, so nothing has been charged and the places we were holding have been released. Please try again in a few minutes.',
    );
  }
  await ctx.db('bookings').where({ id: bookingId }).update({ stripe_checkout_session_id: session.id, updated_at: toDbTime(ctx.clock.now()) });
  if (!session.url) throw new AppError('payment_unavailable', 503, 'The payment page could not be opened. Please try again.');
  return session.url;
}


/**
 * The payment link of a held place (an offer from the waitlist, or a buyer coming back): reuses the
 * open Stripe session, or starts a new attempt. A failure here keeps the hold: it is theirs to retry.
 */
export async function resumeCheckout(ctx: ServiceContext, reference: string, token: string | undefined): Promise<string> {
  const view = await getBookingForHolder(ctx, reference, token);
  const now = ctx.clock.now();
  const { booking } = view;
  if (booking.status !== 'pending_payment' || !booking.holdExpiresAt || booking.holdExpiresAt <= now) {
    throw new ConflictError('not_awaiting_payment', 'This booking is not waiting for a payment.');
  }
  if (booking.stripeCheckoutSessionId) {
    const session = await requireStripe(ctx).checkout.sessions.retrieve(booking.stripeCheckoutSessionId).catch(() => null);
    if (session?.status === 'open' && session.url) return session.url;
  }
  return startCheckout(ctx, booking.id, { releaseOnFailure: false });
}
