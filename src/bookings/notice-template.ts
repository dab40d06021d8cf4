import { z } from 'zod';
import type { ServiceContext } from '../context';
import { defineTemplate } from '../mail/templates';
import { BOOKING_NOTICE_TEMPLATE, renderBookingNotice, type BookingNotice, type BookingNoticePayload } from './notifications';

// Every notice, listed once: a notice added to the type without being added here fails the type check.
const NOTICES = { confirmed: true, promoted: true, waitlisted: true, offered: true, cancelled: true, resent: true, updated: true, event_cancelled: true, passed_on: true } satisfies Record<BookingNotice, true>;

const payloadSchema = z.object({
  notice: z.enum(Object.keys(NOTICES) as [BookingNotice, ...BookingNotice[]]),
  bookingId: z.number().int(),
  recipientId: z.number().int().optional(),
  attendeeIds: z.array(z.number().int()),
  method: z.enum(['REQUEST', 'CANCEL']).optional(),
  sequence: z.number().int(),
  isBuyer: z.boolean(),
  waitlistPosition: z.number().int().optional(),
  note: z.string().optional(),
  payUrl: z.string().optional(),
  holdUntil: z.string().optional(),
  former: z.object({ name: z.string(), email: z.string() }).optional(),
  previous: z.object({ startsAt: z.string(), endsAt: z.string(), venue: z.string(), address: z.string() }).optional(),
  money: z.object({ kind: z.enum(['receipt', 'pro_forma']), lines: z.array(z.object({ label: z.string(), amount: z.number().int() })), total: z.number().int() }).optional(),
}) satisfies z.ZodType<BookingNoticePayload>;

/** The outbox's renderer for booking notices (see notifications.ts): registered where the app is composed. */
export const bookingNoticeTemplate = defineTemplate<ServiceContext, BookingNoticePayload>({
  name: BOOKING_NOTICE_TEMPLATE,
  schema: payloadSchema,
  render: renderBookingNotice,
});
