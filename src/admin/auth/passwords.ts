import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { z } from 'zod';
import { normaliseEmail } from '../../lib/email';

/** NIST SP 800-63B §5.1.1.2 asks for at least 8 characters; we ask 12, as OWASP's Authentication Cheat Sheet does. */
export const MIN_PASSWORD_LENGTH = 12;
/** Long passphrases are welcome (NIST: allow at least 64); the bound only keeps hashing cheap to refuse abuse. */
export const MAX_PASSWORD_LENGTH = 256;

/** argon2id with OWASP's minimum parameters, set explicitly: the library's own default memory is far lower. */
const PARAMS = { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

/**
 * False for a wrong password. A stored hash that cannot be read (a damaged row) throws: that is a fault for the
 * error handler to log, not a wrong password that would lock the person out without anyone knowing why.
 */
export function verifyPassword(stored: string, password: string): Promise<boolean> {
  return verify(stored, password);
}

/** What the new-password fields say under their label. */
export const PASSWORD_HINT = `At least ${MIN_PASSWORD_LENGTH} characters, spaces allowed. A few unrelated words make a good password; a password manager makes a better one.`;

let dummy: Promise<string> | undefined;

/** Spends the same effort as a real check, so an unknown email cannot be told apart by timing. */
export async function verifyAgainstNobody(password: string): Promise<false> {
  dummy ??= hashPassword('no-such-user-placeholder-password');
  await verifyPassword(await dummy, password);
  return false;
}

/**
 * Why a new password is refused, or null: the rules of NIST SP 800-63B §5.1.1.2 that fit a small service. Any
 * characters, spaces included; no composition rules; at least 12 and at most 256 characters; not the account's own
 * email address or the part before the @, and not one character repeated (context-specific words the guideline
 * names). There is no breached-password list here: the service makes no network calls for it.
 */
export function passwordProblem(password: string, email: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters. A few unrelated words make a good password.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Use at most ${MAX_PASSWORD_LENGTH} characters.`;
  const lowered = password.trim().toLowerCase();
  const address = normaliseEmail(email);
  if (lowered === address || lowered === address.split('@')[0]) return 'Do not use your email address as your password.';
  if (new Set(password).size === 1) return 'Do not use one character over and over.';
  return null;
}

/**
 * The new-password form: `password` and `confirm` must match and pass passwordProblem for this email. Errors are on
 * `password` and `confirm`, for the fields of the form.
 */
export function newPasswordSchema(email: string) {
  return z
    .object({
      password: z.string({ message: 'Choose a password' }).min(1, 'Choose a password').max(10_000, `Use at most ${MAX_PASSWORD_LENGTH} characters.`),
      confirm: z.string({ message: 'Type the password again' }).max(10_000).default(''),
    })
    .superRefine((value, issues) => {
      const problem = passwordProblem(value.password, email);
      if (problem) issues.addIssue({ code: 'custom', path: ['password'], message: problem });
      else if (value.confirm !== value.password) issues.addIssue({ code: 'custom', path: ['confirm'], message: 'The two passwords are not the same. Type it again.' });
    });
}
