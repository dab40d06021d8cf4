import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { connect } from '../../src/db/connect';
import { migrateLatest } from '../../src/db/migrate';

/** The local PostgreSQL server's maintenance database, used only to CREATE and DROP the bench's own database. */
export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  /** DATABASE_URL for a child process. */
  url: string;
  client: 'sqlite' | 'pg';
  db: Knex;
  destroy(): Promise<void>;
}

/** A fresh, migrated SQLite file in `dir`. */
export async function freshSqlite(dir: string, name: string): Promise<BenchDatabase> {
  const filename = path.join(dir, `${name}.sqlite`);
  fs.rmSync(filename, { force: true });
  const db = connect({ client: 'sqlite', filename });
  await migrateLatest(db);
  return { url: `file:${filename}`, client: 'sqlite', db, destroy: () => db.destroy() };
}

/** A fresh, migrated PostgreSQL database on the local server, dropped again by destroy(). */
export async function freshPostgres(): Promise<BenchDatabase> {
  const name = `hsug_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = connect({ client: 'pg', connectionString: url });
  await migrateLatest(db);
  return {
    url,
    client: 'pg',
    db,
    async destroy() {
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}
