/**
 * The payments sandbox as its own process for the bench, the way Stripe is another machine: the load generator
 * and the sandbox then do not share a CPU thread. Controlled over HTTP (/_sandbox/…).
 */
import { startSandbox } from '../sandbox/src';

const webhookSecret = process.env.WEBHOOK_SECRET;
if (!webhookSecret) throw new Error('WEBHOOK_SECRET is required');
startSandbox({ webhookSecret, webhookUrl: process.env.WEBHOOK_URL, port: Number(process.env.PORT ?? 0), expirySweepMs: 0 }).catch((error) => {
  console.error(error);
  process.exit(1);
});
