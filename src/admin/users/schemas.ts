import { z } from 'zod';
import { ROLES } from '../auth/roles';

export const roleSchema = z.enum(ROLES, { message: 'Choose a role' });

/**
 * No control characters (C0, DEL, C1) and no bidirectional overrides or isolates in a name: it is shown on pages, in
 * the audit log and in an email's To header (Unicode TR #9 for the overrides).
 */
function isPlainText(text: string): boolean {
  for (const char of text) {
    const c = char.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return false;
  }
  return true;
}

/** The invitation form (and `users:invite` on the command line). */
export const inviteSchema = z.object({
  name: z
    .string({ message: 'Enter their name' })
    .trim()
    .min(1, 'Enter their name')
    .max(200, 'Use at most 200 characters')
    .refine(isPlainText, 'Use letters, numbers, spaces and punctuation only')
    .transform((v) => v.normalize('NFC')),
  email: z.string({ message: 'Enter their email address' }).trim().min(1, 'Enter their email address').max(254, 'Use at most 254 characters').pipe(z.email('Enter an email address like name@example.org')),
  role: roleSchema,
});

export const roleFormSchema = z.object({ role: roleSchema });

/** The "require two-factor" setting's form: a checkbox, so absent means off. */
export const requirementFormSchema = z.object({ required: z.literal('on').optional() }).transform((v) => ({ required: v.required === 'on' }));
