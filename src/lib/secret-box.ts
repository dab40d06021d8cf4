import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Encrypts small secrets the service must read back (a staff member's TOTP secret), so that a copy of the database
 * alone does not reveal them. AES-256-GCM (NIST SP 800-38D) with a 96-bit random IV; the key is derived from
 * SESSION_SECRET with HKDF-SHA256 (RFC 5869) under a purpose label, so it is not the secret itself and each
 * purpose has its own key. The associated data binds a value to its place (for example `user:12`): a value copied
 * into another row does not decrypt.
 *
 * Stored form: `v1.<iv>.<ciphertext>.<tag>`, each part base64url.
 * Rotating SESSION_SECRET makes every stored value unreadable: `open` then returns null.
 */
export interface SecretBox {
  seal(plain: string, associated: string): string;
  /** The plain text, or null when the value was sealed under another key, for another place, or is damaged. */
  open(sealed: string, associated: string): string | null;
}

export function createSecretBox(serverSecret: string, purpose: string): SecretBox {
  const key = Buffer.from(hkdfSync('sha256', serverSecret, 'hsug-events', `secret-box:${purpose}`, 32));
  return {
    seal(plain, associated) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(associated));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
    },
    open(sealed, associated) {
      const [version, ivText, body, tagText] = sealed.split('.');
      if (version !== 'v1' || ivText === undefined || body === undefined || tagText === undefined) return null;
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (iv.length !== 12 || tag.length !== 16) return null;
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(Buffer.from(associated));
      decipher.setAuthTag(tag);
      const head = decipher.update(Buffer.from(body, 'base64url'));
      try {
        return Buffer.concat([head, decipher.final()]).toString('utf8');
      } catch (error) {
        // final() throws exactly when the tag does not verify (wrong key, wrong place, damaged value): the documented
        // answer to that is null, which callers treat as "no readable secret".
        // (Read the message without instanceof: Node's crypto errors may come from another realm, as under jest.)
        const message = (error as { message?: unknown } | null)?.message;
        if (typeof message === 'string' && /unable to authenticate/i.test(message)) return null;
        throw error;
      }
    },
  };
}
