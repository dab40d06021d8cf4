/** Constraint errors, translated once per dialect (SQLite and PostgreSQL report them differently). */
export function isUniqueViolation(error: unknown, constraintHint?: string): boolean {
  const e = error as { code?: string; message?: string; constraint?: string };
  const unique = e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  if (!unique || !constraintHint) return unique;
  return (e.constraint ?? '').includes(constraintHint) || (e.message ?? '').includes(constraintHint);
}
