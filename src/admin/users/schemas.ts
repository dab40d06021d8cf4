import { z } from 'zod';
import { singleLineText } from '../../lib/text';
import { ROLES } from '../auth/roles';

export const roleSchema = z.enum(ROLES, { message: 'Choose a role' });

/**
 * The invitation form (and `users:invite` on the command line). Name and address follow the one text rule
 * (lib/text.ts): NFC, trimmed, no control character, line break or bidi override (the name reaches an email's To
 * header and the audit log).
 */
export const inviteSchema = z.object({
  name: singleLineText(200, { notText: 'Enter their name', tooLong: 'Use at most 200 characters' }).min(1, 'Enter their name'),
  email: singleLineText(254, { notText: 'Enter their email address', tooLong: 'Use at most 254 characters' }).min(1, 'Enter their email address').pipe(z.email('Enter an email address like name@example.org')),
  role: roleSchema,
});

export const roleFormSchema = z.object({ role: roleSchema });

/** The "require two-factor" setting's form: a checkbox, so absent means off. */
export const requirementFormSchema = z.object({ required: z.literal('on').optional() }).transform((v) => ({ required: v.required === 'on' }));
