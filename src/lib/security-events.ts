import type { Logger } from './logger';

/**
 * The security events the service logs, a fixed set so that alerts can match on them (OWASP Logging Cheat Sheet,
 * "Which events to log"; ASVS V7.2). Each is one structured warn line with `security: <kind>`:
 *
 * - `sign_in_failed`: a staff sign-in with a wrong email or password.
 * - `sign_in_locked`: a staff sign-in refused by the throttle (too many attempts), before the password was checked.
 * - `request_refused`: any other 401, 403 or 429: no session or API token, the wrong role, a failed CSRF check, a limit.
 * - `webhook_signature_failed`: a POST to the Stripe webhook without a valid Stripe-Signature.
 * - `link_token_failed`: a private link (manage, pay, checkout return, and later join and verify) with no token, a
 *   wrong one, or an unknown reference: the page answers "not found" alike, the log says which request it was.
 * - `config_warning`: a setting that is allowed but risky (NODE_ENV unset, plain http), at boot.
 */
export const SECURITY_EVENT_KINDS = ['sign_in_failed', 'sign_in_locked', 'request_refused', 'webhook_signature_failed', 'link_token_failed', 'config_warning'] as const;

export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

const MESSAGES: Record<SecurityEventKind, string> = {
  sign_in_failed: 'staff sign-in failed',
  sign_in_locked: 'staff sign-in refused: too many attempts',
  request_refused: 'request refused',
  webhook_signature_failed: 'Stripe webhook refused: the signature did not verify',
  link_token_failed: 'private link refused: unknown booking, or no or wrong token',
  config_warning: 'configuration warning',
};

/**
 * Writes one security event: `{"level":"warn","msg":…,"security":kind,…fields}`. Fields are context (request id,
 * client address, redacted URL, status, code); never pass a token, a password or a full payment id (the logger's
 * redaction catches fields named like secrets, but not a secret inside another value).
 */
export function logSecurityEvent(logger: Logger, kind: SecurityEventKind, fields: Record<string, unknown> = {}, message = MESSAGES[kind]): void {
  logger.warn(message, { security: kind, ...fields });
}

/** The configuration's warnings, each a `config_warning` naming its variable: the server logs them at boot. */
export function logConfigWarnings(logger: Logger, warnings: ReadonlyArray<{ variable: string; message: string }>): void {
  for (const warning of warnings) logSecurityEvent(logger, 'config_warning', { variable: warning.variable }, `CONFIGURATION WARNING: ${warning.message}`);
}
