import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base62 string; ids only need to be unique and look like Stripe's. */
export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** Lengths mimic Stripe's so that columns sized for real ids also fit these. */
const BODY_LENGTH: Record<string, number> = {
  cs_test: 58,
  req: 14,
  prod: 14,
};

export function newId(prefix: string): string {
  return `${prefix}_${prefix === 'cs_test' ? 'a1' : '1'}${randomToken(BODY_LENGTH[prefix] ?? 23)}`;
}
