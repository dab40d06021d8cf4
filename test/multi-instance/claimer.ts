/**
 * A stand-in for one instance's outbox sender, as its own process: waits for START_AT, then claims batches of due
 * emails as fast as it can until none are left, and prints the ids it got as JSON. Used by claims.test.ts.
 */
import { parseDatabaseUrl } from '../../src/config';
import { connect } from '../../src/db/connect';
import { claimDueEmails } from '../../src/mail/outbox';

async function main(): Promise<void> {
  const db = connect(parseDatabaseUrl(process.env.DATABASE_URL));
  const claimed: number[] = [];
  await new Promise((r) => setTimeout(r, Math.max(0, Number(process.env.START_AT) - Date.now())));
  for (;;) {
    const batch = await claimDueEmails(db, new Date(), 7, 60_000);
    if (batch.length === 0) break;
    claimed.push(...batch.map((e) => e.id));
  }
  await db.destroy();
  process.stdout.write(JSON.stringify(claimed));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
