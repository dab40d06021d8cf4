import Stripe from 'stripe';
import type { Config } from '../config';

/**
 * The one Stripe client. Retries and timeout are set explicitly (the SDK's 80 s default would hold a
 * buyer's request for over a minute); STRIPE_API_BASE points it at a Stripe-compatible server.
 */
export function createStripeClient(config: Config, secretKey = config.stripe.secretKey): Stripe {
  if (!secretKey) throw new Error('createStripeClient needs STRIPE_SECRET_KEY');
  const options: Stripe.StripeConfig = { maxNetworkRetries: 1, timeout: 10_000, appInfo: { name: 'hsug-events' } };
  if (config.stripe.apiBase) {
    const base = new URL(config.stripe.apiBase);
    options.host = base.hostname;
    options.port = Number(base.port || (base.protocol === 'https:' ? 443 : 80));
    options.protocol = base.protocol === 'https:' ? 'https' : 'http';
  }
  return new Stripe(secretKey, options);
}
