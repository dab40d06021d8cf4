import { syncStripe } from '../../finance/sync';
import { systemClock } from '../../lib/clock';
import { findLocalSandbox, LOCAL_SANDBOX_KEY, sandboxAnnouncePath } from '../../payments/sandbox-announce';
import { createStripeClient } from '../../payments/stripe-client';
import type { CliCommand, CliContext } from '../types';

/**
 * The Stripe account to sync: STRIPE_SECRET_KEY (with STRIPE_API_BASE for another Stripe-compatible server), or,
 * with no key outside production, the local payments sandbox that `npm start` runs and announces
 * (payments/sandbox-announce.ts), since its state lives in that process. Null, with the reason said, when neither.
 */
function stripeFor({ config, io }: CliContext) {
  if (config.stripe.secretKey) return createStripeClient(config);
  if (config.env === 'production') {
    io.err('STRIPE_SECRET_KEY is not set, so there is no Stripe account to sync.');
    return null;
  }
  const local = findLocalSandbox(config);
  if (!local) {
    io.err(
      [
        'STRIPE_SECRET_KEY is not set, and no local payments sandbox is running for this database.',
        `With no STRIPE_SECRET_KEY, \`npm start\` runs the sandbox and announces it in ${sandboxAnnouncePath(config)}; start the service (with the same DATABASE_URL) and run this again.`,
        'To sync a real Stripe account instead, set STRIPE_SECRET_KEY (and STRIPE_API_BASE for another Stripe-compatible server).',
      ].join('\n'),
    );
    return null;
  }
  io.out(`No STRIPE_SECRET_KEY: syncing from the local payments sandbox at ${local.url}, run by the service on port ${local.appPort} (process ${local.pid}).`);
  return createStripeClient({ ...config, stripe: { ...config.stripe, apiBase: local.url } }, LOCAL_SANDBOX_KEY);
}

/** How long the command waits for another instance's sync to finish before giving up. */
const WAIT_FOR_OTHER_SYNC_SECONDS = 60;

export const stripeSyncCommand: CliCommand = {
  name: 'stripe:sync',
  usage: 'stripe:sync',
  summary: "pull Stripe's balance transactions and payouts now (the service also does this on start, after each Stripe webhook and every 15 minutes)",
  async run(args, cli) {
    const { db, io, logger } = cli;
    if (args.length) {
      io.err('stripe:sync takes no options.');
      return 2;
    }
    const stripe = stripeFor(cli);
    if (!stripe) return 1;
    // The person asked for a sync now: when the service is already syncing (its start-up run, a webhook's), wait for it
    // to finish and then sync, so what they paid a moment ago is in, rather than reporting a sync that may predate it.
    let report = await syncStripe({ db, clock: systemClock, stripe, logger }, { afterPage: (page) => io.out(`  stored ${page.count} ${page.stream.replace(/_/g, ' ')}`) });
    for (let waited = 0; report.skipped && waited < WAIT_FOR_OTHER_SYNC_SECONDS; waited++) {
      if (waited === 0) io.out('The service is syncing with Stripe right now; waiting for it to finish…');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      report = await syncStripe({ db, clock: systemClock, stripe, logger }, { afterPage: (page) => io.out(`  stored ${page.count} ${page.stream.replace(/_/g, ' ')}`) });
    }
    if (report.skipped) {
      io.err(`Another instance has been syncing with Stripe for over ${WAIT_FOR_OTHER_SYNC_SECONDS} seconds; nothing was done. Try again in a few minutes.`);
      return 1;
    }
    io.out(`Synced ${report.balanceTransactions} balance transactions, ${report.payouts} payouts and ${report.payoutLines} payout lines; ${report.linked} payments and refunds updated.`);
    return 0;
  },
};
