import type { Config } from '../config';
import type { ServiceContext } from '../context';
import type { EventRecord } from '../events/types';
import { seatLinkToken, type SeatForLink } from '../certificates/links';
import { getSurveySettings } from './survey';

/** The seat's own feedback page (opened with the seat's link, or the booking's for an older seat). */
export function surveyUrl(config: Config, reference: string, seat: SeatForLink): string {
  return `${config.publicUrl}/bookings/${reference}/seats/${seat.id}/feedback?token=${seatLinkToken(config, reference, seat)}`;
}

/**
 * The attendee's survey link for an email (the certificate email; the thank-you email after the event adds it at
 * merge), or null when the event's survey is switched off.
 */
export async function attendeeSurveyUrl(ctx: ServiceContext, input: { event: Pick<EventRecord, 'id'>; reference: string; seat: SeatForLink }): Promise<string | null> {
  const settings = await getSurveySettings(ctx.db, input.event.id);
  return settings.isOpen ? surveyUrl(ctx.config, input.reference, input.seat) : null;
}
