import type { DbRefusal } from './index';

/**
 * PostgreSQL reports a refusal by SQLSTATE (Appendix A, "PostgreSQL Error Codes") with the constraint's name:
 * 23505 unique_violation, 23514 check_violation, 23503 foreign_key_violation, 22021 character_not_in_repertoire
 * (a NUL byte or invalid UTF-8 in text), 22P05 untranslatable_character.
 */
export function classifyPostgresError(error: unknown): DbRefusal | undefined {
  const e = error as { code?: unknown; constraint?: unknown; table?: unknown; column?: unknown; severity?: unknown };
  if (typeof e?.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code) || e.severity === undefined) return undefined;
  const constraint = typeof e.constraint === 'string' ? e.constraint : undefined;
  const columns = typeof e.column === 'string' ? [`${String(e.table)}.${e.column}`] : [];
  switch (e.code) {
    case '23505':
      return { kind: 'unique', constraint, columns };
    case '23514':
      return { kind: 'check', constraint, columns };
    case '23503':
      return { kind: 'foreign_key', constraint, columns };
    case '22021':
    case '22P05':
      return { kind: 'invalid_text', columns };
    default:
      return undefined;
  }
}
