import { z } from 'zod';
import { multiLineText, singleLineText } from '../../lib/text';

export const messageFormSchema = z.object({
  audience: z.enum(['attendees', 'waitlist'], { message: 'Choose who gets the message' }),
  subject: singleLineText(200, { notText: 'Enter a subject', tooLong: 'Keep the subject under 200 characters' }).min(1, 'Enter a subject'),
  body: multiLineText(10000, { notText: 'Write the message', tooLong: 'Keep the message under 10,000 characters' }).min(1, 'Write the message'),
});

export type MessageInput = z.infer<typeof messageFormSchema>;
