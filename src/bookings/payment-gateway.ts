import type { Knex } from 'knex';

/** One line of a checkout: a ticket type's name, its unit price (minor units) and how many seats. */
export interface CheckoutLine {
  name: string;
  /** Shown under the name on the payment page: a discount code's reduction ("List price £120.00, £50.00 off with code SPEAKER"). */
  description?: string;
  unitAmount: number;
  quantity: number;
}

/** What a checkout asks the payment provider for; amounts in minor units, `expiresAt` a UTC instant. */
export interface CheckoutRequest {
  bookingId: number;
  reference: string;
  /** The booking's attempt number; each attempt has its own idempotency key (alf.io #1254). */
  attempt: number;
  currency: string;
  buyerEmail: string;
  description: string;
  lines: CheckoutLine[];
  /** The hold's expiry: Stripe closes the session then (Checkout's `expires_at`, 30 minutes to 24 hours ahead). */
  expiresAt: Date;
  /** Where the buyer comes back to; both carry the booking's manage token. */
  successUrl: string;
  cancelUrl: string;
}

/**
 * Paying an invoice booking's outstanding amount by card ("pay by card instead"): one line for exactly that amount.
 * The session is recorded as ours with purpose `invoice` before its URL is returned; its payment goes against the
 * invoice and never changes the seats.
 */
export interface InvoiceCheckoutRequest {
  bookingId: number;
  reference: string;
  /** Minor units: what the invoice still asks for. */
  amount: number;
  currency: string;
  buyerEmail: string;
  /** The line's name on the payment page, e.g. "Invoice HSUG-2026-0001 (booking HSUG-AB12-CD34)". */
  description: string;
  /** When Stripe closes the session (30 minutes to 24 hours ahead). */
  expiresAt: Date;
  successUrl: string;
  cancelUrl: string;
}

export type RefundInitiator = 'attendee' | 'staff' | 'dashboard' | 'system';

/** Which email the buyer gets once the provider confirms a refund; none for refunds made in the provider's dashboard. */
export type RefundNotice = 'refund_issued' | 'refunded_after_expiry' | 'refunded_event_cancelled' | 'refunded_duplicate';

export interface RefundRequest {
  bookingId: number;
  /** Minor units; at most what is left unrefunded of the booking's card payment. */
  amount: number;
  /** The seats this refund gives up (already cancelled by the caller, or to be). */
  attendeeIds: number[];
  reason: string;
  initiatedBy: RefundInitiator;
  notice: RefundNotice | null;
  /** Minor units the event's refund policy kept on these seats (default 0), stated with the refund to the buyer. */
  feeKept?: number;
}

/** One refund of a booking's card payment that stands (not failed or withdrawn); amounts in minor units. */
export interface RefundSummary {
  amount: number;
  /** What the refund policy kept when it was made (0 for a full refund or one made in the provider's dashboard). */
  feeKept: number;
  /** The provider has taken it (`pending` or `succeeded`); otherwise it is recorded and still to be confirmed. */
  isConfirmed: boolean;
  /** The seats it gave up. */
  attendeeIds: number[];
}

/** A booking's card payment as the payments side records it; amounts in minor units. */
export interface CardPaymentSummary {
  amount: number;
  currency: string;
  /** Refunded or requested (not failed): what cannot be refunded again. */
  refunded: number;
  isDisputed: boolean;
}

/**
 * The port through which bookings/ reaches the card payment provider (Stripe). bookings/ never imports payments/;
 * payments/ implements this and reports what Stripe says back through the booking lifecycle.
 *
 * Errors: `startCheckout` and `openCheckoutUrl` throw AppError `payment_unavailable` (503) when the provider cannot
 * be reached or no provider is configured; `recordRefund` throws ConflictError `no_card_payment`, `payment_disputed`,
 * or ValidationError on `amount` (above what is left).
 */
export interface PaymentGateway {
  /** False when no Stripe key is configured: card bookings are refused with `payment_unavailable`. */
  readonly isAvailable: boolean;
  /** Creates a Checkout Session for a held booking and records it as ours. Network; never inside a transaction. */
  startCheckout(request: CheckoutRequest): Promise<{ sessionId: string; url: string }>;
  /**
   * The payment page for an invoice's outstanding amount: the newest invoice session when it is still open for that
   * very amount (two clicks never make two payments), otherwise a new Checkout Session, recorded as ours (purpose
   * `invoice`) before its URL is returned. Network; never inside a transaction.
   */
  startInvoiceCheckout(request: InvoiceCheckoutRequest): Promise<{ sessionId: string; url: string }>;
  /**
   * The payment page of a session that is still open, or undefined when it is closed. A session that has completed is
   * first brought in line with the provider (its payment confirms the booking, or marks it processing), so a caller
   * that then starts a new attempt is refused by beginCheckoutAttempt rather than taking a second payment. Network.
   */
  openCheckoutUrl(sessionId: string): Promise<string | undefined>;
  /**
   * Closes the booking's open sessions so nothing more can be paid, then brings the booking in line with what the
   * provider says (a payment that slipped in confirms it). Network, then its own transaction.
   */
  closeCheckout(bookingId: number): Promise<void>;
  /** The booking's card payment, if it has one. */
  cardPayment(db: Knex | Knex.Transaction, bookingId: number): Promise<CardPaymentSummary | undefined>;
  /** The booking's refunds that stand (requested or confirmed), oldest first. */
  refunds(db: Knex | Knex.Transaction, bookingId: number): Promise<RefundSummary[]>;
  /** Records a refund inside the caller's transaction (no network); returns its id. Send it with sendRefund after the commit. */
  recordRefund(trx: Knex.Transaction, request: RefundRequest): Promise<number>;
  /**
   * Asks the provider for a recorded refund. A failure keeps the refund `requested` for the retry job and is logged,
   * not thrown: the refund is recorded, so nothing is lost.
   */
  sendRefund(refundId: number): Promise<void>;
}
