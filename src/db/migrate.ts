import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

const MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Reads migrations/*.ts by name, so that tsx, jest and compiled builds all load them the same way. */
const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d{12}_[a-z0-9_]+\.(ts|js)$/.test(f))
      .sort();
  },
  getMigrationName: (name) => name.replace(/\.(ts|js)$/, ''),
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- migrations are found by file name at run time, under tsx and jest alike.
  getMigration: async (name) => require(path.join(MIGRATIONS_DIR, name)) as MigrationModule,
};

export async function migrateLatest(db: Knex): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

export async function rollbackAll(db: Knex): Promise<void> {
  await db.migrate.rollback({ migrationSource }, true);
}
