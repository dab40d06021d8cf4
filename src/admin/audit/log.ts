import type { Tx } from '../../db/connect';
import { toDbTime } from '../../lib/time';
import type { StaffUser } from '../auth/roles';

/** Who did something: a signed-in person, an API token's owner, or the command line. */
export type Actor = StaffUser | { id: null; email: string };

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | number | null;
  details?: Record<string, unknown>;
}

/** Written in the caller's transaction, so the record exists exactly when the change does. */
export async function recordAudit(db: Tx, actor: Actor, entry: AuditEntry, now: Date): Promise<void> {
  await db('audit_log').insert({
    user_id: actor.id,
    actor: actor.email,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId === undefined || entry.targetId === null ? null : String(entry.targetId),
    details: JSON.stringify(entry.details ?? {}),
    at: toDbTime(now),
  });
}

export const CLI_ACTOR: Actor = { id: null, email: 'command line' };
