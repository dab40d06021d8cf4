import type { Knex } from 'knex';
import type { Actor } from '../admin/audit/log';
import { recordAudit } from '../admin/audit/log';
import { writeTransaction } from '../db/dialect';
import { ConflictError } from '../lib/errors';
import { parseMemberCsv, type RejectedRow } from './csv';
import { todayIn } from './dates';
import { claimPendingImport, claimUndo, insertPendingImport, listAllMembers, restoreMembers, summariseImport, supersedeImports, type ImportSummary } from './imports';
import { replaceMembers } from './queries';

export interface ImportReport {
  imported: number;
  rejected: RejectedRow[];
  fileProblems: string[];
}

/**
 * Imports a member list at once, all or nothing (the command line): if any row is wrong nothing changes and the
 * report says which lines to fix; otherwise the new list replaces the old in one transaction, so a booking never sees
 * a half-imported list. Members missing from the new file are no longer members. `csv` is the file's bytes (which must
 * be UTF-8) or its text. Any upload waiting for confirmation is discarded, and an earlier import can no longer be
 * undone (the list it would restore is not the one it replaced).
 */
export async function importMembers(db: Knex, actor: Actor, csv: string | Uint8Array, now: Date, source: string): Promise<ImportReport> {
  const parsed = parseMemberCsv(csv);
  if (parsed.fileProblems.length > 0 || parsed.rejected.length > 0) {
    return { imported: 0, rejected: parsed.rejected, fileProblems: parsed.fileProblems };
  }
  await writeTransaction(db, async (trx) => {
    await supersedeImports(trx);
    await replaceMembers(trx, parsed.members, now);
    await recordAudit(trx, actor, { action: 'members_imported', targetType: 'members', details: { count: parsed.members.length, source } }, now);
  });
  return { imported: parsed.members.length, rejected: [], fileProblems: [] };
}

export type StagedImport = { id: number; summary: ImportSummary } | { id: null; report: ImportReport };

/**
 * The first step of an import from the staff pages: checks the file (as importMembers does) and, if it is good, keeps
 * it waiting for confirmation with how it differs from the current list (added, removed, changed, expired). Nothing
 * changes in the list. A newer upload replaces a waiting one. `zone` is the group's time zone, for "expired".
 */
export async function stageMemberImport(db: Knex, actor: Actor, csv: string | Uint8Array, now: Date, source: string, zone: string): Promise<StagedImport> {
  const parsed = parseMemberCsv(csv);
  if (parsed.fileProblems.length > 0 || parsed.rejected.length > 0) {
    return { id: null, report: { imported: 0, rejected: parsed.rejected, fileProblems: parsed.fileProblems } };
  }
  return writeTransaction(db, async (trx) => {
    const summary = summariseImport(await listAllMembers(trx), parsed.members, todayIn(now, zone));
    await trx('member_imports').where({ status: 'pending' }).update({ status: 'discarded' });
    const id = await insertPendingImport(trx, { rows: parsed.members, summary, source, userId: actor.id }, now);
    return { id, summary };
  });
}

const gone = () => new ConflictError('member_import_gone', 'That upload has already been imported, or a newer upload or import replaced it. Upload the file again.');

/**
 * Replaces the list with a waiting upload, in one transaction, keeping the list it replaces for one undo (and
 * forgetting any older one). Applying twice applies once: the second answers 409 `member_import_gone`.
 */
export async function applyMemberImport(db: Knex, actor: Actor, id: number, now: Date): Promise<ImportSummary> {
  return writeTransaction(db, async (trx) => {
    const previous = await listAllMembers(trx);
    const rows = await claimPendingImport(trx, id, previous, now);
    if (!rows) throw gone();
    await supersedeImports(trx, id);
    await replaceMembers(trx, rows, now);
    const row = await trx('member_imports').select('summary', 'source').where({ id }).first();
    const summary = JSON.parse(String(row.summary)) as ImportSummary;
    await recordAudit(trx, actor, { action: 'members_imported', targetType: 'members', targetId: id, details: { count: rows.length, source: String(row.source), added: summary.added, removed: summary.removed, changed: summary.changed } }, now);
    return summary;
  });
}

/**
 * Puts back the list the last import replaced, all or nothing: in one transaction the import is marked undone and the
 * whole previous list restored, or (on any failure) neither. Only the last import, only once, and only while no newer
 * import has happened: otherwise 409 `member_import_gone`. Returns how many members the list holds again.
 */
export async function undoMemberImport(db: Knex, actor: Actor, id: number, now: Date): Promise<number> {
  return writeTransaction(db, async (trx) => {
    const previous = await claimUndo(trx, id, now);
    if (!previous) throw new ConflictError('member_import_gone', 'That import can no longer be undone: it was undone already, or a newer import replaced the list since.');
    await restoreMembers(trx, previous);
    await recordAudit(trx, actor, { action: 'members_import_undone', targetType: 'members', targetId: id, details: { restored: previous.length } }, now);
    return previous.length;
  });
}
