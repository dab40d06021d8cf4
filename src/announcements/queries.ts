import type { Tx } from '../db/connect';
import { EVENT_KINDS, type EventKind } from '../events/types';
import { fromDbTimeOrNull, toDbTime } from '../lib/time';
import { FOLLOWED_REGIONS, REFUSALS_BEFORE_STOPPING, type Choices, type FollowedRegion, type Subscriber } from './types';

const COLUMNS = ['id', 'email', 'status', 'all_events', 'kinds', 'regions', 'token_hash', 'token_salt', 'confirm_token_hash', 'confirm_sent_at', 'confirmed_at', 'consent_at', 'consent_source', 'refusals', 'last_refusal'];

const listOf = <T extends string>(text: unknown, allowed: readonly T[]): T[] => String(text ?? '').split(',').filter((v): v is T => (allowed as readonly string[]).includes(v));

function toSubscriber(row: Record<string, unknown>): Subscriber {
  return {
    id: Number(row.id),
    email: String(row.email),
    status: row.status === 'confirmed' ? 'confirmed' : 'pending',
    allEvents: Boolean(row.all_events),
    kinds: listOf<EventKind>(row.kinds, EVENT_KINDS),
    regions: listOf<FollowedRegion>(row.regions, FOLLOWED_REGIONS),
    tokenHash: String(row.token_hash),
    tokenSalt: String(row.token_salt),
    confirmTokenHash: (row.confirm_token_hash as string | null) ?? null,
    confirmSentAt: fromDbTimeOrNull(row.confirm_sent_at),
    confirmedAt: fromDbTimeOrNull(row.confirmed_at),
    consentAt: fromDbTimeOrNull(row.consent_at),
    consentSource: (row.consent_source as string | null) ?? null,
    refusals: Number(row.refusals),
    lastRefusal: (row.last_refusal as string | null) ?? null,
  };
}

export const choiceColumns = (choices: Choices) => ({ all_events: choices.allEvents, kinds: choices.kinds.join(','), regions: choices.regions.join(',') });

export async function findSubscriberBy(db: Tx, where: Partial<Record<'id' | 'email' | 'token_hash' | 'confirm_token_hash', string | number>>): Promise<Subscriber | null> {
  const row = await db('subscribers').select(COLUMNS).where(where).first();
  return row ? toSubscriber(row) : null;
}

export async function insertSubscriber(db: Tx, values: Record<string, unknown>, now: Date): Promise<number> {
  const [row] = await db('subscribers').insert({ ...values, created_at: toDbTime(now), updated_at: toDbTime(now) }).returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}

export async function updateSubscriber(db: Tx, id: number, values: Record<string, unknown>, now: Date): Promise<number> {
  return db('subscribers').where({ id }).update({ ...values, updated_at: toDbTime(now) });
}

export async function isSuppressed(db: Tx, hash: string): Promise<boolean> {
  return !!(await db('subscriber_suppressions').where({ email_hash: hash }).first('email_hash'));
}

/**
 * The confirmed subscribers an event of this kind and region reaches, by id: those who follow everything, its kind or
 * its region, leaving out addresses the relay has refused REFUSALS_BEFORE_STOPPING times.
 */
export async function audienceFor(db: Tx, event: { kind: EventKind; region: string }): Promise<Subscriber[]> {
  const rows = await db('subscribers').select(COLUMNS).where({ status: 'confirmed' }).where('refusals', '<', REFUSALS_BEFORE_STOPPING).orderBy('id');
  // Choices are short comma lists: matched here rather than with dialect-specific string functions.
  return rows.map(toSubscriber).filter((s) => s.allEvents || s.kinds.includes(event.kind) || (s.regions as string[]).includes(event.region));
}

/** The people a first announcement went to who are still subscribed (and not refused): the audience of an update. */
export async function remainingRecipients(db: Tx, announcementId: number): Promise<Subscriber[]> {
  const rows = await db('subscribers as s')
    .join('announcement_recipients as r', 'r.subscriber_id', 's.id')
    .where('r.announcement_id', announcementId)
    .where('s.status', 'confirmed')
    .where('s.refusals', '<', REFUSALS_BEFORE_STOPPING)
    .select(COLUMNS.map((c) => `s.${c}`))
    .orderBy('s.id');
  return rows.map(toSubscriber);
}

export interface AnnouncementRecord {
  id: number;
  eventId: number;
  kind: 'new' | 'update';
  subject: string;
  message: string;
  recipientCount: number;
  createdAt: Date;
  createdBy: string | null;
}

export async function findAnnouncements(db: Tx, eventId: number): Promise<AnnouncementRecord[]> {
  const rows = await db('announcements as a').leftJoin('users as u', 'u.id', 'a.user_id').where('a.event_id', eventId).select('a.id', 'a.event_id', 'a.kind', 'a.subject', 'a.message', 'a.recipient_count', 'a.created_at', 'u.name as user_name').orderBy('a.id');
  return rows.map(toAnnouncement);
}

export async function findAnnouncement(db: Tx, id: number): Promise<AnnouncementRecord | null> {
  const row = await db('announcements as a').leftJoin('users as u', 'u.id', 'a.user_id').where('a.id', id).select('a.id', 'a.event_id', 'a.kind', 'a.subject', 'a.message', 'a.recipient_count', 'a.created_at', 'u.name as user_name').first();
  return row ? toAnnouncement(row) : null;
}

function toAnnouncement(row: Record<string, unknown>): AnnouncementRecord {
  return {
    id: Number(row.id),
    eventId: Number(row.event_id),
    kind: row.kind === 'update' ? 'update' : 'new',
    subject: String(row.subject),
    message: String(row.message ?? ''),
    recipientCount: Number(row.recipient_count),
    createdAt: fromDbTimeOrNull(row.created_at) ?? new Date(0),
    createdBy: (row.user_name as string | null) ?? null,
  };
}

export interface SubscriberCounts {
  confirmed: number;
  pending: number;
  allEvents: number;
  byKind: Record<EventKind, number>;
  byRegion: Record<FollowedRegion, number>;
  refused: number;
  suppressed: number;
}

/** The administrator's figures: confirmed and pending, confirmed by choice, stopped after refusals, unsubscribed. */
export async function countSubscribers(db: Tx): Promise<SubscriberCounts> {
  const rows = await db('subscribers').select('status', 'all_events', 'kinds', 'regions', 'refusals');
  const counts: SubscriberCounts = {
    confirmed: 0,
    pending: 0,
    allEvents: 0,
    byKind: Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Record<EventKind, number>,
    byRegion: Object.fromEntries(FOLLOWED_REGIONS.map((r) => [r, 0])) as Record<FollowedRegion, number>,
    refused: 0,
    suppressed: 0,
  };
  for (const row of rows as Array<Record<string, unknown>>) {
    if (row.status !== 'confirmed') {
      counts.pending++;
      continue;
    }
    counts.confirmed++;
    if (Number(row.refusals) >= REFUSALS_BEFORE_STOPPING) counts.refused++;
    if (row.all_events) counts.allEvents++;
    for (const k of listOf<EventKind>(row.kinds, EVENT_KINDS)) counts.byKind[k]++;
    for (const r of listOf<FollowedRegion>(row.regions, FOLLOWED_REGIONS)) counts.byRegion[r]++;
  }
  const suppressed = await db('subscriber_suppressions').count({ n: '*' }).first();
  counts.suppressed = Number(suppressed?.n ?? 0);
  return counts;
}

export async function listConfirmedSubscribers(db: Tx): Promise<Subscriber[]> {
  const rows = await db('subscribers').select(COLUMNS).where({ status: 'confirmed' }).orderBy('email');
  return rows.map(toSubscriber);
}

/** Removes subscriptions never confirmed whose confirmation link has run out; returns how many. */
export async function purgeUnconfirmed(db: Tx, before: Date): Promise<number> {
  return db('subscribers').where({ status: 'pending' }).where('confirm_sent_at', '<', toDbTime(before)).delete();
}
