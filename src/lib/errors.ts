import type { ZodError } from 'zod';

export interface ErrorDetail {
  path: string;
  message: string;
}

/**
 * The one catalogue of error codes the service answers with (`{error:{code,message,details?}}`), each with its HTTP
 * status and what it means. Codes are stable snake_case ids: scripts and the group's website may branch on them.
 * The README's table of API error codes is generated from this (`npm run docs:errors`), and a test checks it.
 */
export const ERROR_CODES = {
  account_disabled: { status: 409, meaning: 'This staff account is disabled; enable it first.' },
  account_link_invalid: { status: 404, meaning: 'This set-password link has expired, has been used, or was replaced by a newer one (all answered alike).' },
  already_announced: { status: 409, meaning: 'This event has already been announced to subscribers; send an update to the same people instead.' },
  already_booked: { status: 409, meaning: 'One of the email addresses already has a place (or a waitlist place) at this event.' },
  already_cancelled: { status: 409, meaning: 'This event is already cancelled.' },
  already_exists: { status: 409, meaning: 'That already exists.' },
  already_explained: { status: 409, meaning: 'Someone has already explained this Stripe payment, refund, dispute or payout; see the explained list on the mismatches page.' },
  attach_not_allowed: { status: 409, meaning: 'A Stripe payment can be attached only to a booking confirmed as paid by card with no payment recorded, for the same amount.' },
  attendance_upload_gone: { status: 409, meaning: 'That attendance upload was already recorded, or a newer upload for the event replaced it; upload the file again.' },
  bad_request: { status: 400, meaning: 'The request could not be read (an upload, a body of the wrong type).' },
  body_too_large: { status: 413, meaning: 'The request body is larger than the service accepts (100 KB for JSON and forms, 1 MB for a Stripe webhook); nothing was saved. One that declares its size is refused before it is read.' },
  booking_cancelled: { status: 409, meaning: 'The booking is already cancelled.' },
  booking_closed: { status: 409, meaning: 'Booking for this event has closed.' },
  booking_not_found: { status: 404, meaning: 'No booking with that reference (or the link\'s token does not match).' },
  booking_not_open: { status: 409, meaning: 'Booking for this event has not opened yet.' },
  booking_pending_payment: { status: 409, meaning: 'The booking is waiting for payment: cancel the hold, not a paid booking.' },
  certificate_name_locked: { status: 409, meaning: 'The name on a certificate can be corrected only until the certificate is first downloaded; write to the event\'s contact address.' },
  certificate_name_unprintable: { status: 409, meaning: 'The name on a certificate holds characters its font cannot print (for example Chinese characters); the attendee corrects the name on the certificate page, then downloads it.' },
  certificate_not_available: { status: 403, meaning: 'There is no certificate of attendance for this place: the event has not ended, it issues none, its CPD hours are not set yet, or the place was cancelled, waitlisted or not attended.' },
  check_in_not_open: { status: 409, meaning: 'Check-in and walk-ins open on the day of the event (in its own time zone); walk-ins close at the end of its last day.' },
  constraint_failed: { status: 409, meaning: 'That change would break a rule of the records (for example, refunding more than was paid), so nothing was changed.' },
  csrf_failed: { status: 403, meaning: 'A staff form expired or did not come from this site; nothing was changed.' },
  discount_code_expired: { status: 409, meaning: 'The discount code is not valid now: its dates have passed or not yet begun, or the organisers have withdrawn it. The detail on `discountCode` says which.' },
  discount_code_not_applicable: { status: 409, meaning: 'The discount code is not for the ticket types chosen; the detail on `discountCode` names those it is for.' },
  discount_code_unknown: { status: 409, meaning: 'No discount code with that name exists for this event. Codes tried in vain are rate limited (`RATE_LIMIT_DISCOUNT_CODES`).' },
  discount_code_used_up: { status: 409, meaning: 'The discount code has no uses left (or fewer than the booking needs). A cancelled or expired booking gives its uses back.' },
  document_not_found: { status: 404, meaning: 'No invoice, receipt or credit note with that number (or it belongs to another booking).' },
  dispute_open: { status: 409, meaning: 'This payment is disputed. Stripe takes no refund while a dispute is open: respond to the dispute in the Stripe dashboard instead.' },
  erasure_blocked: { status: 409, meaning: 'This person cannot be erased yet: the address has a staff account, or holds paid places still to come (cancel those first, choosing the refund).' },
  event_cancelled: { status: 409, meaning: 'The event has been cancelled (it takes no bookings and cannot be published again).' },
  event_closed: { status: 409, meaning: 'Places can only be offered for a published event that has not started.' },
  event_not_found: { status: 404, meaning: 'No event with that address.' },
  event_past: { status: 409, meaning: 'The event has started: it takes no bookings, and bookings can no longer be cancelled online.' },
  forbidden: { status: 403, meaning: 'Your staff role does not allow that.' },
  has_bookings: { status: 409, meaning: 'People have already booked this event, so it cannot go back to draft. Cancel it instead, and they will be told.' },
  internal_error: { status: 500, meaning: 'Something failed on our side; the message quotes a reference for the logs.' },
  invalid_encoding: { status: 400, meaning: 'The request is not well-formed UTF-8 (a body or query string with invalid bytes or a broken %-escape); nothing was read.' },
  invalid_signature: { status: 400, meaning: 'The Stripe-Signature header is missing or does not verify.' },
  invoice_not_available: { status: 409, meaning: 'This event cannot be paid by invoice; please pay by card.' },
  invoice_not_outstanding: { status: 409, meaning: 'The invoice is no longer outstanding (paid, credited or written off).' },
  length_required: { status: 411, meaning: 'A file upload must say its size (Content-Length), so that one too large is refused before it is read.' },
  limits_unavailable: { status: 503, meaning: 'The request could not be checked against the abuse limits just now (a database fault), so it was refused; try again in a minute. Only sign-in is refused this way: the booking limits fall back to each instance\'s own count.' },
  last_admin: { status: 409, meaning: 'At least one active administrator who can sign in must remain.' },
  malformed_body: { status: 400, meaning: 'The request body is not valid JSON.' },
  malformed_event: { status: 400, meaning: 'The event does not have the shape of a Stripe event.' },
  membership_required: { status: 409, meaning: "Member prices are for current HSUG members. We could not find a current membership for the email address given; choose the non-member ticket, or write to the event's contact address if you think this is wrong." },
  member_import_gone: { status: 409, meaning: 'That member list upload was already imported, undone or replaced by a newer one; upload the file again.' },
  mismatch_not_found: { status: 404, meaning: 'There is no open mismatch about that Stripe object (it may have been explained or put right already).' },
  mode_full: { status: 409, meaning: 'A hybrid event has no free place of the kind asked for (in person or online) just now, so the place stays as it is.' },
  no_card_payment: { status: 409, meaning: 'This booking has no card payment to refund.' },
  no_room: { status: 409, meaning: 'There is no free place for the person being offered one.' },
  no_ticket_types: { status: 409, meaning: 'Add a ticket type that is on sale before publishing.' },
  nothing_outstanding: { status: 409, meaning: 'This invoice has nothing left to pay (it has been paid, credited or written off), so there is nothing to pay by card.' },
  not_awaiting_payment: { status: 409, meaning: 'This booking is not waiting for a payment.' },
  not_announced: { status: 409, meaning: 'This event has not been announced yet, so there is no audience to send an update to; announce it first.' },
  not_published: { status: 409, meaning: 'Only a published event can be announced to subscribers.' },
  not_expected: { status: 409, meaning: 'This person does not hold a confirmed place at this event.' },
  not_found: { status: 404, meaning: 'Nothing at that address.' },
  not_invoiced: { status: 409, meaning: 'This booking is not paid by invoice.' },
  not_waitlisted: { status: 409, meaning: 'The booking is no longer on the waitlist.' },
  own_account: { status: 409, meaning: 'You cannot disable your own account or change your own role; another administrator can.' },
  payment_arrived: { status: 409, meaning: 'The payment for this booking has just arrived, so it is now confirmed. Look at the booking again before cancelling it.' },
  payment_disputed: { status: 409, meaning: 'This payment is disputed with the card issuer, so it cannot be refunded until the dispute is closed.' },
  payment_processing: { status: 409, meaning: 'A payment for the booking is already being processed by the bank; it settles by itself.' },
  payment_required: { status: 409, meaning: 'This event is charged; book it with payment.' },
  payment_unavailable: { status: 503, meaning: 'Card payments cannot be taken now (Stripe unreachable or not configured); nothing was charged.' },
  payout_not_found: { status: 404, meaning: 'No payout with that id has been synced from Stripe.' },
  price_changed: { status: 409, meaning: 'A price has changed since the page was loaded. Please check the new prices and book again.' },
  rate_limited: { status: 429, meaning: 'Too many requests of this kind from one client address or for one email address in a short time; the `Retry-After` header says how many seconds to wait.' },
  refund_not_available: { status: 409, meaning: "This booking can no longer be cancelled online (past the refund deadline, or an invoice booking); write to the event's contact address." },
  seat_changes_closed: { status: 409, meaning: "The cut-off for changing or cancelling a single place has passed (the event's own cut-off, else its refund deadline, else its start); write to the event's contact address." },
  seat_not_cancellable: { status: 409, meaning: 'This place cannot be cancelled on its own now (its booking is waiting for payment or on the waitlist): the buyer manages it through the booking link.' },
  sign_in_failed: { status: 401, meaning: 'That email address and password do not match a staff account.' },
  sold_out: { status: 409, meaning: 'Sorry, there are not enough places of that ticket type left for this booking.' },
  stripe_not_configured: { status: 409, meaning: 'Stripe is not configured on this server.' },
  subscription_link_invalid: { status: 404, meaning: 'This subscription link has expired, has been used, or belongs to an address that has unsubscribed (all answered alike).' },
  survey_closed: { status: 409, meaning: 'This event\'s feedback survey is not open (not yet started, switched off, or the place was cancelled or waitlisted).' },
  survey_already_answered: { status: 409, meaning: 'This place has already answered the feedback survey, and the organisers chose one answer each (or the survey is anonymous, so an answer cannot be changed).' },
  token_required: { status: 401, meaning: 'This link needs its private token. Use the link from your confirmation email.' },
  too_many_attempts: { status: 429, meaning: 'Too many sign-in attempts (for one account, from one address, or overall); the `Retry-After` header says how many seconds to wait.' },
  too_many_codes: { status: 429, meaning: 'Too many wrong two-factor codes on one sign-in; sign in again from the password.' },
  too_many_holds: { status: 409, meaning: 'This email address (or client address) already has as many unpaid bookings waiting for payment as it may; pay for one or cancel it, or wait until its hold lapses.' },
  two_factor_failed: { status: 401, meaning: 'The two-factor code is wrong, or was used already.' },
  two_factor_not_set_up: { status: 409, meaning: 'Two-factor sign-in is not set up on your own account: set it up before requiring it of others or renewing recovery codes.' },
  two_factor_required: { status: 409, meaning: 'Two-factor sign-in is required for this role, so it cannot be switched off.' },
  unauthorized: { status: 401, meaning: 'Sign in, or send a staff API token (`Authorization: Bearer …`).' },
  upload_too_large: { status: 413, meaning: 'The uploaded file, or the form around it, is larger than that form accepts; the page says the limit. Nothing was read or changed.' },
  validation_failed: { status: 422, meaning: 'A field is missing or wrong; `details` has one entry per field path.' },
  walk_in_not_free: { status: 409, meaning: 'This event has no free ticket type open to everyone, so a walk-in cannot be added at the door; book them with payment instead.' },
  webhooks_disabled: { status: 503, meaning: 'Stripe webhooks are not configured.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
/** The codes whose status is S, so each error class accepts only its own. */
type CodeWithStatus<S extends number> = { [K in ErrorCode]: (typeof ERROR_CODES)[K]['status'] extends S ? K : never }[ErrorCode];

/**
 * An error a person or a script is meant to see. Every class takes (code, message, details?) in that order; the
 * status comes from the catalogue. ValidationError has one code and takes its details first.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.status = ERROR_CODES[code].status;
  }
}

/** 422 `validation_failed`: one detail per field path. */
export class ValidationError extends AppError {
  constructor(details: ErrorDetail[], message = 'Some fields need attention.') {
    super('validation_failed', message, details);
  }

  static fromZod(error: ZodError, prefix: string[] = []): ValidationError {
    return new ValidationError(
      error.issues.map((issue) => ({ path: [...prefix, ...issue.path.map(String)].join('.'), message: issue.message })),
    );
  }
}

export class NotFoundError extends AppError {
  constructor(code: CodeWithStatus<404>, message: string) {
    super(code, message);
  }
}

export class ConflictError extends AppError {
  constructor(code: CodeWithStatus<409>, message: string, details?: ErrorDetail[]) {
    super(code, message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(code: CodeWithStatus<401>, message: string) {
    super(code, message);
  }
}

/**
 * 429: a limit was reached (RFC 6585 §4). `retryAfterSeconds` is sent as the `Retry-After` header (RFC 9110 §10.2.3)
 * and said in words in the message; `limit` names the limit reached, for the security log.
 */
export class TooManyRequestsError extends AppError {
  constructor(
    code: CodeWithStatus<429>,
    message: string,
    readonly retryAfterSeconds: number,
    readonly limit?: string,
  ) {
    super(code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(code: CodeWithStatus<403>, message: string) {
    super(code, message);
  }
}
