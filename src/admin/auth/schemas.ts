import { z } from 'zod';
import { singleLineText } from '../../lib/text';

export const signInSchema = z.object({
  email: singleLineText(254, { tooLong: 'Enter your email address' }).min(1, 'Enter your email address').pipe(z.email('Enter an email address like name@example.org')),
  password: z.string().min(1, 'Enter your password').max(1000, 'That password is too long'),
});

/** Where to go after sign-in: only a path inside the staff area, never another site. */
export const nextPathSchema = z
  .string()
  .regex(/^\/admin(\/[A-Za-z0-9\-._~%/?=&]*)?$/)
  .refine((p) => !p.includes('//'))
  .catch('/admin');
