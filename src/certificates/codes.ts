import { randomBytes } from 'node:crypto';

/** Crockford's base 32: no I, L, O or U, so a code read aloud or typed from paper survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 20;

/**
 * A new verification code: 20 characters of base 32 from the system's secure random source, 100 random bits (at
 * least 80 were asked for), so a code cannot be guessed; shown in groups of five.
 */
export function newVerificationCode(): string {
  const bytes = randomBytes(LENGTH);
  let code = '';
  // 256 is a multiple of 32, so taking each byte modulo 32 is unbiased: five random bits per character.
  for (const byte of bytes) code += ALPHABET[byte % 32];
  return code;
}

/** "ABCDE-FGHJK-MNPQR-STVWX": how a code is printed and shown. */
export function formatCode(code: string): string {
  return code.match(/.{1,5}/g)?.join('-') ?? code;
}

/**
 * A code as someone typed it, in its stored form: compatibility-normalised (NFKC, so full-width letters from a CJK
 * keyboard are letters), upper case, without spaces, dashes of any kind (autocorrect's en dash, a PDF's non-breaking
 * hyphen) or invisible format characters (zero-width spaces, a BOM pasted from an email), with the letters Crockford's
 * alphabet reads as digits (O as 0, I and L as 1). Null when it cannot be a code at all.
 */
export function normaliseCode(input: string): string | null {
  const code = input.normalize('NFKC').toUpperCase().replace(/[\s\p{Pd}\p{Cf}]+/gu, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c)) ? code : null;
}
