import type { Knex } from 'knex';
import type { Tx } from '../../db/connect';
import { fromDbTime, toDbTime } from '../../lib/time';

/** What the audit page filters by: a staff account (or `cli`, entries made at the command line), an event, instants. */
export interface AuditFilter {
  person?: number | 'cli';
  eventId?: number;
  from?: Date;
  /** Exclusive. */
  before?: Date;
}

export interface AuditRecord {
  id: number;
  at: Date;
  actor: string;
  userName: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details: string;
  eventTitle: string | null;
}

function filtered(db: Tx, filter: AuditFilter): Knex.QueryBuilder {
  const query = db('audit_log');
  if (filter.person === 'cli') query.whereNull('audit_log.user_id');
  else if (filter.person) query.where('audit_log.user_id', filter.person);
  if (filter.eventId) query.where('audit_log.event_id', filter.eventId);
  if (filter.from) query.where('audit_log.at', '>=', toDbTime(filter.from));
  if (filter.before) query.where('audit_log.at', '<', toDbTime(filter.before));
  return query;
}

export async function countAuditEntries(db: Tx, filter: AuditFilter): Promise<number> {
  const row = await filtered(db, filter).count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** One page of entries, newest first, with the person's current name and the event's title. */
export async function listAuditEntries(db: Tx, filter: AuditFilter, limit: number, offset: number): Promise<AuditRecord[]> {
  const rows = await filtered(db, filter)
    .leftJoin('users', 'users.id', 'audit_log.user_id')
    .leftJoin('events', 'events.id', 'audit_log.event_id')
    .select('audit_log.id', 'audit_log.at', 'audit_log.actor', 'users.name as user_name', 'audit_log.action', 'audit_log.target_type', 'audit_log.target_id', 'audit_log.details', 'events.title as event_title')
    .orderBy('audit_log.id', 'desc')
    .limit(limit)
    .offset(offset);
  return rows.map((r: Record<string, unknown>) => ({
    id: Number(r.id),
    at: fromDbTime(r.at),
    actor: String(r.actor),
    userName: (r.user_name as string | null) ?? null,
    action: String(r.action),
    targetType: String(r.target_type),
    targetId: (r.target_id as string | null) ?? null,
    details: String(r.details ?? '{}'),
    eventTitle: (r.event_title as string | null) ?? null,
  }));
}

/** The people to filter by: every staff account, by name. */
export async function listAuditPeople(db: Tx): Promise<Array<{ id: number; name: string; email: string }>> {
  const rows = await db('users').select('id', 'name', 'email').orderByRaw('lower(name), id');
  return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), name: String(r.name), email: String(r.email) }));
}

/** The events to filter by: those the log mentions, newest first. */
export async function listAuditEvents(db: Tx): Promise<Array<{ id: number; title: string; startsAt: Date }>> {
  const rows = await db('events')
    .whereIn('id', db('audit_log').whereNotNull('event_id').distinct('event_id'))
    .select('id', 'title', 'starts_at')
    .orderBy('starts_at', 'desc');
  return rows.map((r: Record<string, unknown>) => ({ id: Number(r.id), title: String(r.title), startsAt: fromDbTime(r.starts_at) }));
}
