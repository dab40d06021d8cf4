import type { Tx } from '../db/connect';
import { normaliseEmail } from '../lib/email';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../lib/time';
import type { MemberRow } from './csv';

/** A member as kept for an undo: the row as it was, with when it was imported. */
export interface StoredMember extends MemberRow {
  importedAt: string;
}

/** How a new list differs from the current one; each list of examples holds at most EXAMPLES names. */
export interface ImportSummary {
  total: number;
  added: number;
  removed: number;
  /** Same email, another name, membership number or expiry date. */
  changed: number;
  /** Rows of the new list whose expiry date is before today (in the group's zone). */
  expired: number;
  unchanged: number;
  examples: { added: string[]; removed: string[]; changed: string[] };
}

export type ImportStatus = 'pending' | 'applied' | 'undone' | 'discarded';

export interface MemberImportRecord {
  id: number;
  status: ImportStatus;
  summary: ImportSummary;
  source: string;
  hasPrevious: boolean;
  createdAt: Date;
  appliedAt: Date | null;
}

const EXAMPLES = 5;

/** Compares the new list with the current one, by normalised email. `today` is YYYY-MM-DD in the group's zone. */
export function summariseImport(current: MemberRow[], next: MemberRow[], today: string): ImportSummary {
  const before = new Map(current.map((m) => [normaliseEmail(m.email), m]));
  const after = new Set(next.map((m) => normaliseEmail(m.email)));
  const summary: ImportSummary = { total: next.length, added: 0, removed: 0, changed: 0, expired: 0, unchanged: 0, examples: { added: [], removed: [], changed: [] } };
  const example = (list: string[], m: MemberRow) => {
    if (list.length < EXAMPLES) list.push(`${m.name} (${m.email})`);
  };
  for (const m of next) {
    if (m.expiresOn < today) summary.expired += 1;
    const old = before.get(normaliseEmail(m.email));
    if (!old) {
      summary.added += 1;
      example(summary.examples.added, m);
    } else if (old.name !== m.name || old.membershipNumber !== m.membershipNumber || old.expiresOn !== m.expiresOn) {
      summary.changed += 1;
      example(summary.examples.changed, m);
    } else {
      summary.unchanged += 1;
    }
  }
  for (const [key, m] of before) {
    if (after.has(key)) continue;
    summary.removed += 1;
    example(summary.examples.removed, m);
  }
  return summary;
}

export async function listAllMembers(db: Tx): Promise<StoredMember[]> {
  const rows = await db('members').select('email', 'name', 'membership_number', 'expires_on', 'imported_at').orderBy('id');
  return rows.map((r: Record<string, unknown>) => ({
    email: String(r.email),
    name: String(r.name),
    membershipNumber: String(r.membership_number),
    expiresOn: String(r.expires_on),
    importedAt: fromDbTime(r.imported_at).toISOString(),
  }));
}

/** Puts back a list kept for an undo, each row with its own import time, in the caller's transaction. */
export async function restoreMembers(db: Tx, members: StoredMember[]): Promise<void> {
  await db('members').delete();
  for (let i = 0; i < members.length; i += 200) {
    await db('members').insert(
      members.slice(i, i + 200).map((m) => ({
        email: m.email,
        email_normalised: normaliseEmail(m.email),
        name: m.name,
        membership_number: m.membershipNumber,
        expires_on: m.expiresOn,
        imported_at: toDbTime(new Date(m.importedAt)),
      })),
    );
  }
}

function toImport(r: Record<string, unknown>): MemberImportRecord {
  return {
    id: Number(r.id),
    status: r.status as ImportStatus,
    summary: JSON.parse(String(r.summary)) as ImportSummary,
    source: String(r.source),
    hasPrevious: r.previous_rows !== null && r.previous_rows !== undefined,
    createdAt: fromDbTime(r.created_at),
    appliedAt: fromDbTimeOrNull(r.applied_at),
  };
}

const IMPORT_COLUMNS = ['id', 'status', 'summary', 'source', 'previous_rows', 'created_at', 'applied_at'];

export async function findMemberImport(db: Tx, id: number): Promise<MemberImportRecord | undefined> {
  const row = await db('member_imports').select(IMPORT_COLUMNS).where({ id }).first();
  return row ? toImport(row) : undefined;
}

/** The last applied import while it can still be undone (its previous list is kept). */
export async function findUndoableImport(db: Tx): Promise<MemberImportRecord | undefined> {
  const row = await db('member_imports').select(IMPORT_COLUMNS).where({ status: 'applied' }).whereNotNull('previous_rows').orderBy('id', 'desc').first();
  return row ? toImport(row) : undefined;
}

export async function insertPendingImport(db: Tx, entry: { rows: MemberRow[]; summary: ImportSummary; source: string; userId: number | null }, now: Date): Promise<number> {
  const [row] = await db('member_imports')
    .insert({ status: 'pending', rows: JSON.stringify(entry.rows), summary: JSON.stringify(entry.summary), source: entry.source, user_id: entry.userId, created_at: toDbTime(now) })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

/** Every waiting upload is replaced by a newer upload or import, and no earlier import can be undone any more. */
export async function supersedeImports(db: Tx, exceptId?: number): Promise<void> {
  const pending = db('member_imports').where({ status: 'pending' });
  if (exceptId !== undefined) pending.whereNot({ id: exceptId });
  await pending.update({ status: 'discarded' });
  const applied = db('member_imports').where({ status: 'applied' }).whereNotNull('previous_rows');
  if (exceptId !== undefined) applied.whereNot({ id: exceptId });
  await applied.update({ previous_rows: null });
}

/** Takes a waiting upload for applying: a conditional update, so two presses apply it once. Its rows, or undefined. */
export async function claimPendingImport(db: Tx, id: number, previous: StoredMember[], now: Date): Promise<MemberRow[] | undefined> {
  const changed = await db('member_imports').where({ id, status: 'pending' }).update({ status: 'applied', previous_rows: JSON.stringify(previous), applied_at: toDbTime(now) });
  if (changed !== 1) return undefined;
  const row = await db('member_imports').select('rows').where({ id }).first();
  return JSON.parse(String(row.rows)) as MemberRow[];
}

/** Takes the last import for undoing, once: its kept previous list, or undefined when it cannot be undone. */
export async function claimUndo(db: Tx, id: number, now: Date): Promise<StoredMember[] | undefined> {
  const latest = await findUndoableImport(db);
  if (!latest || latest.id !== id) return undefined;
  const row = await db('member_imports').select('previous_rows').where({ id }).first();
  const changed = await db('member_imports').where({ id, status: 'applied' }).whereNotNull('previous_rows').update({ status: 'undone', previous_rows: null, undone_at: toDbTime(now) });
  if (changed !== 1) return undefined;
  return JSON.parse(String(row.previous_rows)) as StoredMember[];
}

/** Members whose email, name or membership number contains the text (case ignored), by name; at most `limit`. */
export async function findMembers(db: Tx, q: string, limit = 20): Promise<Array<MemberRow & { importedAt: Date }>> {
  const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db('members')
    .select('email', 'name', 'membership_number', 'expires_on', 'imported_at')
    .where((w) =>
      w
        .whereRaw("email_normalised like ? escape '\\'", [pattern])
        .orWhereRaw("lower(name) like ? escape '\\'", [pattern])
        .orWhereRaw("lower(membership_number) like ? escape '\\'", [pattern]),
    )
    .orderByRaw('lower(name), id')
    .limit(limit);
  return rows.map((r: Record<string, unknown>) => ({ email: String(r.email), name: String(r.name), membershipNumber: String(r.membership_number), expiresOn: String(r.expires_on), importedAt: fromDbTime(r.imported_at) }));
}
