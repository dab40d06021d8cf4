import type { ServiceContext } from '../context';
import type { SeatView } from '../bookings/seats';
import { loadBookingView } from '../bookings/view';
import { recordAudit, type Actor } from '../admin/audit/log';
import { writeTransaction } from '../db/dialect';
import { findEventById } from '../events/queries';
import type { EventRecord } from '../events/types';
import { contactEmailFor } from '../events/terms';
import { ConflictError, ForbiddenError } from '../lib/errors';
import { unprintableCharacters } from '../lib/pdf-glyphs';
import { formatDate } from '../lib/time';
import { hasAttended } from './attendance';
import { normaliseCode } from './codes';
import { verifyUrl } from './links';
import { renderCertificatePdf, certificateWhen, cpdHoursText, unprintableMessage, type CertificateContent } from './pdf';
import { correctCertificateName, ensureCertificate, findCertificateByCode, findCertificateById, findCertificateForSeat, markFirstDownload, type CertificateRecord } from './queries';
import { getCertificateSettings, type CertificateSettings } from './settings';

/** Why a seat has no certificate (each answers 403 `certificate_not_available` on download, with its own sentence). */
export type CertificateRefusal = 'event_cancelled' | 'no_place' | 'not_ended' | 'not_offered' | 'hours_not_set' | 'not_attended';

export type SeatCertificate =
  | { state: 'available'; certificate: CertificateRecord; settings: CertificateSettings }
  | { state: 'refused'; reason: CertificateRefusal; message: string };

function refusalMessage(ctx: ServiceContext, reason: CertificateRefusal, event: EventRecord): string {
  switch (reason) {
    case 'event_cancelled':
      return 'This event was cancelled, so there is no certificate of attendance for it.';
    case 'no_place':
      return 'This place was cancelled, or never confirmed (waitlisted or unpaid), so there is no certificate for it.';
    case 'not_ended':
      return `Certificates of attendance are issued after the event ends (${formatDate(event.endsAt, event.timezone)}). We will email you a link to yours.`;
    case 'not_offered':
      return 'This event does not issue certificates of attendance.';
    case 'hours_not_set':
      return 'The organisers have not yet set the CPD hours for this event. We will email you a link to your certificate when it is ready.';
    case 'not_attended':
      return `Our records do not show this place as attended (checked in at the door, or present online). If you attended, write to ${contactEmailFor(event, ctx.config)}.`;
  }
}

/**
 * Whether this seat has a certificate, and if so the certificate (made now, with its code, if the job has not made it
 * yet). Only an active seat of a confirmed booking, of an event that has ended and issues certificates with its CPD
 * hours set, that attended (certificates/attendance.ts).
 */
export async function certificateForSeat(ctx: ServiceContext, view: Pick<SeatView, 'event' | 'booking' | 'seat'>): Promise<SeatCertificate> {
  const { event, booking, seat } = view;
  const refuse = (reason: CertificateRefusal): SeatCertificate => ({ state: 'refused', reason, message: refusalMessage(ctx, reason, event) });
  if (event.status === 'cancelled') return refuse('event_cancelled');
  if (seat.status !== 'active' || booking.status !== 'confirmed') return refuse('no_place');
  if (ctx.clock.now().getTime() < event.endsAt.getTime()) return refuse('not_ended');
  const settings = await getCertificateSettings(ctx.db, event);
  if (!settings.issuesCertificates) return refuse('not_offered');
  if (settings.cpdMinutes <= 0) return refuse('hours_not_set');
  if (!(await hasAttended(ctx.db, event, seat.id))) return refuse('not_attended');
  const certificate = (await findCertificateForSeat(ctx.db, seat.id)) ?? (await writeTransaction(ctx.db, (trx) => ensureCertificate(trx, { attendeeId: seat.id, eventId: event.id, name: seat.name }, ctx.clock.now())));
  return { state: 'available', certificate, settings };
}

export function certificateContent(ctx: ServiceContext, certificate: CertificateRecord, event: EventRecord, settings: CertificateSettings): CertificateContent {
  return {
    name: certificate.name,
    eventTitle: event.title,
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    timezone: event.timezone,
    cpdMinutes: settings.cpdMinutes,
    topics: settings.topics,
    orgName: ctx.config.orgName,
    code: certificate.code,
    verifyUrl: verifyUrl(ctx.config, certificate.code),
    issuedAt: certificate.issuedAt,
  };
}

/** The characters of the certificate's name that its font cannot print, as the sentence the attendee sees; null when all print. */
export function unprintableNameMessage(name: string): string | null {
  const characters = unprintableCharacters(name);
  return characters.length > 0 ? unprintableMessage(characters) : null;
}

/**
 * The certificate's PDF, for the person holding the seat; the first download fixes the name. Throws 403
 * `certificate_not_available`, or 409 `certificate_name_unprintable` while the name holds characters the PDF's font
 * cannot draw (they would print as empty boxes), before anything is fixed.
 * The first download is marked before the name is read and drawn: a correction that comes while the PDF is being
 * made is then refused, so the PDF, the stored name and the verification page always agree.
 */
export async function downloadCertificate(ctx: ServiceContext, view: SeatView): Promise<{ pdf: Buffer; filename: string }> {
  const found = await certificateForSeat(ctx, view);
  if (found.state === 'refused') throw new ForbiddenError('certificate_not_available', found.message);
  const unprintable = unprintableNameMessage(found.certificate.name);
  if (unprintable) throw new ConflictError('certificate_name_unprintable', `${unprintable}. Correct the name on your certificate page, then download it.`);
  await markFirstDownload(ctx.db, found.certificate.id, ctx.clock.now());
  const certificate = await findCertificateById(ctx.db, found.certificate.id);
  if (!certificate) throw new Error(`certificate ${found.certificate.id} vanished while it was being downloaded`);
  const pdf = await renderCertificatePdf(certificateContent(ctx, certificate, view.event, found.settings));
  return { pdf, filename: `certificate-${view.event.slug}.pdf` };
}

/** Who corrected a name, for the audit log: a role and an id, never an email. */
const actorOf = (view: SeatView): Actor => ({ id: null, email: view.actor === 'holder' ? `attendee of seat ${view.seat.id}` : `buyer of booking ${view.booking.reference}` });

/**
 * Corrects the spelling of the name printed on the certificate, until its first download (then 409
 * `certificate_name_locked`); audited (`certificate_name_corrected`) in the same transaction.
 */
export async function correctNameOnCertificate(ctx: ServiceContext, view: SeatView, name: string): Promise<void> {
  const found = await certificateForSeat(ctx, view);
  if (found.state === 'refused') throw new ForbiddenError('certificate_not_available', found.message);
  const locked = () => new ConflictError('certificate_name_locked', `The certificate has already been downloaded, so its name can no longer be changed here. Write to ${contactEmailFor(view.event, ctx.config)} if it is wrong.`);
  if (found.certificate.firstDownloadedAt) throw locked();
  if (found.certificate.name === name) return;
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    if (!(await correctCertificateName(trx, found.certificate.id, name, now))) throw locked();
    await recordAudit(trx, actorOf(view), { action: 'certificate_name_corrected', targetType: 'attendee', targetId: view.seat.id, details: { from: found.certificate.name, to: name } }, now);
  });
}

/** What the public verification page shows for a real code. */
export interface VerifiedCertificate {
  name: string;
  eventTitle: string;
  when: string;
  hours: string;
  topics: string;
  orgName: string;
}

/**
 * A certificate by its code as typed (spaces, dashes and case ignored), or null: unknown, altered or malformed alike,
 * and also a certificate its holder could no longer download (the place cancelled since, the event cancelled, the
 * attendance withdrawn): the page and the download follow the one rule, `certificateForSeat`.
 */
export async function verifyCertificate(ctx: ServiceContext, typed: string): Promise<VerifiedCertificate | null> {
  const code = normaliseCode(typed);
  if (!code) return null;
  const certificate = await findCertificateByCode(ctx.db, code);
  const event = certificate && (await findEventById(ctx.db, certificate.eventId));
  if (!certificate || !event) return null;
  const seatRow = (await ctx.db('attendees').where({ id: certificate.attendeeId }).first('booking_id')) as { booking_id: number } | undefined;
  const view = seatRow && (await loadBookingView(ctx.db, Number(seatRow.booking_id)));
  const seat = view?.attendees.find((a) => a.id === certificate.attendeeId);
  if (!view || !seat || (await certificateForSeat(ctx, { event, booking: view.booking, seat })).state !== 'available') return null;
  const settings = await getCertificateSettings(ctx.db, event);
  return { name: certificate.name, eventTitle: event.title, when: certificateWhen(event), hours: cpdHoursText(settings.cpdMinutes), topics: settings.topics, orgName: ctx.config.orgName };
}
