import { z } from 'zod';
import { eventSummary } from '../bookings/notifications';
import { findBookingById, listAttendees } from '../bookings/queries';
import type { ServiceContext } from '../context';
import { findEventById } from '../events/queries';
import { attendeeSurveyUrl } from '../feedback/links';
import type { EmailContent, SkippedEmail } from '../mail/outbox';
import { defineTemplate } from '../mail/templates';
import { formatCode } from './codes';
import { certificatePageUrl, verifyUrl } from './links';
import { cpdHoursText } from './pdf';
import { findCertificateById } from './queries';
import { getCertificateSettings } from './settings';

export const CERTIFICATE_TEMPLATE = 'certificate_ready';

const payloadSchema = z.object({ certificateId: z.number().int().positive() });
export type CertificatePayload = z.infer<typeof payloadSchema>;

export function certificateSubject(eventTitle: string): string {
  return `Your certificate of attendance: ${eventTitle}`.slice(0, 300);
}

/**
 * "Your certificate is ready": a link to the certificate page (download it, correct the name first if need be), the
 * verification code, and the feedback survey when the event has one open. The link rather than an attachment: the
 * name can still be corrected before the first download, and the page always gives the current PDF. Rendered when
 * sent; a seat cancelled since it was queued gets nothing.
 */
export async function renderCertificateEmail(ctx: ServiceContext, payload: CertificatePayload): Promise<EmailContent | SkippedEmail> {
  const certificate = await findCertificateById(ctx.db, payload.certificateId);
  if (!certificate) return { skip: `certificate ${payload.certificateId} no longer exists` };
  const event = await findEventById(ctx.db, certificate.eventId);
  const seat = (await ctx.db('attendees').where({ id: certificate.attendeeId }).first('booking_id')) as { booking_id: number } | undefined;
  const booking = seat && (await findBookingById(ctx.db, Number(seat.booking_id)));
  const attendee = booking && (await listAttendees(ctx.db, booking.id)).find((a) => a.id === certificate.attendeeId);
  if (!event || !booking || !attendee) return { skip: `the seat of certificate ${certificate.id} no longer exists` };
  if (attendee.status !== 'active' || booking.status !== 'confirmed') return { skip: `the seat of certificate ${certificate.id} was cancelled` };
  const settings = await getCertificateSettings(ctx.db, event);
  return ctx.emails.render('certificate-ready', {
    name: certificate.name,
    event: eventSummary(ctx, event),
    hours: cpdHoursText(settings.cpdMinutes),
    certificateUrl: certificatePageUrl(ctx.config, booking.reference, attendee),
    code: formatCode(certificate.code),
    verifyUrl: verifyUrl(ctx.config, certificate.code),
    surveyUrl: await attendeeSurveyUrl(ctx, { event, reference: booking.reference, seat: attendee }),
  });
}

export const certificateTemplate = defineTemplate<ServiceContext, CertificatePayload>({ name: CERTIFICATE_TEMPLATE, schema: payloadSchema, render: renderCertificateEmail });
