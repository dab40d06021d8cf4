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
  /**
   * Runs `work` in a write transaction, perhaps shared with other work under the same key (on SQLite, with any
   * other work); resolves once that transaction commits.
   */
  run<T>(key: string, work: Work<T>): Promise<T>;
}

/** Most units of work in one transaction: enough to share the commit, few enough to keep each answer quick. */
const MAX_GROUP = 64;

/**
 * Group commit. Bookings for an event are serialised by the event's lock: each would otherwise wait its turn and pay
 * for its own commit (on SQLite, writing every page it touched to the WAL; on PostgreSQL, a flush to disk while the
 * lock is held). Work submitted while a transaction runs waits for it, and the next transaction runs all of it, one
 * unit after another, and commits once. No unit's answer is given before that commit.
 *
 * Groups are formed per key (the event): on PostgreSQL, groups for different keys run side by side, and a
 * transaction only ever locks its own key's event, so two instances cannot deadlock. SQLite has a single writer, so
 * there everything waits in one line and any work may share a transaction.
 *
 * If any unit fails, the whole group is rolled back and each unit runs again in a transaction of its own, in the
 * same order, so a failure (a 409, or a fault) touches nobody else's booking and leaves no half-done writes.
 * Units must therefore do nothing but database work inside the transaction (no Stripe call, no email: those go
 * after the commit, or through the outbox).
 */
export function groupCommit(db: Knex, maxGroup = MAX_GROUP): GroupCommit {
  const lines = new Map<string, Pending[]>();
  const oneLine = !isPostgres(db);

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
      // eslint-disable-next-line hsug/no-swallowed-catch -- not lost: each unit runs again alone, and the one that failed rejects its own caller with its own error.
    } catch {
      for (const unit of group) await alone(unit);
      return;
    }
    group.forEach((unit, i) => unit.resolve(results[i]));
  }

  async function drain(line: string, waiting: Pending[]): Promise<void> {
    try {
      while (waiting.length > 0) {
        // A transaction over better-sqlite3 never waits for I/O, so nothing new could arrive while it runs: let
        // this turn of the event loop finish reading requests first, and take every unit they submitted.
        await new Promise((resolve) => setImmediate(resolve));
        await runGroup(waiting.splice(0, maxGroup));
      }
    } finally {
      lines.delete(line);
    }
  }

  return {
    run<T>(key: string, work: Work<T>): Promise<T> {
      const line = oneLine ? '' : key;
      return new Promise<T>((resolve, reject) => {
        const unit = { work, resolve: resolve as (value: unknown) => void, reject };
        const waiting = lines.get(line);
        if (waiting) return void waiting.push(unit);
        const started = [unit];
        lines.set(line, started);
        void drain(line, started);
      });
    },
  };
}
