import { z } from 'zod';

export const messageFormSchema = z.object({
  audience: z.enum(['attendees', 'waitlist'], { message: 'Choose who gets the message' }),
  subject: z.string({ message: 'Enter a subject' }).trim().min(1, 'Enter a subject').max(200, 'Keep the subject under 200 characters'),
  body: z.string({ message: 'Write the message' }).trim().min(1, 'Write the message').max(10000, 'Keep the message under 10,000 characters'),
});

export type MessageInput = z.infer<typeof messageFormSchema>;
