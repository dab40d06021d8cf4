import type { Knex } from 'knex';
import { isPostgres } from './connect';
import { writeTransaction } from './dialect';

type Work<T> = (trx: Knex.Transaction) => Promise<T>;

interface Pending {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface GroupCommit {
  /** Runs `work` in a write transaction, perhaps shared with other work; resolves once that transaction commits. */
  run<T>(work: Work<T>): Promise<T>;
}

/** Most units of work in one transaction: enough to share the commit, few enough to keep each answer quick. */
const MAX_GROUP = 64;

/**
 * Group commit for SQLite, which has a single writer: bookings arriving together would otherwise wait for the
 * write lock one by one, each paying for its own commit (writing every page it touched to the WAL). Work
 * submitted while a transaction runs waits for it, and the next transaction runs all of it, one unit after
 * another, and commits once. No unit's answer is given before that commit.
 *
 * If any unit fails, the whole group is rolled back and each unit runs again in a transaction of its own, in the
 * same order, so a failure (a 409, or a fault) touches nobody else's booking and leaves no half-done writes.
 * Units must therefore do nothing but database work inside the transaction (no Stripe call, no email: those go
 * after the commit, or through the outbox).
 *
 * PostgreSQL writes concurrently and locks rows, so there each unit simply gets its own transaction.
 */
export function groupCommit(db: Knex, maxGroup = MAX_GROUP): GroupCommit {
  if (isPostgres(db)) return { run: (work) => writeTransaction(db, work) };
  const waiting: Pending[] = [];
  let draining = false;

  const alone = (unit: Pending) => writeTransaction(db, unit.work).then(unit.resolve, unit.reject);

  async function runGroup(group: Pending[]): Promise<void> {
    if (group.length === 1) return alone(group[0]);
    let results: unknown[];
    try {
      results = await writeTransaction(db, async (trx) => {
        const values: unknown[] = [];
        for (const unit of group) values.push(await unit.work(trx));
        return values;
      });
    } catch {
      for (const unit of group) await alone(unit);
      return;
    }
    group.forEach((unit, i) => unit.resolve(results[i]));
  }

  async function drain(): Promise<void> {
    draining = true;
    try {
      while (waiting.length > 0) {
        // A transaction over better-sqlite3 never waits for I/O, so nothing new could arrive while it runs: let
        // this turn of the event loop finish reading requests first, and take every unit they submitted.
        await new Promise((resolve) => setImmediate(resolve));
        await runGroup(waiting.splice(0, maxGroup));
      }
    } finally {
      draining = false;
    }
  }

  return {
    run<T>(work: Work<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!draining) void drain();
      });
    },
  };
}
