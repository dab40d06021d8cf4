import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config';

/** One year, helmet's default and the minimum for the HSTS preload list (RFC 6797 §6.1.1). */
const HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/**
 * The security headers of every response, by helmet (OWASP Secure Headers Project):
 * - Content-Security-Policy: only this origin's scripts, styles and images (plus data: images); forms may post here
 *   and to https: or the payment page's origin (Stripe's, or the local sandbox's on http); no framing.
 * - X-Frame-Options: DENY (for browsers without frame-ancestors), Referrer-Policy: same-origin (manage pages tighten
 *   it to no-referrer), X-Content-Type-Options: nosniff, and helmet's other defaults (Cross-Origin-Opener-Policy and
 *   Cross-Origin-Resource-Policy same-origin, Origin-Agent-Cluster, X-DNS-Prefetch-Control off, …).
 * - Strict-Transport-Security only when PUBLIC_URL is https: over plain http it would be ignored, and on a laptop it
 *   would pin localhost to https for a year.
 */
export function securityHeaders(config: Config): RequestHandler {
  const paymentOrigin = config.stripe.apiBase ? [new URL(config.stripe.apiBase).origin] : [];
  const isHttps = config.publicUrl.startsWith('https:');
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'"],
        scriptSrc: ["'self'"],
        formAction: ["'self'", 'https:', ...paymentOrigin],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: isHttps ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: true } : false,
  });
}
