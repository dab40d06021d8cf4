import { clientNetwork, pseudonym } from '../../src/lib/client-key';
import { waitInWords } from '../../src/web/rate-limit';

const SECRET = 'test-secret-that-is-at-least-32-characters-long';

describe('client addresses for the abuse limits', () => {
  it('when the address is IPv4, or IPv4 mapped into IPv6, then it is the IPv4 address itself', () => {
    expect(clientNetwork('192.0.2.7')).toBe('192.0.2.7');
    expect(clientNetwork('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientNetwork('::FFFF:127.0.0.1')).toBe('127.0.0.1');
  });

  it('when the address is IPv6, then every address of its /64 counts as one client, however it is written', () => {
    expect(clientNetwork('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:0db8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('2001:db8:1:3::1')).not.toBe(clientNetwork('2001:db8:1:2::1'));
  });

  it('when an address or email is turned into a pseudonym, then it is a keyed 22-character hash: the same for the same client, different for another or under another secret', () => {
    const key = pseudonym(SECRET, 'address', '192.0.2.7');
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(pseudonym(SECRET, 'address', '::ffff:192.0.2.7')).toBe(key);
    expect(pseudonym(SECRET, 'address', '192.0.2.8')).not.toBe(key);
    expect(pseudonym(`${SECRET}-other`, 'address', '192.0.2.7')).not.toBe(key);
    expect(pseudonym(SECRET, 'email', ' Ada@Example.org ')).toBe(pseudonym(SECRET, 'email', 'ada@example.org'));
    expect(pseudonym(SECRET, 'email', '192.0.2.7')).not.toBe(key);
  });
});

describe('how long to wait, in words', () => {
  it('when the wait is given in seconds, then it is said in seconds, minutes or hours, rounded up to what a person can act on', () => {
    expect(waitInWords(1)).toBe('1 second');
    expect(waitInWords(45)).toBe('45 seconds');
    expect(waitInWords(60)).toBe('1 minute');
    expect(waitInWords(61)).toBe('2 minutes');
    expect(waitInWords(600)).toBe('10 minutes');
    expect(waitInWords(3600)).toBe('60 minutes');
    expect(waitInWords(2 * 3600)).toBe('about 2 hours');
  });
});
