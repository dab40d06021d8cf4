import { randomBytes } from 'node:crypto';
import { startSandbox } from './server';

export interface LocalSandbox {
  url: string;
  /** What the app's Stripe settings become: a test key, this run's signing secret and the sandbox as the API base. */
  stripe: { secretKey: string; webhookSecret: string; apiBase: string };
  close(): Promise<void>;
}

/**
 * The sandbox as `npm start` runs it with no Stripe key outside production, so the whole paid flow can be
 * tried offline. The server loads this module with a dynamic import only then, so production never loads
 * the sandbox. Webhooks go back to the app on `appPort`, signed with a secret made for this run.
 */
export async function startLocalSandbox(appPort: number): Promise<LocalSandbox> {
  const webhookSecret = `whsec_sandbox_${randomBytes(16).toString('hex')}`;
  const sandbox = await startSandbox({ webhookSecret, webhookUrl: `http://127.0.0.1:${appPort}/webhooks/stripe` });
  return {
    url: sandbox.url,
    stripe: { secretKey: 'sk_test_local_sandbox', webhookSecret, apiBase: sandbox.url },
    close: () => sandbox.close(),
  };
}
