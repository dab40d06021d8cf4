import { z } from 'zod';
import { multiLineText, singleLineText } from '../../lib/text';

export const messageFormSchema = z.object({
  audience: z.enum(['attendees', 'waitlist'], { message: 'Choose who gets the message' }),
  subject: singleLineText(200, { notText: 'Enter a subject', tooLong: 'Keep the subject under 200 characters' }).min(1, 'Enter a subject'),
  body: multiLineText(10000, { notText: 'Write the message', tooLong: 'Keep the message under 10,000 characters' }).min(1, 'Write the message'),
});

export type MessageInput = z.infer<typeof messageFormSchema>;

/**
 * The preview page's Send button: the message as previewed, the number of people the organiser agreed to email, and
 * the send key the preview made (base64url, lib/tokens.ts), which makes a second press send nothing more.
 */
export const messageSendSchema = messageFormSchema.extend({
  sendKey: z.string().regex(/^[A-Za-z0-9_-]{20,64}$/, 'Preview the message before sending it'),
  expected: z.coerce.number().int().min(0).max(1_000_000),
});

export type MessageSendInput = z.infer<typeof messageSendSchema>;
