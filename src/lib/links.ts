import { createHmac } from 'node:crypto';
import type { Config } from '../config';
import { normaliseEmail } from './email';
import { hashToken } from './tokens';

/**
 * The manage token is derived from the server secret and the booking reference (256 bits), so later
 * emails (a waitlist place, a changed time) can carry the link again. Only its hash is stored, and
 * a link stays valid even if the secret is later rotated.
 */
export function manageToken(config: Config, reference: string): string {
  return createHmac('sha256', config.sessionSecret).update(`manage:${reference}`).digest('base64url');
}

export function manageTokenHash(config: Config, reference: string): string {
  return hashToken(manageToken(config, reference));
}

/**
 * A seat's own manage token: as strong as the booking's (256 bits, HMAC with the server secret) and, like it, derived so
 * that any later email can carry the link again; only its hash is stored (`attendees.manage_token_hash`). It is bound
 * to the seat's calendar UID and to the email of the person who holds the seat, so passing the place to someone else
 * (a new email) gives the new holder a new link and the old link stops working.
 */
export function seatToken(config: Config, icalUid: string, email: string): string {
  return createHmac('sha256', config.sessionSecret).update(`seat:${icalUid}:${normaliseEmail(email)}`).digest('base64url');
}

export function seatTokenHash(config: Config, icalUid: string, email: string): string {
  return hashToken(seatToken(config, icalUid, email));
}

/**
 * An online attendee's personal joining link token: as strong as the manage token (256 bits, HMAC with the server
 * secret), derived so every email can carry the link again, and only its hash stored (`attendees.join_token_hash`).
 * Bound to the seat's calendar UID and its holder's email, like the seat link: a place passed on gets a new link.
 */
export function joinToken(config: Config, icalUid: string, email: string): string {
  return createHmac('sha256', config.sessionSecret).update(`join:${icalUid}:${normaliseEmail(email)}`).digest('base64url');
}

export function joinTokenHash(config: Config, icalUid: string, email: string): string {
  return hashToken(joinToken(config, icalUid, email));
}

/** The personal joining link (`/join/<token>`): redirects to the meeting from the time it opens until the event ends. */
export function joinUrl(config: Config, seat: { icalUid: string; email: string }): string {
  return `${config.publicUrl}/join/${joinToken(config, seat.icalUid, seat.email)}`;
}

/** The private page of one seat, for the person who holds it. */
export function seatUrl(config: Config, reference: string, seat: { id: number; icalUid: string; email: string }): string {
  return `${config.publicUrl}/bookings/${reference}/seats/${seat.id}?token=${seatToken(config, seat.icalUid, seat.email)}`;
}

/** The private page where a booking's holder sees and manages it. */
export function manageUrl(config: Config, reference: string): string {
  return `${config.publicUrl}/bookings/${reference}?token=${manageToken(config, reference)}`;
}

/** The private link that pays for a held booking (a waitlist offer, a buyer coming back). */
export function payUrl(config: Config, reference: string): string {
  return `${config.publicUrl}/bookings/${reference}/pay?token=${manageToken(config, reference)}`;
}

/**
 * The token of an invoice's "pay by card instead" link: derived like the manage token (256 bits, HMAC with the server
 * secret) but for paying only. The invoice PDF and its email also go to the billing contact (an accounts department),
 * who may pay the invoice but should not manage the booking; the manage token opens the same page for the buyer.
 */
export function invoicePayToken(config: Config, reference: string): string {
  return createHmac('sha256', config.sessionSecret).update(`invoice-pay:${reference}`).digest('base64url');
}

/** The page that pays what an invoice booking still owes by card ("pay by card instead"). */
export function invoicePayUrl(config: Config, reference: string): string {
  return `${config.publicUrl}/bookings/${reference}/pay-invoice?token=${invoicePayToken(config, reference)}`;
}

export function eventUrl(config: Config, slug: string): string {
  return `${config.publicUrl}/events/${slug}`;
}

export function publicHost(config: Config): string {
  return new URL(config.publicUrl).hostname;
}
