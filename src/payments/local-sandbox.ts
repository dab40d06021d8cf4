import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import { startSandbox, type Sandbox } from './sandbox';

/**
 * With no Stripe key outside production, the service runs its own Stripe-compatible sandbox so the
 * whole paid flow can be tried offline. Returns the config pointed at it.
 */
export async function startLocalSandbox(config: Config): Promise<{ sandbox: Sandbox; config: Config }> {
  const webhookSecret = `whsec_sandbox_${randomBytes(16).toString('hex')}`;
  const sandbox = await startSandbox({ webhookSecret, webhookUrl: `http://127.0.0.1:${config.port}/webhooks/stripe` });
  const stripe = { secretKey: 'sk_test_local_sandbox', webhookSecret, apiBase: sandbox.url };
  return { sandbox, config: Object.freeze({ ...config, stripe }) };
}
