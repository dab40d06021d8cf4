import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import type { Config } from '../../src/config';
import { connect } from '../../src/db/connect';
import { migrateLatest } from '../../src/db/migrate';

/** TEST_DATABASE=postgres runs the suite on the local PostgreSQL server, one database per test file. */
export const onPostgres = process.env.TEST_DATABASE === 'postgres';
const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  db: Knex;
  database: Config['database'];
  /** The DATABASE_URL another process would use to reach the same database. */
  url: string;
  destroy(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hsug_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  if (onPostgres) {
    const admin = knex({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
    await admin.raw(`CREATE DATABASE ${name}`);
    const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
    const database: Config['database'] = { client: 'pg', connectionString: url };
    const db = connect(database);
    await migrateLatest(db);
    return {
      db,
      database,
      url,
      async destroy() {
        await db.destroy();
        await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.destroy();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-test-'));
  const filename = path.join(dir, `${name}.sqlite`);
  const database: Config['database'] = { client: 'sqlite', filename };
  const db = connect(database);
  await migrateLatest(db);
  return {
    db,
    database,
    url: `file:${filename}`,
    async destroy() {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
