import type { Knex } from 'knex';
import type { Actor } from '../admin/audit/log';
import { recordAudit } from '../admin/audit/log';
import type { Tx } from '../db/connect';
import { lockRow, writeTransaction } from '../db/dialect';
import type { EventRecord } from '../events/types';
import { ConflictError } from '../lib/errors';
import { toDbTime } from '../lib/time';
import { parseAttendanceReport, type ParsedReport, type ReportPerson } from './attendance-csv';
import { getCertificateSettings, minOnlineMinutes } from './settings';

/** Why a seat counts as attended: checked in at the door, opened the joining link, or long enough in a report. */
export type AttendedBy = 'door' | 'joined' | 'report';

export interface AttendedSeat {
  attendeeId: number;
  bookingId: number;
  name: string;
  email: string;
  by: AttendedBy;
  /** The person was erased, or retention removed their contact details: their name and email are markers now. */
  isRemoved: boolean;
}

/**
 * The one definition of "attended" (issue 13): an active seat of a confirmed booking that was checked in at the door,
 * or whose holder opened their personal joining link (`joined_at`), or that an uploaded attendance report shows present
 * for at least `minSeconds`. Cancelled and waitlisted bookings, and no-shows, never attended.
 */
function attendedQuery(db: Tx | Knex, eventId: number, minSeconds: number) {
  return db('attendees as a')
    .join('bookings as b', 'b.id', 'a.booking_id')
    .leftJoin('online_attendance as o', 'o.attendee_id', 'a.id')
    .where('a.event_id', eventId)
    .where('a.status', 'active')
    .where('b.status', 'confirmed')
    .where((q) => q.whereNotNull('a.checked_in_at').orWhereNotNull('a.joined_at').orWhere('o.seconds', '>=', minSeconds));
}

/**
 * The same definition as a condition on a query over `attendees` (under `alias`), for other folders that must agree
 * with certificates about who came (the thank-you and "sorry we missed you" emails): `attended` true keeps those who
 * attended, false those who did not. `minSeconds` is `attendanceThresholdSeconds` for the event.
 */
export function whereAttended(q: Knex.QueryBuilder, alias: string, minSeconds: number, attended = true): Knex.QueryBuilder {
  const inReport = (db: Knex.QueryBuilder) =>
    db.select(1).from('online_attendance as oa').whereRaw('oa.attendee_id = ??', [`${alias}.id`]).where('oa.seconds', '>=', minSeconds);
  if (attended) return q.where((w) => w.whereNotNull(`${alias}.checked_in_at`).orWhereNotNull(`${alias}.joined_at`).orWhereExists(function () { inReport(this); }));
  return q.whereNull(`${alias}.checked_in_at`).whereNull(`${alias}.joined_at`).whereNotExists(function () { inReport(this); });
}

/** Seconds present online that count as attending this event (its certificate settings, or half its length). */
export async function attendanceThresholdSeconds(db: Tx | Knex, event: EventRecord): Promise<number> {
  return minOnlineMinutes(await getCertificateSettings(db, event), event) * 60;
}

const toSeat = (r: Record<string, unknown>): AttendedSeat => ({
  attendeeId: Number(r.id),
  bookingId: Number(r.booking_id),
  name: String(r.name),
  email: String(r.email),
  by: r.checked_in_at ? 'door' : r.joined_at ? 'joined' : 'report',
  isRemoved: r.personal_data_removed_at !== null && r.personal_data_removed_at !== undefined,
});

export async function listAttendedSeats(db: Tx | Knex, eventId: number, minSeconds: number): Promise<AttendedSeat[]> {
  const rows = await attendedQuery(db, eventId, minSeconds).select('a.id', 'a.booking_id', 'a.name', 'a.email', 'a.checked_in_at', 'a.joined_at', 'a.personal_data_removed_at').orderBy('a.id');
  return rows.map(toSeat);
}

export async function hasAttended(db: Tx | Knex, event: EventRecord, attendeeId: number): Promise<boolean> {
  const settings = await getCertificateSettings(db, event);
  const row = await attendedQuery(db, event.id, minOnlineMinutes(settings, event) * 60).where('a.id', attendeeId).first('a.id');
  return row !== undefined;
}

/** One person of a report, as the preview shows them. */
export interface PreviewRow {
  name: string;
  email: string;
  minutes: number;
  lines: string;
  /** The seat it matched (an active seat of a confirmed booking with that email), if any. */
  attendeeId: number | null;
  seatName: string | null;
}

export interface AttendancePreview {
  matched: PreviewRow[];
  belowThreshold: PreviewRow[];
  unmatched: PreviewRow[];
  minMinutes: number;
}

export interface StoredPerson extends ReportPerson {
  attendeeId: number | null;
}

/** Each person of the report with the seat their email matches: normalised as bookings are, active seats of confirmed bookings only. */
async function matchPeople(db: Tx | Knex, eventId: number, people: ReportPerson[]): Promise<StoredPerson[]> {
  const emails = [...new Set(people.map((p) => p.email).filter(Boolean))];
  const seats = new Map<string, number>();
  for (let i = 0; i < emails.length; i += 500) {
    const rows = await db('attendees as a')
      .join('bookings as b', 'b.id', 'a.booking_id')
      .where('a.event_id', eventId)
      .where('a.status', 'active')
      .where('b.status', 'confirmed')
      .whereIn('a.email_normalised', emails.slice(i, i + 500))
      .select('a.id', 'a.email_normalised')
      .orderBy('a.id');
    for (const r of rows) if (!seats.has(String(r.email_normalised))) seats.set(String(r.email_normalised), Number(r.id));
  }
  return people.map((p) => ({ ...p, attendeeId: p.email ? (seats.get(p.email) ?? null) : null }));
}

export async function previewOf(db: Tx | Knex, people: StoredPerson[], minSeconds: number): Promise<AttendancePreview> {
  const ids = people.map((p) => p.attendeeId).filter((id): id is number => id !== null);
  const names = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 500) {
    for (const r of await db('attendees').whereIn('id', ids.slice(i, i + 500)).select('id', 'name')) names.set(Number(r.id), String(r.name));
  }
  const row = (p: StoredPerson): PreviewRow => ({
    name: p.name,
    email: p.email,
    minutes: Math.floor(p.seconds / 60),
    lines: p.lines.join(', '),
    attendeeId: p.attendeeId,
    seatName: p.attendeeId === null ? null : (names.get(p.attendeeId) ?? null),
  });
  const byName = (a: PreviewRow, b: PreviewRow) => a.name.localeCompare(b.name, 'en-GB');
  return {
    matched: people.filter((p) => p.attendeeId !== null && p.seconds >= minSeconds).map(row).sort(byName),
    belowThreshold: people.filter((p) => p.attendeeId !== null && p.seconds < minSeconds).map(row).sort(byName),
    unmatched: people.filter((p) => p.attendeeId === null).map(row).sort(byName),
    minMinutes: Math.round(minSeconds / 60),
  };
}

export type StagedUpload = { id: number; source: ParsedReport['source']; preview: AttendancePreview } | { id: null; problems: ParsedReport['problems'] };

/**
 * The first step of an attendance upload: reads the report and, if every row is good, keeps it waiting (`pending`)
 * with each person matched to a seat; nothing is recorded. A file with any problem is refused whole, with its line
 * numbers. A newer upload for the event replaces a waiting one.
 */
export async function stageAttendanceUpload(db: Knex, actor: Actor, event: EventRecord, file: { filename: string; data: Uint8Array }, now: Date): Promise<StagedUpload> {
  const parsed = parseAttendanceReport(file.data);
  if (parsed.problems.length > 0) return { id: null, problems: parsed.problems };
  return writeTransaction(db, async (trx) => {
    // Uploads of one event one at a time (PostgreSQL; SQLite has one writer): two sent at once each discarded the
    // waiting ones they could see and both stayed waiting, and recording both raced on the same seats.
    await lockRow(trx, 'events', event.id);
    const settings = await getCertificateSettings(trx, event);
    const minSeconds = minOnlineMinutes(settings, event) * 60;
    const people = await matchPeople(trx, event.id, parsed.people);
    await trx('attendance_uploads').where({ event_id: event.id, status: 'pending' }).update({ status: 'discarded' });
    const [inserted] = await trx('attendance_uploads')
      .insert({ event_id: event.id, source: parsed.source ?? 'zoom', filename: file.filename.slice(0, 200), rows: JSON.stringify(people), min_seconds: minSeconds, status: 'pending', user_id: actor.id, created_at: toDbTime(now) })
      .returning('id');
    const id = Number(typeof inserted === 'object' ? inserted.id : inserted);
    return { id, source: parsed.source, preview: await previewOf(trx, people, minSeconds) };
  });
}

export async function findPendingUpload(db: Tx | Knex, eventId: number): Promise<{ id: number; filename: string; source: string; preview: AttendancePreview } | null> {
  const row = await db('attendance_uploads').where({ event_id: eventId, status: 'pending' }).orderBy('id', 'desc').first('id', 'filename', 'source', 'rows', 'min_seconds');
  if (!row) return null;
  return { id: Number(row.id), filename: String(row.filename), source: String(row.source), preview: await previewOf(db, JSON.parse(String(row.rows)) as StoredPerson[], Number(row.min_seconds)) };
}

export interface RecordedAttendance {
  matched: number;
  belowThreshold: number;
  unmatched: number;
}

const uploadGone = () => new ConflictError('attendance_upload_gone', 'That attendance upload was already recorded, or a newer upload replaced it. Upload the file again.');

/**
 * Records a waiting upload, once: each matched person's time online is kept with their seat (the longer, when a seat
 * already has a time from an earlier upload), whether above the minimum or not, so the preview's counts and the
 * certificates agree. Seats matched when the preview was made but since cancelled are left out. Audited.
 */
export async function recordAttendanceUpload(db: Knex, actor: Actor, event: EventRecord, uploadId: number, now: Date): Promise<RecordedAttendance> {
  return writeTransaction(db, async (trx) => {
    await lockRow(trx, 'events', event.id);
    const changed = await trx('attendance_uploads').where({ id: uploadId, event_id: event.id, status: 'pending' }).update({ status: 'recorded', recorded_at: toDbTime(now) });
    if (changed !== 1) throw uploadGone();
    const row = await trx('attendance_uploads').where({ id: uploadId }).first('rows', 'min_seconds', 'filename');
    const people = await matchPeople(trx, event.id, JSON.parse(String(row.rows)) as StoredPerson[]);
    const minSeconds = Number(row.min_seconds);
    for (const p of people) {
      if (p.attendeeId === null) continue;
      const existing = await trx('online_attendance').where({ attendee_id: p.attendeeId }).first('seconds');
      if (!existing) await trx('online_attendance').insert({ attendee_id: p.attendeeId, event_id: event.id, seconds: p.seconds, upload_id: uploadId, recorded_at: toDbTime(now) });
      else if (Number(existing.seconds) < p.seconds) await trx('online_attendance').where({ attendee_id: p.attendeeId }).update({ seconds: p.seconds, upload_id: uploadId, recorded_at: toDbTime(now) });
    }
    const result = {
      matched: people.filter((p) => p.attendeeId !== null && p.seconds >= minSeconds).length,
      belowThreshold: people.filter((p) => p.attendeeId !== null && p.seconds < minSeconds).length,
      unmatched: people.filter((p) => p.attendeeId === null).length,
    };
    await recordAudit(trx, actor, { action: 'attendance_recorded', targetType: 'event', targetId: event.id, details: { file: String(row.filename), minMinutes: Math.round(minSeconds / 60), ...result } }, now);
    return result;
  });
}
