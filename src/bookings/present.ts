import { answerLines } from './question-present';
import type { AnswerRecord } from './questions';
import { questionFields } from './question-present';
import type { QuestionRecord } from './questions';
import type { Config } from '../config';
import { KIND_LABELS } from '../events/types';
import { formatMoney } from '../lib/money';
import { formatInstant, formatRange } from '../lib/time';
import { isOnSale } from '../events/availability';
import { refundPolicyFor, type RefundPolicy } from './rules';
import { eventUrl, joinUrl, manageUrl, seatUrl } from '../lib/links';
import { calendarLinks, type BookingNote } from '../calendar/ics';
import { normaliseEmail } from '../lib/email';
import type { AttendeeRecord, BookingRecord } from './types';
import { contactEmailFor, refundTerms } from '../events/terms';
import type { RefundSummary } from './payment-gateway';
import { refundStatusOf } from './refund-status';
import type { EventWithAvailability } from '../events/service';
import type { BookingView } from './view';
import type { HolderCancelPreview } from './cancel';

const STATUS_LABELS = {
  pending_payment: 'Awaiting payment',
  confirmed: 'Confirmed',
  waitlisted: 'On the waitlist',
  cancelled: 'Cancelled',
  expired: 'Expired (not paid in time)',
} as const;

/**
 * The booking in the public JSON API. With `refunds`, a `refund` object says what came back: `amount` and `feeKept`
 * in minor units, `status` `requested` (recorded, the card payment provider has not confirmed it yet) or `refunded`,
 * and `summary`, the sentence the booking page shows.
 */
export function toApiBooking(view: BookingView, config: Config, extra: { checkoutUrl?: string; refunds?: RefundSummary[] } = {}) {
  const { booking, event, attendees } = view;
  const refund = extra.refunds ? refundStatusOf(extra.refunds, booking.currency) : null;
  return {
    reference: booking.reference,
    status: booking.status,
    total: booking.total,
    currency: booking.currency,
    manageUrl: manageUrl(config, booking.reference),
    ...(extra.checkoutUrl ? { checkoutUrl: extra.checkoutUrl } : {}),
    ...(booking.holdExpiresAt && booking.status === 'pending_payment' ? { holdExpiresAt: booking.holdExpiresAt.toISOString() } : {}),
    ...(view.waitlistPosition ? { waitlistPosition: view.waitlistPosition } : {}),
    paymentMethod: booking.paymentMethod,
    ...(booking.discountCode ? { discountCode: booking.discountCode, discountTotal: booking.discountTotal } : {}),
    createdAt: booking.createdAt.toISOString(),
    event: { slug: event.slug, title: event.title, startsAt: event.startsAt.toISOString(), endsAt: event.endsAt.toISOString(), timezone: event.timezone },
    ...(booking.paymentProcessingSince ? { paymentProcessing: true } : {}),
    ...(refund
      ? { refund: { amount: refund.refunded + refund.requested, feeKept: refund.feeKept, currency: refund.currency, status: refund.requested > 0 ? 'requested' : 'refunded', summary: refund.line } }
      : {}),
    attendees: attendees.map((a) => ({
      id: a.id,
      name: a.name,
      email: a.email,
      organisation: a.organisation,
      status: a.status,
      ticketTypeId: a.ticketTypeId,
      unitPrice: a.unitPrice,
      mode: a.mode,
      ...(a.discountAmount > 0 ? { listPrice: a.listPrice, discount: a.discountAmount } : {}),
    })),
  };
}

/** How the booking was paid; what came back is the refund line beside it (a fee kept by policy is not "partly refunded"). */
function paymentLabel({ booking }: BookingView): string | null {
  if (booking.total === 0) return null;
  if (booking.paymentMethod === 'invoice') return booking.invoiceStatus === 'paid' ? 'Invoice paid' : booking.invoiceStatus === 'credited' ? 'Invoice credited: nothing to pay' : 'Invoice to be paid';
  if (booking.status === 'pending_payment') return booking.paymentProcessingSince ? 'Payment processing' : 'Awaiting card payment';
  // A payment that came too late (refunded in full) was still paid by card.
  return booking.confirmedAt !== null || booking.refundedTotal > 0 ? 'Paid by card' : null;
}

/**
 * Why a paid, confirmed booking cannot be cancelled on this page, one sentence for each state (an invoice booking
 * before or after its deadline, a card booking after it, an event under way), and what to do instead.
 */
function cannotCancelOnline(view: BookingView, policy: RefundPolicy, deadlineLabel: string | null, feeLabel: string | null) {
  const { booking } = view;
  const stillCome = { before: "If you can't come, write to", after: ': a colleague may be able to take your place.' };
  if (policy.hasStarted) return { lead: 'This event has started, so the booking can no longer be cancelled.', ask: { before: 'Questions? Write to', after: '.' } };
  if (booking.paymentMethod === 'invoice') {
    if (policy.isPastDeadline) return { lead: `The deadline for cancelling with a credit was ${deadlineLabel}, so the full invoice is still due.`, ask: stillCome };
    const credit = feeLabel ? `we credit your invoice less the ${feeLabel} cancellation fee` : 'we credit your invoice in full';
    return { lead: `Invoice bookings are cancelled by the organisers. If you cancel ${deadlineLabel ? `by ${deadlineLabel}` : 'before the event starts'}, ${credit}.`, ask: { before: 'To cancel, write to', after: deadlineLabel ? ' before the deadline.' : '.' } };
  }
  return { lead: `The deadline for cancelling online was ${deadlineLabel}, so this booking can no longer be cancelled or refunded here.`, ask: stillCome };
}

/**
 * What a booking's calendar entry says about the booking: its reference always, and the private link of the person the
 * entry is for, who holds it: the buyer's manage link for the buyer's own seat (or the buyer's own page), a colleague's
 * own seat link for their seat. Never someone else's link: calendars are synced and shared.
 */
export function bookingNoteFor(
  config: Config,
  booking: Pick<BookingRecord, 'reference' | 'buyerEmail'> & { status?: BookingRecord['status'] },
  attendee?: Pick<AttendeeRecord, 'id' | 'email' | 'icalUid' | 'status' | 'manageTokenHash'> & { mode?: AttendeeRecord['mode'] },
): BookingNote {
  // An online attendee's own entry carries their personal joining link (LOCATION, URL, description): theirs alone.
  const join = attendee && attendee.mode === 'online' && attendee.status === 'active' && booking.status === 'confirmed' && attendee.email !== '' ? { joinUrl: joinUrl(config, attendee) } : {};
  const isHolder = !attendee || normaliseEmail(attendee.email) === normaliseEmail(booking.buyerEmail);
  if (isHolder) return { reference: booking.reference, manageUrl: manageUrl(config, booking.reference), ...join };
  if (attendee.status === 'active' && attendee.manageTokenHash) {
    return { reference: booking.reference, manageUrl: seatUrl(config, booking.reference, attendee), manageLabel: 'Change your details or cancel your place', ...join };
  }
  return { reference: booking.reference, ...join };
}

export interface ManagePageContext {
  config: Config;
  /** The booking's refunds that stand (the payment gateway's `refunds`). */
  refunds: RefundSummary[];
  /** The event's ticket type names by id, to say which ticket each attendee holds. */
  ticketNames?: Map<number, string>;
  /** The booking's answers to the event's questions (the holder sees all of their own, sensitive ones too). */
  answers?: AnswerRecord[];
}

export function toManagePage(view: BookingView, token: string, now: Date, context: ManagePageContext) {
  const { booking, event, attendees } = view;
  const policy = refundPolicyFor(view, now);
  const contactEmail = contactEmailFor(event, context.config);
  const terms = refundTerms(event, contactEmail);
  const refund = refundStatusOf(context.refunds, booking.currency);
  const isActive = booking.status === 'confirmed' || booking.status === 'waitlisted';
  // A payment in flight (a bank debit) settles by itself: no second payment, no cancelling meanwhile.
  const isProcessing = booking.status === 'pending_payment' && booking.paymentProcessingSince !== null;
  // The buyer's own place, when they hold one: its calendar file is theirs (the others' are listed with each attendee).
  const ownSeat = attendees.find((a) => a.status === 'active' && normaliseEmail(a.email) === normaliseEmail(booking.buyerEmail));
  const ownSeatIcs = ownSeat ? `/bookings/${booking.reference}/attendees/${ownSeat.id}/invite.ics?token=${encodeURIComponent(token)}` : null;
  const canCancel = (isActive && (booking.total === 0 || booking.status === 'waitlisted') && now < event.startsAt) || policy.allowed || (booking.status === 'pending_payment' && !isProcessing);
  return {
    reference: booking.reference,
    status: booking.status,
    statusLabel: isProcessing ? 'Payment processing' : STATUS_LABELS[booking.status],
    isProcessing,
    isConfirmed: booking.status === 'confirmed',
    isWaitlisted: booking.status === 'waitlisted',
    isCancelled: booking.status === 'cancelled',
    hadPlace: booking.confirmedAt !== null,
    // A hold given up before paying: never confirmed, but it held places (a waitlist entry never had a hold).
    wasHold: booking.status === 'cancelled' && booking.confirmedAt === null && booking.holdExpiresAt !== null,
    waitlistPosition: view.waitlistPosition,
    canCancel,
    cancelUrl: `/bookings/${booking.reference}/cancel?token=${encodeURIComponent(token)}`,
    isPaid: booking.total > 0,
    isPending: booking.status === 'pending_payment' && !isProcessing,
    payUrl: booking.status === 'pending_payment' && !isProcessing ? `/bookings/${booking.reference}/pay?token=${encodeURIComponent(token)}` : null,
    isExpired: booking.status === 'expired',
    heldUntil: booking.holdExpiresAt ? formatInstant(booking.holdExpiresAt, event.timezone) : null,
    paymentLabel: paymentLabel(view),
    // The terms for how this booking was paid, repeated from the event page and the booking form.
    terms: booking.total > 0 && booking.status !== 'expired' ? (booking.paymentMethod === 'invoice' ? terms.invoice : terms.card) : null,
    cannotCancel: booking.total > 0 && booking.status === 'confirmed' && !canCancel ? cannotCancelOnline(view, policy, terms.deadlineLabel, terms.feeLabel) : null,
    refund: refund ? { line: refund.line, isRequested: refund.requested > 0 } : null,
    contactEmail,
    total: booking.total > 0 ? formatMoney(booking.total, booking.currency) : null,
    discount: booking.discountCode ? { code: booking.discountCode, amount: formatMoney(booking.discountTotal, booking.currency) } : null,
    answers: answerLines((context.answers ?? []).filter((a) => a.attendeeId === null), { showSensitive: true }),
    buyerName: booking.buyerName,
    buyerEmail: booking.buyerEmail,
    bookedAt: formatInstant(booking.createdAt, event.timezone),
    token,
    // Add-to-calendar links while there is something to attend: a confirmed place at an event that has not ended.
    calendar: booking.status === 'confirmed' && event.status === 'published' && now < event.endsAt ? { ...calendarLinks(event, eventUrl(context.config, event.slug), bookingNoteFor(context.config, booking, ownSeat)), ics: ownSeatIcs } : null,
    event: {
      slug: event.slug,
      title: event.title,
      kindLabel: KIND_LABELS[event.kind],
      when: formatRange(event.startsAt, event.endsAt, event.timezone),
      venue: event.venue,
      address: event.address,
      isCancelled: event.status === 'cancelled',
      contactEmail: event.contactEmail,
    },
    attendees: attendees.map((a) => ({
      id: a.id,
      name: a.name,
      email: a.email,
      organisation: a.organisation,
      dietary: a.dietary,
      accessibility: a.accessibility,
      isActive: a.status === 'active',
      ticketName: context.ticketNames?.get(a.ticketTypeId) ?? 'Place',
      price: a.unitPrice > 0 ? formatMoney(a.unitPrice, a.currency) : 'Free',
      discount: a.discountAmount > 0 ? `${formatMoney(a.discountAmount, a.currency)} off ${formatMoney(a.listPrice, a.currency)}${booking.discountCode ? ` with code ${booking.discountCode}` : ''}` : null,
      answers: answerLines((context.answers ?? []).filter((x) => x.attendeeId === a.id), { showSensitive: true }),
      // The buyer changes an attendee's details, or cancels that one place, on the seat's page (with the booking's link).
      seatUrl: a.status === 'active' && booking.status !== 'expired' && booking.status !== 'cancelled' ? `/bookings/${booking.reference}/seats/${a.id}?token=${encodeURIComponent(token)}` : null,
      icsUrl: `/bookings/${booking.reference}/attendees/${a.id}/invite.ics?token=${encodeURIComponent(token)}`,
    })),
  };
}

/** The cancel confirmation page: what cancelling does, from `previewHolderCancel` (nothing computed here). */
export function toCancelPage(preview: HolderCancelPreview, token: string) {
  const { view, seats, money, isCard, waiting } = preview;
  const { booking, event } = view;
  const isWaitlisted = booking.status === 'waitlisted';
  const isHold = booking.status === 'pending_payment';
  const places = seats.length === 1 ? 'place' : 'places';
  const price = money.amount + money.feeKept;
  const waitlist = isWaitlisted
    ? null
    : waiting > 0
      ? `${waiting} ${waiting === 1 ? 'booking is' : 'bookings are'} on the waitlist: your ${places} will go to them in turn, first come first served.`
      : `Nobody is on the waitlist, so your ${places} will become free for others to book.`;
  return {
    reference: booking.reference,
    token,
    manageUrl: `/bookings/${booking.reference}?token=${encodeURIComponent(token)}`,
    isWaitlisted,
    isHold,
    isCard,
    places,
    heading: isWaitlisted ? 'Leave the waitlist?' : 'Cancel your booking?',
    event: { title: event.title, when: formatRange(event.startsAt, event.endsAt, event.timezone) },
    seats: seats.map((a) => ({ name: a.name, email: a.email, ticketName: preview.ticketNames.get(a.ticketTypeId) ?? 'Place', price: a.unitPrice > 0 ? formatMoney(a.unitPrice, booking.currency) : null })),
    refund: isCard
      ? {
          amount: formatMoney(money.amount, booking.currency),
          price: formatMoney(price, booking.currency),
          fee: money.feeKept > 0 ? formatMoney(money.feeKept, booking.currency) : null,
          isNothing: money.amount === 0,
        }
      : null,
    isFree: booking.total === 0,
    waitlist,
    confirmLabel: isWaitlisted ? 'Yes, leave the waitlist' : isCard && money.amount > 0 ? `Yes, cancel and refund ${formatMoney(money.amount, booking.currency)}` : isHold ? 'Yes, release my places' : 'Yes, cancel my booking',
  };
}

const placesText = (n: number) => (n === 0 ? 'full — waitlist' : `${n} ${n === 1 ? 'place' : 'places'} left`);

export interface SeatChoice {
  ticketTypeId: number;
}

/** The booking form's view-model: one block per place, with the visitor's input and errors kept. */
export function toBookPage(item: EventWithAvailability, seats: SeatChoice[], form: Record<string, unknown>, errors: Record<string, string>, holdMinutes: number, now: Date, questions: QuestionRecord[] = []) {
  const { event } = item;
  const value = (key: string) => (typeof form[key] === 'string' ? (form[key] as string) : '');
  // A place whose ticket was refused (a member price without a membership) may switch ticket here, keeping all else.
  const switchable = item.ticketTypes.filter((t) => isOnSale(t, now) && !(t.remaining === 0 && item.remaining > 0));
  const seatViews = seats.map((seat, index) => {
    const type = item.ticketTypes.find((t) => t.id === seat.ticketTypeId);
    const field = (name: string) => ({ id: `field-seat_${index}_${name}`, name: `seat_${index}_${name}`, value: value(`seat_${index}_${name}`), error: errors[`seat_${index}_${name}`] });
    const typeError = errors[`seat_${index}_type`] ?? errors[`seat_${index}_price`];
    const choices = typeError && type ? [type, ...switchable.filter((t) => t.id !== type.id && !t.membersOnly)] : [];
    return {
      index,
      number: index + 1,
      isFirst: index === 0,
      ticketTypeId: seat.ticketTypeId,
      ticketName: type?.name ?? 'Unknown ticket',
      membersOnly: type?.membersOnly ?? false,
      amount: type?.price ?? 0,
      price: type ? formatMoney(type.price, type.currency) : '',
      typeError,
      typeChoices:
        choices.length > 1
          ? choices.map((t, i) => ({ inputId: i === 0 ? `field-seat_${index}_type` : `seat_${index}_type_${t.id}`, id: t.id, name: t.name, amount: t.price, price: formatMoney(t.price, t.currency), isChecked: t.id === seat.ticketTypeId, membersOnly: t.membersOnly }))
          : null,
      name: field('name'),
      email: field('email'),
      organisation: field('organisation'),
      dietary: field('dietary'),
      accessibility: field('accessibility'),
      mode: field('mode'),
      questions: questionFields(questions, 'attendee', `seat_${index}_`, form, errors),
    };
  });
  const total = seatViews.reduce((s, v) => s + v.amount, 0);
  return {
    slug: event.slug,
    title: event.title,
    when: formatRange(event.startsAt, event.endsAt, event.timezone),
    allowsInvoice: event.allowsInvoice,
    isHybrid: event.mode === 'hybrid',
    roomPlaces: event.mode === 'hybrid' ? placesText(item.remainingByMode.in_person) : null,
    onlinePlaces: event.mode === 'hybrid' ? placesText(item.remainingByMode.online) : null,
    seats: seatViews,
    hasTicketChoice: seatViews.some((v) => v.typeChoices),
    total: formatMoney(total, event.currency),
    holdMinutes,
    joinsWaitlist: item.remaining < seats.length,
    isInvoice: form.payment_method === 'invoice',
    bookingQuestions: questionFields(questions, 'booking', '', form, errors),
    discount: { field: { id: 'field-discount_code', name: 'discount_code', value: value('discount_code'), error: errors.discount_code }, applied: null as string | null },
    buyer: {
      name: { id: 'field-buyer_name', name: 'buyer_name', value: value('buyer_name'), error: errors.buyer_name },
      email: { id: 'field-buyer_email', name: 'buyer_email', value: value('buyer_email'), error: errors.buyer_email },
      organisation: { id: 'field-buyer_organisation', name: 'buyer_organisation', value: value('buyer_organisation'), error: errors.buyer_organisation },
      purchaseOrder: { id: 'field-purchase_order', name: 'purchase_order', value: value('purchase_order'), error: errors.purchase_order },
      billingContact: { id: 'field-billing_contact', name: 'billing_contact', value: value('billing_contact'), error: errors.billing_contact },
      billingEmail: { id: 'field-billing_email', name: 'billing_email', value: value('billing_email'), error: errors.billing_email },
      billingAddress: { id: 'field-billing_address', name: 'billing_address', value: value('billing_address'), error: errors.billing_address },
    },
  };
}
