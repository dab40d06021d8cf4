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

/** The second step of sign-in: six digits from the app, or a recovery code (XXXX-XXXX-XXXX-XXXX). */
export const codeSchema = z.object({
  code: z.string({ message: 'Enter the code from your app' }).trim().min(1, 'Enter the code from your app').max(40, 'Enter the 6-digit code from your app, or a recovery code'),
});

/** Setting up two-factor: the first code the app shows proves it has the secret. */
export const enrolmentCodeSchema = z.object({
  code: z
    .string({ message: 'Enter the 6-digit code from your app' })
    .transform((v) => v.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'Enter the 6-digit code from your app')),
});

export const forgotPasswordSchema = z.object({
  email: signInSchema.shape.email,
});

/** The token of a set-password link: 43 base64url characters; anything else is a link that opens nothing. */
export const linkTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/);
