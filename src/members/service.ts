import type { Knex } from 'knex';
import type { Actor } from '../admin/audit/log';
import { recordAudit } from '../admin/audit/log';
import { writeTransaction } from '../db/dialect';
import { parseMemberCsv, type RejectedRow } from './csv';
import { replaceMembers } from './queries';

export interface ImportReport {
  imported: number;
  rejected: RejectedRow[];
  fileProblems: string[];
}

/**
 * Imports a member list, all or nothing: if any row is wrong nothing changes and the report says which
 * lines to fix; otherwise the new list replaces the old in one transaction, so a booking never sees a
 * half-imported list. Members missing from the new file are no longer members. `csv` is the file's bytes (which must
 * be UTF-8) or its text.
 */
export async function importMembers(db: Knex, actor: Actor, csv: string | Uint8Array, now: Date, source: string): Promise<ImportReport> {
  const parsed = parseMemberCsv(csv);
  if (parsed.fileProblems.length > 0 || parsed.rejected.length > 0) {
    return { imported: 0, rejected: parsed.rejected, fileProblems: parsed.fileProblems };
  }
  await writeTransaction(db, async (trx) => {
    await replaceMembers(trx, parsed.members, now);
    await recordAudit(trx, actor, { action: 'members_imported', targetType: 'members', details: { count: parsed.members.length, source } }, now);
  });
  return { imported: parsed.members.length, rejected: [], fileProblems: [] };
}
