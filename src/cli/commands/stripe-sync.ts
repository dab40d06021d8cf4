import { syncStripe } from '../../finance/sync';
import { systemClock } from '../../lib/clock';
import { createStripeClient } from '../../payments/stripe-client';
import type { CliCommand } from '../types';

export const stripeSyncCommand: CliCommand = {
  name: 'stripe:sync',
  usage: 'stripe:sync',
  summary: "pull Stripe's balance transactions and payouts now (the service also does this every 15 minutes)",
  async run(args, { db, config, io, logger }) {
    if (args.length) {
      io.err('stripe:sync takes no options.');
      return 2;
    }
    if (!config.stripe.secretKey) {
      io.err('STRIPE_SECRET_KEY is not set, so there is no Stripe account to sync (set STRIPE_API_BASE too to sync from a sandbox).');
      return 1;
    }
    const report = await syncStripe(
      { db, clock: systemClock, stripe: createStripeClient(config), logger },
      { afterPage: (page) => io.out(`  stored ${page.count} ${page.stream.replace(/_/g, ' ')}`) },
    );
    if (report.skipped) {
      io.out('Another instance is syncing with Stripe right now; nothing to do.');
      return 0;
    }
    io.out(`Synced ${report.balanceTransactions} balance transactions, ${report.payouts} payouts and ${report.payoutLines} payout lines; ${report.linked} payments and refunds updated.`);
    return 0;
  },
};
