import { createSecretBox } from '../../src/lib/secret-box';

const SECRET = 'test-secret-that-is-at-least-32-characters-long';

describe('the secret box', () => {
  it('when a value is sealed, then it opens again for the same place, and the stored form does not contain it', () => {
    const box = createSecretBox(SECRET, 'totp-secret');
    const sealed = box.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'user:7');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain('JBSWY3DP');
    expect(box.open(sealed, 'user:7')).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    // A fresh IV each time: the same value never seals to the same text.
    expect(box.seal('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', 'user:7')).not.toBe(sealed);
  });

  it('when a value is opened for another place, under another secret or purpose, or damaged, then the answer is null', () => {
    const box = createSecretBox(SECRET, 'totp-secret');
    const sealed = box.seal('the secret', 'user:7');
    expect(box.open(sealed, 'user:8')).toBeNull();
    expect(createSecretBox(`${SECRET}-rotated`, 'totp-secret').open(sealed, 'user:7')).toBeNull();
    expect(createSecretBox(SECRET, 'something-else').open(sealed, 'user:7')).toBeNull();
    const [v, iv, body, tag] = sealed.split('.');
    const flipped = body.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expect(box.open([v, iv, flipped, tag].join('.'), 'user:7')).toBeNull();
    expect(box.open([v, iv, body, tag.slice(0, 10)].join('.'), 'user:7')).toBeNull();
    expect(box.open('not sealed at all', 'user:7')).toBeNull();
    expect(box.open('', 'user:7')).toBeNull();
  });
});
