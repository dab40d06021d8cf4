import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import type { Config } from '../config';

export type Db = Knex;
export type Tx = Knex | Knex.Transaction;

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
      afterCreate(conn: { pragma(sql: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('journal_mode = WAL');
        conn.pragma('foreign_keys = ON');
        conn.pragma('busy_timeout = 5000');
        conn.pragma('synchronous = NORMAL');
        done(null, conn);
      },
    },
  });
}

export function isPostgres(db: Tx): boolean {
  return db.client.config.client === 'pg';
}
