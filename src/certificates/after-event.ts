import type { BookingView } from '../bookings/view';
import type { ServiceContext } from '../context';
import { surveyRefusal } from '../feedback/responses';
import { getSurveySettings } from '../feedback/survey';
import { certificateForSeat } from './service';

export interface AfterEventLink {
  name: string;
  certificatePath: string | null;
  surveyPath: string | null;
}

/**
 * What the booking page offers each place once the event has started: its certificate (once it has one) and the
 * feedback survey (while open). Paths carry the token the page was opened with (the booking's, which opens every
 * seat of it). Empty before the start, and for a booking without a confirmed place.
 */
export async function afterEventLinks(ctx: ServiceContext, view: BookingView, token: string): Promise<AfterEventLink[]> {
  const now = ctx.clock.now();
  if (view.booking.status !== 'confirmed' || now.getTime() < view.event.startsAt.getTime()) return [];
  const survey = await getSurveySettings(ctx.db, view.event.id);
  const links: AfterEventLink[] = [];
  for (const seat of view.attendees.filter((a) => a.status === 'active')) {
    const base = `/bookings/${view.booking.reference}/seats/${seat.id}`;
    const certificate = await certificateForSeat(ctx, { event: view.event, booking: view.booking, seat });
    const canAnswer = surveyRefusal({ event: view.event, booking: view.booking, seat }, survey, now) === null;
    const link = {
      name: seat.name,
      certificatePath: certificate.state === 'available' ? `${base}/certificate?token=${encodeURIComponent(token)}` : null,
      surveyPath: canAnswer ? `${base}/feedback?token=${encodeURIComponent(token)}` : null,
    };
    if (link.certificatePath || link.surveyPath) links.push(link);
  }
  return links;
}
