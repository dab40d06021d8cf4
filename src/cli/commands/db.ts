import fs from 'node:fs';
import path from 'node:path';
import { migrateLatest } from '../../db/migrate';
import type { CliCommand } from '../types';

export const migrateCommand: CliCommand = {
  name: 'db:migrate',
  usage: 'db:migrate',
  summary: 'apply pending migrations',
  async run(_args, { db, io }) {
    await migrateLatest(db);
    io.out('Migrations are up to date.');
    return 0;
  },
};

export const backupCommand: CliCommand = {
  name: 'db:backup',
  usage: 'db:backup FILE',
  summary: 'write a consistent copy of the SQLite database to FILE (PostgreSQL: use pg_dump)',
  async run(args, { db, config, io }) {
    const [file] = args;
    if (!file) {
      io.err('Usage: npm run cli -- db:backup FILE');
      return 2;
    }
    if (config.database.client !== 'sqlite') {
      io.err('This database is PostgreSQL: back it up with pg_dump, for example: pg_dump --format=custom --file=hsug.dump "$DATABASE_URL"');
      return 2;
    }
    const target = path.resolve(file);
    if (fs.existsSync(target)) {
      io.err(`${target} already exists; choose a new file name.`);
      return 2;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // VACUUM INTO takes a transactionally consistent copy while the service keeps running.
    await db.raw('VACUUM INTO ?', [target]);
    io.out(`Backed up ${config.database.filename} to ${target}.`);
    return 0;
  },
};
