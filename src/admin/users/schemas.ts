import { z } from 'zod';
import { ROLES } from '../auth/roles';

export const roleSchema = z.enum(ROLES, { message: 'Choose a role' });

/** The invitation form (and `users:invite` on the command line). */
export const inviteSchema = z.object({
  name: z.string({ message: 'Enter their name' }).trim().min(1, 'Enter their name').max(200, 'Use at most 200 characters'),
  email: z.string({ message: 'Enter their email address' }).trim().min(1, 'Enter their email address').max(254, 'Use at most 254 characters').pipe(z.email('Enter an email address like name@example.org')),
  role: roleSchema,
});

export const roleFormSchema = z.object({ role: roleSchema });

/** The "require two-factor" setting's form: a checkbox, so absent means off. */
export const requirementFormSchema = z.object({ required: z.literal('on').optional() }).transform((v) => ({ required: v.required === 'on' }));
