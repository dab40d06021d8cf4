/**
 * A stand-in for one instance's outbox sender, as its own process: connects, says "ready" on stderr, waits for "go"
 * on stdin (so that every process starts together however long it took to boot), then claims batches of due emails
 * until none are left, pausing a few milliseconds after each as a real sender does while it sends, and prints the
 * ids it got as JSON. Used by claims.test.ts.
 */
import { parseDatabaseUrl } from '../../src/config';
import { connect } from '../../src/db/connect';
import { claimDueEmails } from '../../src/mail/outbox';

async function main(): Promise<void> {
  const db = connect(parseDatabaseUrl(process.env.DATABASE_URL));
  const claimed: number[] = [];
  await db.raw('select 1');
  process.stderr.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  for (;;) {
    const batch = await claimDueEmails(db, new Date(), 7, 60_000);
    if (batch.length === 0) break;
    claimed.push(...batch.map((e) => e.id));
    await new Promise((r) => setTimeout(r, 5));
  }
  process.stdin.destroy();
  await db.destroy();
  process.stdout.write(JSON.stringify(claimed));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
