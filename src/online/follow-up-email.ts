import { z } from 'zod';
import type { ServiceContext } from '../context';
import { findBookingById, listAttendees, onlineJoining, eventSummary, type AttendeeRecord, type BookingRecord } from '../bookings';
import { findEventById } from '../events/queries';
import type { EventRecord } from '../events/types';
import { contactEmailFor, refundTerms } from '../events/terms';
import { manageUrl, seatUrl } from '../lib/links';
import { normaliseEmail } from '../lib/email';
import type { EmailContent, SkippedEmail } from '../mail/outbox';
import { defineTemplate } from '../mail/templates';
import { listMaterials, materialLink, visibleTo } from './materials';
import { hasAttended } from '../certificates';
import { attendeeSurveyUrl } from '../feedback';

export const FOLLOW_UP_TEMPLATE = 'follow_up';

/** What the outbox keeps of a reminder or follow-up: which rule, for which seat. Everything else is read when it is sent. */
export interface FollowUpPayload {
  rule: 'reminder_early' | 'reminder_late' | 'thank_you' | 'missed_you';
  attendeeId: number;
  eventId: number;
}

const payloadSchema = z.object({
  rule: z.enum(['reminder_early', 'reminder_late', 'thank_you', 'missed_you']),
  attendeeId: z.number().int(),
  eventId: z.number().int(),
}) satisfies z.ZodType<FollowUpPayload>;

/** The seat's own private link: the booking's for its buyer, the seat's own for someone a colleague booked for. */
function ownLink(ctx: ServiceContext, booking: BookingRecord, seat: AttendeeRecord): string | null {
  if (normaliseEmail(seat.email) === normaliseEmail(booking.buyerEmail)) return manageUrl(ctx.config, booking.reference);
  return seat.manageTokenHash ? seatUrl(ctx.config, booking.reference, seat) : null;
}

/**
 * The one place that builds what a reminder, a thank-you or a "sorry we missed you" says to one attendee (the email
 * and the organiser's preview both use it). The thank-you and "sorry we missed you" carry the materials that attendee
 * may see, and the thank-you the event's feedback survey (issue 13). Who attended is the certificates' one definition:
 * checked in, joined online, or long enough in an uploaded attendance report.
 */
export async function followUpModel(ctx: ServiceContext, rule: FollowUpPayload['rule'], event: EventRecord, booking: BookingRecord, seat: AttendeeRecord) {
  const summary = eventSummary(ctx, event);
  const isReminder = rule === 'reminder_early' || rule === 'reminder_late';
  const attended = !isReminder && (await hasAttended(ctx.db, event, seat.id));
  const surveyUrl = rule === 'thank_you' ? await attendeeSurveyUrl(ctx, { event, reference: booking.reference, seat }) : null;
  const materials = isReminder ? [] : visibleTo(await listMaterials(ctx.db, event.id), attended ? 'attendee' : 'registrant').map((m) => materialLink(ctx.config, m, event.slug, seat.id));
  const terms = refundTerms(event, contactEmailFor(event, ctx.config));
  return {
    rule,
    isReminder,
    isThankYou: rule === 'thank_you',
    isMissedYou: rule === 'missed_you',
    name: seat.name,
    event: summary,
    // What this attendee needs to get there: the venue and its access, or their own joining link.
    online: isReminder ? await onlineJoining(ctx, event, seat) : null,
    reference: booking.reference,
    manageUrl: ownLink(ctx, booking, seat),
    // "Can't come?": releasing a place gives it to the waitlist; a paid booking's terms say what comes back.
    terms: isReminder && booking.total > 0 ? (booking.paymentMethod === 'invoice' ? terms.invoice : terms.card) : null,
    after: isReminder ? null : { materials, hasMaterials: materials.length > 0, surveyUrl },
  };
}

/**
 * Renders a queued reminder or follow-up from the seat, booking and event as they are now. A seat cancelled or moved
 * to the waitlist since, an event cancelled since, or a reminder for an event that has started is not sent at all
 * (the row is marked skipped): cancelled and waitlisted people get nothing, and cancelling an event drops them.
 */
export async function renderFollowUp(ctx: ServiceContext, payload: FollowUpPayload): Promise<EmailContent | SkippedEmail> {
  const event = await findEventById(ctx.db, payload.eventId);
  if (!event || event.status !== 'published') return { skip: 'the event is cancelled or no longer published' };
  const seatRow = await ctx.db('attendees').select('booking_id').where({ id: payload.attendeeId }).first();
  const booking = seatRow && (await findBookingById(ctx.db, Number(seatRow.booking_id)));
  const seat = booking && (await listAttendees(ctx.db, booking.id)).find((a) => a.id === payload.attendeeId);
  if (!booking || !seat || seat.status !== 'active' || booking.status !== 'confirmed') return { skip: 'the place is no longer confirmed' };
  if ((payload.rule === 'reminder_early' || payload.rule === 'reminder_late') && ctx.clock.now() >= event.startsAt) return { skip: 'the event has started' };
  return ctx.emails.render('follow-up', await followUpModel(ctx, payload.rule, event, booking, seat));
}

/** The outbox's renderer for reminders and follow-ups: registered where the app is composed. */
export const followUpTemplate = defineTemplate<ServiceContext, FollowUpPayload>({
  name: FOLLOW_UP_TEMPLATE,
  schema: payloadSchema,
  render: renderFollowUp,
});
