import type { Knex } from 'knex';
import type { Tx } from '../db/connect';
import type { EventRecord } from '../events/types';
import { toDbTime } from '../lib/time';

/** What an organiser sets for an event's certificates (`certificate_settings`; no row means the defaults). */
export interface CertificateSettings {
  issuesCertificates: boolean;
  /** CPD hours as whole minutes: 1.5 hours is 90. 0 means not set yet, and then no certificate is issued. */
  cpdMinutes: number;
  /** An optional line of topics or speakers printed on the certificate ('' for none). */
  topics: string;
  /** The fewest minutes an online attendee must appear in an attendance report; null means half the event's length. */
  minOnlineMinutes: number | null;
  /** True when nothing has been saved for the event: these are the defaults. */
  isDefault: boolean;
}

/** Certificates are on by default for seminars and conferences (CPD is why people come), off for evening meetings. */
export function defaultCertificateSettings(kind: EventRecord['kind']): CertificateSettings {
  return { issuesCertificates: kind !== 'evening_meeting', cpdMinutes: 0, topics: '', minOnlineMinutes: null, isDefault: true };
}

export async function getCertificateSettings(db: Tx | Knex, event: Pick<EventRecord, 'id' | 'kind'>): Promise<CertificateSettings> {
  const row = await db('certificate_settings').select('issues_certificates', 'cpd_minutes', 'topics', 'min_online_minutes').where({ event_id: event.id }).first();
  if (!row) return defaultCertificateSettings(event.kind);
  return {
    issuesCertificates: Boolean(row.issues_certificates),
    cpdMinutes: Number(row.cpd_minutes),
    topics: String(row.topics ?? ''),
    minOnlineMinutes: row.min_online_minutes === null || row.min_online_minutes === undefined ? null : Number(row.min_online_minutes),
    isDefault: false,
  };
}

export async function saveCertificateSettings(trx: Tx, eventId: number, settings: Omit<CertificateSettings, 'isDefault'>, now: Date): Promise<void> {
  const row = { issues_certificates: settings.issuesCertificates, cpd_minutes: settings.cpdMinutes, topics: settings.topics, min_online_minutes: settings.minOnlineMinutes, updated_at: toDbTime(now) };
  await trx('certificate_settings').insert({ event_id: eventId, ...row }).onConflict('event_id').merge(row);
}

/** The event's length in whole minutes (rounded down). */
export function eventMinutes(event: Pick<EventRecord, 'startsAt' | 'endsAt'>): number {
  return Math.max(0, Math.floor((event.endsAt.getTime() - event.startsAt.getTime()) / 60_000));
}

/** The fewest minutes online that count as attending: the organiser's figure, else half the event's length (rounded up). */
export function minOnlineMinutes(settings: CertificateSettings, event: Pick<EventRecord, 'startsAt' | 'endsAt'>): number {
  return settings.minOnlineMinutes ?? Math.ceil(eventMinutes(event) / 2);
}

/** "1.5", "2", "1.25": CPD hours as people write them, from whole minutes (at most two decimals). */
export function formatCpdHours(minutes: number): string {
  return String(Math.round((minutes / 60) * 100) / 100);
}

/**
 * CPD hours as typed ("1.5", "2", "0.75") to whole minutes, by string, never through a float: null when it is not a
 * number of hours up to two decimals that comes to whole minutes (1.33 hours is 79.8 minutes).
 */
export function parseCpdHours(text: string): number | null {
  const match = /^(\d{1,2})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const hundredths = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  if ((hundredths * 60) % 100 !== 0) return null;
  return (hundredths * 60) / 100;
}
