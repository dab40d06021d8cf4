import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { Config } from '../config';
import { hashToken } from '../lib/tokens';

/**
 * A subscriber's private link is derived from the server secret and a random salt kept with the row (256 bits), so an
 * announcement rendered when it is sent can carry it; only its hash is stored and looked up. The confirmation link is
 * derived the same way from a nonce that changes each time a confirmation is sent, so a new one replaces the old.
 */
export function newSalt(): string {
  return randomBytes(16).toString('base64url');
}

export function subscriberToken(config: Config, salt: string): string {
  return createHmac('sha256', config.sessionSecret).update(`subscription:${salt}`).digest('base64url');
}

export function confirmToken(config: Config, nonce: string): string {
  return createHmac('sha256', config.sessionSecret).update(`subscription-confirm:${nonce}`).digest('base64url');
}

export { hashToken };

/** The subscriber's page: change choices, unsubscribe. */
export function subscriptionUrl(config: Config, salt: string): string {
  return `${config.publicUrl}/subscriptions/${subscriberToken(config, salt)}`;
}

/** RFC 8058's one-click target (POST with List-Unsubscribe=One-Click); a GET shows a page with the button. */
export function unsubscribeUrl(config: Config, salt: string): string {
  return `${subscriptionUrl(config, salt)}/unsubscribe`;
}

export function confirmUrl(config: Config, nonce: string): string {
  return `${config.publicUrl}/subscriptions/confirm/${confirmToken(config, nonce)}`;
}

/**
 * What is kept of an unsubscribed address: the SHA-256 of its normalised form (hex). Not keyed with the server secret,
 * so it still matches after the secret is rotated.
 */
export function suppressionHash(normalisedEmail: string): string {
  return createHash('sha256').update(normalisedEmail).digest('hex');
}
