import { createHmac } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { normaliseEmail } from './email';

/**
 * The part of a client address that identifies one client: an IPv4 address (an IPv4-mapped IPv6 address such as
 * `::ffff:192.0.2.1` is the IPv4 one), or the /64 network of an IPv6 address, since one subscriber is usually given a
 * whole /64 and can use any address in it (RFC 6177; OWASP counts IPv6 clients by prefix for the same reason).
 */
export function clientNetwork(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * A keyed hash (HMAC-SHA256 with the server secret, 128 bits, base64url) standing in for a client address or an email
 * address wherever it is only compared, never read: the rate-limit store and the holds cap. Without the secret it
 * cannot be turned back into the address, even by trying every IPv4 address (a plain hash could be).
 */
export function pseudonym(secret: string, kind: 'address' | 'email', value: string): string {
  const subject = kind === 'address' ? clientNetwork(value) : normaliseEmail(value);
  return createHmac('sha256', secret).update(`${kind}:${subject}`).digest('base64url').slice(0, 22);
}
