/**
 * Runs the sandbox on its own, for demos or an app in another process:
 *   npx tsx sandbox/src/cli.ts
 * Env: SANDBOX_PORT (default 12111, stripe-mock's port), SANDBOX_HOST, STRIPE_WEBHOOK_SECRET,
 * SANDBOX_WEBHOOK_URL, SANDBOX_PUBLIC_URL.
 */
import { z } from 'zod';
import { startSandbox } from './server';

const env = z
  .object({
    SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(12111),
    SANDBOX_HOST: z.string().default('127.0.0.1'),
    STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').default('whsec_sandbox_local'),
    SANDBOX_WEBHOOK_URL: z.url().optional(),
    SANDBOX_PUBLIC_URL: z.url().optional(),
  })
  .parse(process.env);

async function main(): Promise<void> {
  const sandbox = await startSandbox({
    port: env.SANDBOX_PORT,
    host: env.SANDBOX_HOST,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    webhookUrl: env.SANDBOX_WEBHOOK_URL,
    publicUrl: env.SANDBOX_PUBLIC_URL,
  });
  console.log(`payments sandbox on ${sandbox.url} (STRIPE_API_BASE=${sandbox.url}); webhooks → ${env.SANDBOX_WEBHOOK_URL ?? 'nowhere yet'}`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
