import { AppError, ConflictError, ValidationError } from '../../lib/errors';
import { classifyPostgresError } from './postgres';
import { classifySqliteError } from './sqlite';

/** What a database refusal means, whichever dialect reported it. */
export interface DbRefusal {
  kind: 'unique' | 'check' | 'foreign_key' | 'invalid_text';
  /** The constraint's name (PostgreSQL), when the dialect reports it. */
  constraint?: string;
  /** The columns involved, when the dialect reports them (`table.column`). */
  columns: string[];
}

/** Classifies a driver error once per dialect (Directus `database/errors/dialects`); undefined for anything else. */
export function classifyDbError(error: unknown): DbRefusal | undefined {
  return classifyPostgresError(error) ?? classifySqliteError(error);
}

/** Whether the error is a unique violation, optionally on a column or constraint whose name contains `hint`. */
export function isUniqueViolation(error: unknown, hint?: string): boolean {
  const refusal = classifyDbError(error);
  if (refusal?.kind !== 'unique') return false;
  if (!hint) return true;
  return (refusal.constraint ?? '').includes(hint) || refusal.columns.some((c) => c.includes(hint));
}

/**
 * The domain error for a database refusal that reached the edge untranslated: a unique violation is 409
 * `already_exists`, a check (a refund above what was paid, say) 409 `constraint_failed`, text the database cannot
 * store (PostgreSQL refuses a NUL byte in text: SQLSTATE 22021) 422 `validation_failed`. Undefined for other errors.
 */
export function translateDbError(error: unknown): AppError | undefined {
  const refusal = classifyDbError(error);
  if (!refusal) return undefined;
  switch (refusal.kind) {
    case 'unique':
      return new ConflictError('already_exists', 'That already exists.');
    case 'check':
    case 'foreign_key':
      return new ConflictError('constraint_failed', 'That change would break a rule of the records (for example, refunding more than was paid), so nothing was changed.');
    case 'invalid_text':
      return new ValidationError([{ path: 'body', message: 'contains characters that cannot be stored (such as a NUL byte)' }]);
  }
}
