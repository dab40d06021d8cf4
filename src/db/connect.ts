import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
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

/**
 * knex's own warnings. "Acquire connection error" comes with a stack trace and repeats an error that knex also rejects
 * the waiting query with, whose caller reports it with context (the boot: `openDatabase`'s one line); the rest are
 * printed as knex would.
 */
const knexLog = {
  warn(message: string): void {
    if (!message.startsWith('Acquire connection error')) console.warn(message);
  },
};

export function connect(database: Config['database']): Db {
  if (database.client === 'pg') {
    return knex({ client: 'pg', connection: database.connectionString, pool: { min: 0, max: 10 }, log: knexLog });
  }
  if (database.filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(database.filename)), { recursive: true });
  return knex({
    client: 'better-sqlite3',
    connection: { filename: database.filename },
    log: knexLog,
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

/** DATABASE_URL names a database that cannot be opened or reached; the message names the variable, never a password. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

function reason(error: unknown): string {
  const e = error as { code?: string; message?: string; errors?: Array<{ code?: string }> };
  // pg reports a refused connection to every address of a host as an AggregateError with an empty message.
  const code = e.code ?? e.errors?.find((inner) => inner.code)?.code;
  const message = e.message?.trim();
  return message && code && !message.includes(code) ? `${message} (${code})` : message || code || String(error);
}

/**
 * `connect`, then proves the database answers before anything else uses it, so that a wrong DATABASE_URL stops the
 * boot with one line instead of a driver's stack trace or a pool retrying for ever:
 * - SQLite: the file (or its directory) is created if missing, then opened and its schema read;
 * - PostgreSQL: `select 1` over a new connection.
 * @throws DatabaseUnavailableError whose message reads "DATABASE_URL: cannot open the SQLite database FILE: reason" or
 *   "DATABASE_URL: cannot connect to PostgreSQL at HOST:PORT/NAME: reason" (user and password left out).
 */
export async function openDatabase(database: Config['database']): Promise<Db> {
  if (database.client === 'sqlite') {
    try {
      if (database.filename !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(database.filename)), { recursive: true });
      const probe = new Database(database.filename);
      try {
        probe.pragma('schema_version');
      } finally {
        probe.close();
      }
    } catch (error) {
      throw new DatabaseUnavailableError(`DATABASE_URL: cannot open the SQLite database ${database.filename}: ${reason(error)}`, { cause: error });
    }
    return connect(database);
  }
  const db = connect(database);
  try {
    await db.raw('select 1');
    return db;
  } catch (error) {
    await db.destroy();
    const url = new URL(database.connectionString);
    throw new DatabaseUnavailableError(`DATABASE_URL: cannot connect to PostgreSQL at ${url.host}${url.pathname}: ${reason(error)}`, { cause: error });
  }
}

export function isPostgres(db: Tx): boolean {
  return db.client.config.client === 'pg';
}
