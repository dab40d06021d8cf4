import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import type { Config } from '../config';

export type Db = Knex;
export type Tx = Knex | Knex.Transaction;

interface SqliteConnection {
  pragma(sql: string): unknown;
  prepare(sql: string): unknown;
}

/**
 * knex prepares every query afresh, which cost a fifth of a registration's time in the bench. A statement can be
 * reused: knex only calls all() or run() on it, which finish before the next query, and SQLite re-prepares it by
 * itself after a schema change. Bounded, because whereIn lists make SQL text that varies.
 */
function reusePreparedStatements(conn: SqliteConnection, max = 500): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, unknown>();
  conn.prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      if (cache.size >= max) cache.clear();
      statement = prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}

export function connect(database: Config['database']): Db {
  if (database.client === 'pg') {
    return knex({ client: 'pg', connection: database.connectionString, pool: { min: 0, max: 10 } });
  }
  if (database.filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(database.filename)), { recursive: true });
  return knex({
    client: 'better-sqlite3',
    connection: { filename: database.filename },
    useNullAsDefault: true,
    // One connection: SQLite has a single writer, and knex queues the rest, which keeps writes in order.
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: SqliteConnection, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('journal_mode = WAL');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
        reusePreparedStatements(conn);
        done(null, conn);
      },
    },
  });
}

export function isPostgres(db: Tx): boolean {
  return db.client.config.client === 'pg';
}
