import { z } from 'zod';

export const signInSchema = z.object({
  email: z.string().trim().min(1, 'Enter your email address').max(254, 'Enter your email address').pipe(z.email('Enter an email address like name@example.org')),
  password: z.string().min(1, 'Enter your password').max(1000, 'That password is too long'),
});

/** Where to go after sign-in: only a path inside the staff area, never another site. */
export const nextPathSchema = z
  .string()
  .regex(/^\/admin(\/[A-Za-z0-9\-._~%/?=&]*)?$/)
  .refine((p) => !p.includes('//'))
  .catch('/admin');
