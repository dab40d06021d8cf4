import { z } from 'zod';
import { eventSummary } from '../../bookings';
import type { ServiceContext } from '../../context';
import { findEventById } from '../../events/queries';
import type { EventRecord } from '../../events/types';
import { manageUrl, seatUrl } from '../../lib/links';
import type { EmailContent } from '../../mail/outbox';
import { defineTemplate } from '../../mail/templates';
import { findSeatLink, findStaffMessage } from './queries';

export const STAFF_MESSAGE_TEMPLATE = 'staff_message';

/** One person's copy of an organiser's message: the text is the recorded message, read when it is sent. */
const payloadSchema = z.object({
  messageId: z.number().int(),
  name: z.string(),
  /** The booking through which this person is emailed, for their link; absent on emails queued before links were added. */
  reference: z.string().optional(),
  /** Their seat, when they are not the booking's buyer: they get the seat's own link, never the buyer's. */
  seatId: z.number().int().optional(),
});

export type StaffMessagePayload = z.infer<typeof payloadSchema>;

/** The outbox subject column holds 300 characters. */
const SUBJECT_MAX = 300;

/**
 * The subject people see: the event's title first, so the email is recognisable in an inbox ("Evening meeting:
 * waiting times: Room change"), unless the organiser already named it. A test send is marked "[TEST]".
 */
export function messageSubject(eventTitle: string, subject: string, isTest = false): string {
  const named = subject.toLowerCase().includes(eventTitle.toLowerCase()) ? subject : `${eventTitle}: ${subject}`;
  const full = `${isTest ? '[TEST] ' : ''}${named}`;
  return full.length > SUBJECT_MAX ? `${full.slice(0, SUBJECT_MAX - 1)}…` : full;
}

/** A first line that is already a greeting ("Dear all,", "Hello everyone", "Hi,"): then no "Dear name" is added above it. */
const OWN_GREETING = /^\s*(dear|hello|hi|hey|good (morning|afternoon|evening)|greetings)\b/i;

export function hasOwnGreeting(body: string): boolean {
  return OWN_GREETING.test(body.split('\n', 1)[0] ?? '');
}

/**
 * What the staff-message email views need for one person. `manageLink` is their own private link: the booking's for its
 * buyer, the seat's for someone a colleague booked for, none on a test send. `isPreview` shows it with its token
 * hidden: the organiser sees where it goes, not the person's private key to it.
 */
export function staffMessageModel(ctx: ServiceContext, event: EventRecord, body: string, name: string, link: string | null, options: { isPreview?: boolean; isTest?: boolean } = {}) {
  return {
    greeting: hasOwnGreeting(body) ? null : `Dear ${name},`,
    message: body,
    event: eventSummary(ctx, event),
    manageLink: link && options.isPreview ? link.replace(/token=.*$/, 'token=(their private key)') : link,
    isTest: options.isTest ?? false,
  };
}

/** The person's own link: the seat's when they hold a seat of someone else's booking (none if it has no link), else the booking's. */
export async function recipientLink(ctx: ServiceContext, reference: string | undefined, seatId: number | null | undefined): Promise<string | null> {
  if (!reference) return null;
  if (seatId === null || seatId === undefined) return manageUrl(ctx.config, reference);
  const seat = await findSeatLink(ctx.db, seatId);
  return seat ? seatUrl(ctx.config, reference, seat) : null;
}

export async function renderStaffMessage(ctx: ServiceContext, payload: StaffMessagePayload): Promise<EmailContent> {
  const message = await findStaffMessage(ctx.db, payload.messageId);
  const event = message && (await findEventById(ctx.db, message.eventId));
  if (!message || !event) throw new Error(`staff message ${payload.messageId} or its event is gone: it cannot be rendered`);
  // An email queued before links were added has no reference: it goes out as it would have, without one.
  const link = await recipientLink(ctx, payload.reference, payload.seatId);
  return ctx.emails.render('staff-message', staffMessageModel(ctx, event, message.body, payload.name, link));
}

export const staffMessageTemplate = defineTemplate<ServiceContext, StaffMessagePayload>({
  name: STAFF_MESSAGE_TEMPLATE,
  schema: payloadSchema,
  render: renderStaffMessage,
});
