import type { Knex } from 'knex';
import type { Tx } from '../db/connect';
import { fromDbTime, fromDbTimeOrNull, toDbTime } from '../lib/time';
import { newVerificationCode } from './codes';

export interface CertificateRecord {
  id: number;
  attendeeId: number;
  eventId: number;
  /** Stored normalised (lib: codes.ts); printed in groups of five. */
  code: string;
  /** The name printed: the attendee's at issue, as they corrected it since. */
  name: string;
  issuedAt: Date;
  emailQueuedAt: Date | null;
  firstDownloadedAt: Date | null;
  nameCorrectedAt: Date | null;
}

const COLUMNS = ['id', 'attendee_id', 'event_id', 'code', 'name', 'issued_at', 'email_queued_at', 'first_downloaded_at', 'name_corrected_at'];

function toCertificate(row: Record<string, unknown>): CertificateRecord {
  return {
    id: Number(row.id),
    attendeeId: Number(row.attendee_id),
    eventId: Number(row.event_id),
    code: String(row.code),
    name: String(row.name),
    issuedAt: fromDbTime(row.issued_at),
    emailQueuedAt: fromDbTimeOrNull(row.email_queued_at),
    firstDownloadedAt: fromDbTimeOrNull(row.first_downloaded_at),
    nameCorrectedAt: fromDbTimeOrNull(row.name_corrected_at),
  };
}

export async function findCertificateForSeat(db: Tx | Knex, attendeeId: number): Promise<CertificateRecord | null> {
  const row = await db('certificates').select(COLUMNS).where({ attendee_id: attendeeId }).first();
  return row ? toCertificate(row) : null;
}

export async function findCertificateById(db: Tx | Knex, id: number): Promise<CertificateRecord | null> {
  const row = await db('certificates').select(COLUMNS).where({ id }).first();
  return row ? toCertificate(row) : null;
}

export async function findCertificateByCode(db: Tx | Knex, code: string): Promise<CertificateRecord | null> {
  const row = await db('certificates').select(COLUMNS).where({ code }).first();
  return row ? toCertificate(row) : null;
}

/** The seat's certificate, made now with a new code if it has none (two callers at once: one insert wins, both read it). */
export async function ensureCertificate(db: Tx, seat: { attendeeId: number; eventId: number; name: string }, now: Date): Promise<CertificateRecord> {
  await db('certificates')
    .insert({ attendee_id: seat.attendeeId, event_id: seat.eventId, code: newVerificationCode(), name: seat.name, issued_at: toDbTime(now) })
    .onConflict('attendee_id')
    .ignore();
  const found = await findCertificateForSeat(db, seat.attendeeId);
  if (!found) throw new Error(`certificate for seat ${seat.attendeeId} was neither inserted nor found`);
  return found;
}

/** Marks the certificate's email as queued, once: true only for the caller that changed it. */
export async function claimCertificateEmail(db: Tx, id: number, now: Date): Promise<boolean> {
  return (await db('certificates').where({ id }).whereNull('email_queued_at').update({ email_queued_at: toDbTime(now) })) === 1;
}

export async function markFirstDownload(db: Tx | Knex, id: number, now: Date): Promise<void> {
  await db('certificates').where({ id }).whereNull('first_downloaded_at').update({ first_downloaded_at: toDbTime(now) });
}

/** Changes the printed name while the certificate has never been downloaded; true when it did. */
export async function correctCertificateName(db: Tx, id: number, name: string, now: Date): Promise<boolean> {
  return (await db('certificates').where({ id }).whereNull('first_downloaded_at').update({ name, name_corrected_at: toDbTime(now) })) === 1;
}
