import { z } from 'zod';
import { emailText, findForbiddenCharacter, isWellFormedFormEncoding, isWellFormedUtf8, multiLineText, singleLineText } from '../../src/lib/text';

const issuesOf = (schema: z.ZodType, value: unknown) => schema.safeParse(value).error?.issues.map((i) => i.message) ?? [];

describe('the text rule for one-line fields', () => {
  const name = singleLineText(20).min(1, 'Enter your name');

  it.each([
    ['NUL', 'a\u0000b', 'U+0000'],
    ['ESC (a terminal escape)', 'a\u001b[31mb', 'U+001B'],
    ['TAB', 'a\tb', 'U+0009'],
    ['DEL', 'a\u007fb', 'U+007F'],
    ['a C1 control (CSI)', 'a\u009bb', 'U+009B'],
    ['NEL, the C1 next-line', 'a\u0085b', 'U+0085'],
  ])('when a name holds %s, then it is refused naming the code point', (_label, value, codePoint) => {
    expect(issuesOf(name, value)).toEqual([`Contains an invisible control character (${codePoint}); remove it`]);
  });

  it.each([
    ['CR/LF (an email header injection)', 'Ann\r\nBcc: a@b.org'],
    ['a bare LF', 'Ann\nB'],
    ['a bare CR', 'Ann\rB'],
    ['U+2028 LINE SEPARATOR', 'Ann\u2028B'],
    ['U+2029 PARAGRAPH SEPARATOR', 'Ann\u2029B'],
  ])('when a name holds %s inside it, then it is refused as a line break', (_label, value) => {
    expect(issuesOf(name, value)).toEqual(['Must be on one line: remove the line break']);
  });

  it.each([
    ['RLO, a right-to-left override', 'evil\u202Etxt.exe', 'U+202E'],
    ['LRO', 'a\u202Db', 'U+202D'],
    ['RLE', 'a\u202Bb', 'U+202B'],
    ['PDF', 'a\u202Cb', 'U+202C'],
    ['RLI, an isolate', 'a\u2067b', 'U+2067'],
    ['PDI', 'a\u2069b', 'U+2069'],
  ])('when a name holds %s, then it is refused as a text-direction control', (_label, value, codePoint) => {
    expect(issuesOf(name, value)).toEqual([`Contains an invisible text-direction control (${codePoint}) that can disguise the text; remove it`]);
  });

  it('when a name holds an unpaired surrogate, then it is refused; a real astral character (a pair) is kept', () => {
    expect(issuesOf(name, 'a\uD800b')).toEqual(['Contains a broken character (an unpaired surrogate, U+D800); remove it']);
    expect(issuesOf(name, 'a\uDC00')).toEqual(['Contains a broken character (an unpaired surrogate, U+DC00); remove it']);
    expect(name.parse('Ann 😀')).toBe('Ann 😀');
  });

  it('when a name in Arabic or Hebrew uses the implicit direction marks LRM, RLM or ALM, then it is kept', () => {
    expect(name.parse('نور\u200F (HSUG)')).toBe('نور\u200F (HSUG)');
    expect(name.parse('a\u200Eb\u061Cc')).toBe('a\u200Eb\u061Cc');
  });

  it('when a name is typed with a combining accent, then it is stored in NFC, the same as the precomposed letter', () => {
    expect(name.parse('Zoe\u0308 Lo\u0301pez')).toBe('Zo\u00EB L\u00F3pez');
  });

  it('when a name has spaces, a no-break space or a BOM around it, then they are trimmed; a trailing line break is trimmed too', () => {
    expect(name.parse('  \u00A0\uFEFFAnn Lee\u00A0 ')).toBe('Ann Lee');
    expect(name.parse('Ann\r\n')).toBe('Ann');
  });

  it('when a name is only spaces, then it is missing', () => {
    expect(issuesOf(name, '   ')).toEqual(['Enter your name']);
  });

  it('when a name is longer than the limit after trimming and NFC, then it is refused with the limit', () => {
    expect(issuesOf(name, 'x'.repeat(21))).toEqual(['Must be at most 20 characters']);
    expect(name.parse(`  ${'x'.repeat(20)}  `)).toBe('x'.repeat(20));
    expect(name.parse('e\u0301'.repeat(20))).toBe('\u00E9'.repeat(20));
  });

  it('when a value is not text (a number, an array, an object), then it is refused with the field\'s own message', () => {
    const subject = singleLineText(10, { notText: 'Enter a subject' });
    for (const value of [1, ['a'], { a: 1 }, null]) expect(issuesOf(subject, value)).toEqual(['Enter a subject']);
  });
});

describe('the text rule for multi-line fields', () => {
  const body = multiLineText(100);

  it('when a message has CRLF, CR, U+2028 or U+2029 line breaks and tabs, then they are kept as LF and TAB', () => {
    expect(body.parse('Dear all,\r\n\r\nLine\rTwo\u2028Three\u2029\tFour')).toBe('Dear all,\n\nLine\nTwo\nThree\n\tFour');
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['ESC', 'a\u001bb'],
    ['a vertical tab', 'a\u000bb'],
    ['a C1 control', 'a\u0090b'],
    ['an RLO override', 'a\u202Eb'],
  ])('when a message holds %s, then it is refused', (_label, value) => {
    expect(body.safeParse(value).success).toBe(false);
  });
});

describe('email addresses', () => {
  const email = emailText('Enter an email address like name@example.org');

  it('when an address holds a control character or a line break, then the text rule names it; a plain wrong address gets the format message', () => {
    expect(issuesOf(email, 'a\u0000@example.org')).toEqual(['Contains an invisible control character (U+0000); remove it']);
    expect(issuesOf(email, 'a@example.org\r\nBcc: b@example.org')).toEqual(['Must be on one line: remove the line break']);
    expect(issuesOf(email, 'not an address')).toEqual(['Enter an email address like name@example.org']);
    expect(email.parse(' ada@example.org ')).toBe('ada@example.org');
  });
});

describe('findForbiddenCharacter', () => {
  it('when text is clean, then nothing is found; otherwise the first forbidden character is', () => {
    expect(findForbiddenCharacter('Ann Lee, Café', { multiLine: false })).toBeUndefined();
    expect(findForbiddenCharacter('a\u202Eb\u0000', { multiLine: false })).toMatchObject({ kind: 'bidi', label: 'U+202E' });
    expect(findForbiddenCharacter('a\nb', { multiLine: true })).toBeUndefined();
  });
});

describe('strict UTF-8', () => {
  it.each([
    ['a lone continuation byte', [0x61, 0x80]],
    ['0xFF', [0xff]],
    ['an overlong "/"', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
  ])('when bytes hold %s, then they are not well-formed UTF-8', (_label, bytes) => {
    expect(isWellFormedUtf8(Uint8Array.from(bytes))).toBe(false);
  });

  it('when bytes are UTF-8 text with accents and emoji, then they are well-formed', () => {
    expect(isWellFormedUtf8(Buffer.from('Zoë 😀 统计', 'utf8'))).toBe(true);
  });

  it('when form encoding has a broken %-escape or escapes invalid UTF-8, then it is refused; good escapes and + pass', () => {
    expect(isWellFormedFormEncoding('name=%FF')).toBe(false);
    expect(isWellFormedFormEncoding('name=%C3')).toBe(false);
    expect(isWellFormedFormEncoding('name=100%')).toBe(false);
    expect(isWellFormedFormEncoding('na%zzme=x')).toBe(false);
    expect(isWellFormedFormEncoding('name=Zo%C3%AB+Lee&q=a%20b&empty=&flag')).toBe(true);
  });
});
