import { z } from 'zod';
import { eventSummary } from '../../bookings';
import type { ServiceContext } from '../../context';
import { findEventById } from '../../events/queries';
import type { EmailContent } from '../../mail/outbox';
import { defineTemplate } from '../../mail/templates';
import { findStaffMessage } from './queries';

export const STAFF_MESSAGE_TEMPLATE = 'staff_message';

/** One person's copy of an organiser's message: the text is the recorded message, read when it is sent. */
const payloadSchema = z.object({
  messageId: z.number().int(),
  name: z.string(),
});

export type StaffMessagePayload = z.infer<typeof payloadSchema>;

export async function renderStaffMessage(ctx: ServiceContext, payload: StaffMessagePayload): Promise<EmailContent> {
  const message = await findStaffMessage(ctx.db, payload.messageId);
  const event = message && (await findEventById(ctx.db, message.eventId));
  if (!message || !event) throw new Error(`staff message ${payload.messageId} or its event is gone: it cannot be rendered`);
  return ctx.emails.render('staff-message', { name: payload.name, message: message.body, event: eventSummary(ctx, event) });
}

export const staffMessageTemplate = defineTemplate<ServiceContext, StaffMessagePayload>({
  name: STAFF_MESSAGE_TEMPLATE,
  schema: payloadSchema,
  render: renderStaffMessage,
});
