import { createHmac } from 'node:crypto';
import type { Config } from '../config';
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

/** The private page where a booking's holder sees and manages it. */
export function manageUrl(config: Config, reference: string): string {
  return `${config.publicUrl}/bookings/${reference}?token=${manageToken(config, reference)}`;
}

/** The private link that pays for a held booking (a waitlist offer, a buyer coming back). */
export function payUrl(config: Config, reference: string): string {
  return `${config.publicUrl}/bookings/${reference}/pay?token=${manageToken(config, reference)}`;
}

export function eventUrl(config: Config, slug: string): string {
  return `${config.publicUrl}/events/${slug}`;
}

export function publicHost(config: Config): string {
  return new URL(config.publicUrl).hostname;
}
