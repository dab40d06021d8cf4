import { hash, verify, type Algorithm } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 12;

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

let dummy: Promise<string> | undefined;

/** Spends the same effort as a real check, so an unknown email cannot be told apart by timing. */
export async function verifyAgainstNobody(password: string): Promise<false> {
  dummy ??= hashPassword('no-such-user-placeholder-password');
  await verifyPassword(await dummy, password);
  return false;
}
