import type { DbRefusal } from './index';

/**
 * SQLite (better-sqlite3) reports a refusal by extended result code (sqlite.org/rescode.html). It names no
 * constraint; the columns of a UNIQUE or NOT NULL failure appear only in its message, in SQLite's fixed form
 * "UNIQUE constraint failed: table.column[, table.column]", so that form is read here and nowhere else.
 * CHECK rules added to existing tables are triggers that RAISE(ABORT) (SQLITE_CONSTRAINT_TRIGGER).
 */
export function classifySqliteError(error: unknown): DbRefusal | undefined {
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e?.code !== 'string' || !e.code.startsWith('SQLITE_')) return undefined;
  const columns = typeof e.message === 'string' ? (/constraint failed: (.+)$/.exec(e.message)?.[1] ?? '').split(', ').filter(Boolean) : [];
  switch (e.code) {
    case 'SQLITE_CONSTRAINT_UNIQUE':
    case 'SQLITE_CONSTRAINT_PRIMARYKEY':
      return { kind: 'unique', columns };
    case 'SQLITE_CONSTRAINT_CHECK':
    case 'SQLITE_CONSTRAINT_TRIGGER':
      return { kind: 'check', columns };
    case 'SQLITE_CONSTRAINT_FOREIGNKEY':
      return { kind: 'foreign_key', columns };
    default:
      return undefined;
  }
}
