import fc from 'fast-check';

/**
 * Values that have broken web services somewhere: control characters (NUL is refused by PostgreSQL text), line breaks
 * that reach email headers, terminal escapes, bidi overrides (Trojan Source), unpaired surrogates, prototype keys,
 * percent-escapes, markup and SQL, numbers that are not numbers, dates that do not exist, and sizes at and past the
 * limits (the body limit is 100 kB).
 */
export const HOSTILE_STRINGS: readonly string[] = [
  '', ' ', '\u0000', 'a\u0000b', 'Ann\r\nBcc: evil@example.net', '\r\n', '\n', '\t', '\u001b[31mred', '\u001b]0;title\u0007', '\u007f', '\u0085', '\u009b2J',
  'evil\u202Etxt.exe', '\u2066isolate\u2069', '\u200F', '\uD800', 'x\uDC00y', '\uFEFF', '\uFFFD', '\uFFFF', '\u2028',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '%00', '%FF', '%', '../../etc/passwd', '<script>alert(1)</script>', '{{constructor.constructor("return 1")()}}', "' OR '1'='1", '"; DROP TABLE bookings; --',
  '-1', '0', '1e309', 'NaN', 'Infinity', '0x1F', '١٢٣', '9'.repeat(30), '12.999', '£1,000,000.00', '2026-02-30', '2026-04-14T25:99', 'Mars/Olympus',
  'a'.repeat(1_000), 'é'.repeat(30_000), '😀'.repeat(300), 'e\u0301'.repeat(100), 'x'.repeat(150_000),
  'https://evil.example/\u0000', 'javascript:alert(1)', 'Eve":MAILTO:evil@example.net', 'Sam "Stats" Patel', 'a@b', 'a@example.org\r\nBcc: b@example.org',
];

/** An object with an own `__proto__` key, as JSON.parse makes it, and one that reaches for `constructor.prototype`. */
const prototypeKeys = (): unknown[] => [JSON.parse('{"__proto__":{"isAdmin":true}}'), { constructor: { prototype: { isAdmin: true } } }];

const deep = (depth: number): unknown => (depth === 0 ? 'bottom' : { a: deep(depth - 1) });

/** Otherwise ordinary text with one character the text rule refuses (lib/text.ts): the values that must never be stored. */
export const forbiddenText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('Ann', 'Room 2', ''), fc.constantFrom('\u0000', '\r\n', '\n', '\u001b[2J', '\u202E', '\u2066', '\uD800', '\u0085', '\u007f', '\t', '\u2028'), fc.constantFrom('', ' Lee', 'x'))
  .map(([before, bad, after]) => `${before}${bad}${after}`);

/** Anything a field might be sent as instead of what it should be. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: forbiddenText },
  { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...HOSTILE_STRINGS.slice(0, 12)), { minLength: 0, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(...prototypeKeys(), deep(300), {}, [], [[]], { toString: 'x' }) },
);

/** A whole body that is not what any route expects. */
export const hostileBodyText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '', '[]', '"text"', '123', 'null', 'true', '{', '{"a":', '\uFEFF{}', '{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"isAdmin":true}}}',
    `${'['.repeat(20_000)}${']'.repeat(20_000)}`, `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`, '__proto__[isAdmin]=true&constructor[prototype][x]=1', 'a=1&a=2&a=3', '=&=&&',
  ),
  fc.json({ maxDepth: 3 }),
);

/** Byte sequences that are not UTF-8, and %-escapes that are broken or escape what is not UTF-8. */
export const badBytes: fc.Arbitrary<Buffer> = fc.constantFrom(
  Buffer.from([0xff]), Buffer.from([0xc0, 0xaf]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0x80]), Buffer.from([0xe2, 0x82]), Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  Buffer.from('%FF'), Buffer.from('%zz'), Buffer.from('%C3'), Buffer.from('%'),
);

export const wrongContentType: fc.Arbitrary<string> = fc.constantFrom(
  'text/plain', 'application/xml', 'application/octet-stream', 'application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; charset=nonsense',
  'application/x-www-form-urlencoded; charset=utf-7', 'multipart/form-data', 'multipart/form-data; boundary=nothing-here', 'application/json', 'application/x-www-form-urlencoded',
);

/** A path segment in place of an id, slug or reference, percent-encoded as UTF-8 or as broken escapes. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('%FF', '%zz', '%00', '..', '%2e%2e', '%2F', '0', '-1', '99999999999999999999', '1e3', 'HSUG-0000-0000', '__proto__', 'constructor', 'x'.repeat(3_000)),
  fc.constantFrom(...HOSTILE_STRINGS.filter((s) => s.length < 200)).map((s) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
);

export const hostileQuery: fc.Arbitrary<string> = fc.constantFrom('?q=%FF', '?q=%00', '?%zz', '?__proto__[isAdmin]=1', '?a=1&a=2', '?next=https://evil.example', '?token=%00', `?q=${'x'.repeat(8_000)}`);

/** One way to spoil a valid request. */
export type Mutation =
  | { kind: 'field'; field: number; value: unknown }
  | { kind: 'extra-field'; key: string; value: unknown }
  | { kind: 'body'; text: string }
  | { kind: 'content-type'; contentType: string }
  | { kind: 'bytes'; field: number; bytes: Buffer }
  | { kind: 'param'; param: number; segment: string }
  | { kind: 'query'; query: string };

/** Mutations of a request; `field` and `param` are indexes, taken modulo the request's own fields and params. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('field' as const), field: fc.nat(), value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extra-field' as const), key: fc.constantFrom('__proto__', 'constructor', 'prototype', '_csrf', 'status', 'isAdmin'), value: hostileValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('body' as const), text: hostileBodyText }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('content-type' as const), contentType: wrongContentType }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bytes' as const), field: fc.nat(), bytes: badBytes }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('param' as const), param: fc.nat(), segment: hostileSegment }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('query' as const), query: hostileQuery }) },
);

/** A mutation as a short line for a failure message (long values cut). */
export function describeMutation(m: Mutation): string {
  const shown = m.kind === 'bytes' ? { ...m, bytes: m.bytes.toString('hex') } : m;
  const text = JSON.stringify(shown, (_k, v: unknown) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 80)}…(${v.length})` : v));
  // JSON leaves DEL, C1 controls and bidi controls as they are; show them as escapes a person can read.
  return text.replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
