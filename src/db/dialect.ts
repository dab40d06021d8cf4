import type { Knex } from 'knex';
import { isPostgres, type Tx } from './connect';

/**
 * Locks one row for the rest of a write transaction and says whether it exists.
 * PostgreSQL: SELECT … FOR UPDATE. SQLite: writeTransaction already holds the database's single
 * write lock, so a plain read is enough.
 */
export async function lockRow(trx: Knex.Transaction, table: string, id: number): Promise<boolean> {
  const query = trx(table).select('id').where({ id }).first();
  const row = await (isPostgres(trx) ? query.forUpdate() : query);
  return row !== undefined;
}

/** Adds FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has one writer, so claimed rows are already exclusive. */
export function skipLocked<T extends Knex.QueryBuilder>(db: Tx, query: T): T {
  return isPostgres(db) ? (query.forUpdate().skipLocked() as T) : query;
}

/**
 * A transaction for read-then-write work. On SQLite its first statement is a write, so it holds the
 * single write lock from the start: knex begins with a plain BEGIN, and a transaction that reads
 * first fails with SQLITE_BUSY when another process (the CLI, a second instance) writes meanwhile.
 */
export async function writeTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    if (!isPostgres(trx)) await trx.raw('UPDATE app_lock SET id = id WHERE id = 1');
    return work(trx);
  });
}
