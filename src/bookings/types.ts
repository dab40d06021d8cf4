export const BOOKING_STATUSES = ['pending_payment', 'confirmed', 'waitlisted', 'cancelled', 'expired'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];
export type PaymentMethod = 'none' | 'stripe' | 'invoice';
export type AttendeeStatus = 'active' | 'cancelled';

export interface BookingRecord {
  id: number;
  reference: string;
  eventId: number;
  status: BookingStatus;
  buyerName: string;
  buyerEmail: string;
  buyerOrganisation: string | null;
  total: number;
  currency: string;
  paymentMethod: PaymentMethod;
  holdExpiresAt: Date | null;
  stripeCheckoutSessionId: string | null;
  stripePaymentIntentId: string | null;
  purchaseOrder: string | null;
  /** The name of whom the invoice goes to (the accounts contact); `billingEmail` and `billingAddress` are theirs too. */
  billingContact: string | null;
  billingEmail: string | null;
  /** The postal address the invoice is addressed to, one line per line. */
  billingAddress: string | null;
  manageTokenHash: string;
  confirmedAt: Date | null;
  cancelledAt: Date | null;
  cancelReason: string | null;
  refundedTotal: number;
  /** Set while a delayed payment (bank debit, Pay by Bank) is in flight: the hold stays live until Stripe settles it. */
  paymentProcessingSince: Date | null;
  /** An invoice booking's invoice: open (`outstanding`), or closed by payment, by credits (`credited`) or written off. */
  invoiceStatus: 'outstanding' | 'paid' | 'credited' | 'written_off' | null;
  /** The discount code used (upper case, as stored when booked), or null; at most one per booking. */
  discountCode: string | null;
  /** Minor units the code took off the booking's seats when booked (list prices − total). */
  discountTotal: number;
  createdAt: Date;
}

export interface AttendeeRecord {
  id: number;
  bookingId: number;
  eventId: number;
  ticketTypeId: number;
  status: AttendeeStatus;
  name: string;
  email: string;
  organisation: string | null;
  dietary: string | null;
  accessibility: string | null;
  /** Minor units charged for the seat, after any discount code: what finance, refunds and reconciliation sum. */
  unitPrice: number;
  /** Minor units: the price the buyer was entitled to before any code (member or not); unitPrice for older seats. */
  listPrice: number;
  /** Minor units the code took off this seat (0 without one). */
  discountAmount: number;
  discountCodeId: number | null;
  currency: string;
  icalUid: string;
  checkedInAt: Date | null;
  cancelledAt: Date | null;
  /** SHA-256 of the seat's own manage token (lib/links.ts `seatToken`); null for seats placed before seat links. */
  manageTokenHash: string | null;
  /** How many times the seat's details were changed: each change's emails are keyed by it. */
  detailsVersion: number;
  /** How this seat takes part: in the room or online (every seat of an in-person event is in person). */
  mode: 'in_person' | 'online';
  /** When the attendee first opened their personal joining link (online seats). */
  joinedAt: Date | null;
}
