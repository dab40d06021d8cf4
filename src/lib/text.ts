import { isUtf8 } from 'node:buffer';
import { z } from 'zod';

/**
 * The one rule for text a person types: names, titles, addresses, messages, reasons, references, search terms. Every
 * zod schema at an edge (HTTP bodies and queries, CSV rows, command-line flags, configuration) builds its text fields
 * with `singleLineText` or `multiLineText`, so the rule is written once. A value is, in this order:
 *
 * 1. line breaks unified (multi-line only): CRLF, a lone CR (HTML's form encoding sends a textarea's line breaks as
 *    CRLF, WHATWG HTML §4.10.21.8), U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR become LF;
 * 2. Unicode-normalised to NFC (UAX #15), so "é" typed as e + U+0301 and as U+00E9 is the same name, as W3C's
 *    "Character Model for the World Wide Web: String Matching" recommends for comparing what people type;
 * 3. trimmed (ECMAScript `String.prototype.trim`: Unicode White_Space, line terminators and U+FEFF);
 * 4. refused when it holds a forbidden character (`findForbiddenCharacter`), with a message naming the code point;
 * 5. refused when longer than `max` UTF-16 code units (zod's `.max`; never fewer than the characters a person counts,
 *    so a PostgreSQL `varchar(max)` always holds it).
 *
 * A refusal is a zod issue, so at the edge it is 422 `validation_failed` with the field's path (`parseInput`).
 */

/** Why a character is refused. */
export type ForbiddenKind = 'control' | 'line_break' | 'bidi' | 'surrogate';

export interface ForbiddenCharacter {
  kind: ForbiddenKind;
  /** The code point (or, for an unpaired surrogate, the code unit). */
  codePoint: number;
  /** `U+001B`, for messages. */
  label: string;
}

/**
 * The characters no human-entered text may hold:
 *
 * - C0 controls U+0000–U+001F and DEL U+007F (Unicode §23.1 "Control Codes"; ECMA-48 / ISO 6429), except that a
 *   multi-line field keeps LF (U+000A) and TAB (U+0009). NUL cannot be stored in PostgreSQL text at all (SQLSTATE
 *   22021); CR/LF in a name would reach an email header (RFC 5322 §2.2 forbids CR and LF in a header body); ESC
 *   drives terminals that show logs or CLI output.
 * - C1 controls U+0080–U+009F (Unicode §23.1; ISO 6429), including NEL U+0085 and CSI U+009B.
 * - In single-line fields, the line breaks LF, CR, U+2028 and U+2029 (reported as `line_break`, a clearer message).
 * - The explicit directional formatting characters of the Unicode Bidirectional Algorithm (UAX #9 §2.1–2.4):
 *   embeddings and overrides U+202A–U+202E (LRE, RLE, PDF, LRO, RLO) and isolates U+2066–U+2069 (LRI, RLI, FSI, PDI).
 *   They reorder whole runs of text, so a name or title can display as something other than what it holds
 *   ("Trojan Source", CVE-2021-42574; UTR #36 §2.1 "Bidirectional Text Spoofing"). The implicit marks LRM U+200E,
 *   RLM U+200F and ALM U+061C (UAX #9 §2.6) are kept: they only set the direction of the neutral characters beside
 *   them, and writers of Arabic and Hebrew need them to type mixed-direction text correctly.
 * - Unpaired UTF-16 surrogates U+D800–U+DFFF (a JSON `"\ud800"`): they are not Unicode scalar values and cannot be
 *   encoded as UTF-8 (Unicode §3.9, D76; RFC 3629 §3), so the database would silently store U+FFFD instead.
 *
 * Returns the first one found, or undefined.
 */
export function findForbiddenCharacter(text: string, options: { multiLine: boolean }): ForbiddenCharacter | undefined {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const kind = classify(text, i, unit, options.multiLine);
    if (kind === 'pair') {
      i += 1;
      continue;
    }
    if (kind) return { kind, codePoint: unit, label: `U+${unit.toString(16).toUpperCase().padStart(4, '0')}` };
  }
  return undefined;
}

function classify(text: string, i: number, unit: number, multiLine: boolean): ForbiddenKind | 'pair' | undefined {
  if (unit === 0x0a || unit === 0x0d || unit === 0x2028 || unit === 0x2029) return multiLine && unit === 0x0a ? undefined : 'line_break';
  if (unit === 0x09) return multiLine ? undefined : 'control';
  if (unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f)) return 'control';
  if ((unit >= 0x202a && unit <= 0x202e) || (unit >= 0x2066 && unit <= 0x2069)) return 'bidi';
  if (unit >= 0xd800 && unit <= 0xdbff) {
    const next = text.charCodeAt(i + 1);
    return next >= 0xdc00 && next <= 0xdfff ? 'pair' : 'surrogate';
  }
  if (unit >= 0xdc00 && unit <= 0xdfff) return 'surrogate';
  return undefined;
}

const MESSAGES: Record<ForbiddenKind, (label: string) => string> = {
  control: (label) => `Contains an invisible control character (${label}); remove it`,
  line_break: () => 'Must be on one line: remove the line break',
  bidi: (label) => `Contains an invisible text-direction control (${label}) that can disguise the text; remove it`,
  surrogate: (label) => `Contains a broken character (an unpaired surrogate, ${label}); remove it`,
};

/** The message a person sees beside a field holding a forbidden character. */
export function forbiddenCharacterMessage(found: ForbiddenCharacter): string {
  return MESSAGES[found.kind](found.label);
}

export interface TextOptions {
  /** The message when the value is longer than `max` (default "Must be at most N characters"). */
  tooLong?: string;
  /** The message when the value is not a string at all (missing, a number, an array). */
  notText?: string;
}

function humanText(max: number, multiLine: boolean, options: TextOptions): z.ZodString {
  const base = z.string(options.notText ? { message: options.notText } : undefined);
  const unified = multiLine ? base.overwrite((v) => v.replace(/\r\n?|\u2028|\u2029/g, '\n')) : base;
  return unified
    .normalize('NFC')
    .trim()
    .superRefine((value, ctx) => {
      const found = findForbiddenCharacter(value, { multiLine });
      if (found) ctx.addIssue({ code: 'custom', message: forbiddenCharacterMessage(found), params: { forbidden: found.kind } });
    })
    .max(max, options.tooLong ?? `Must be at most ${max.toLocaleString('en-GB')} characters`);
}

/**
 * A one-line field (a name, a title, an email address before its format check, a search term): NFC, trimmed, no
 * control character, no line break, no bidi override, at most `max` UTF-16 code units. Chain `.min(1, message)` for
 * a required field. Refusals are zod issues (422 `validation_failed` at the edge).
 */
export function singleLineText(max: number, options: TextOptions = {}): z.ZodString {
  return humanText(max, false, options);
}

/**
 * A field typed in a textarea (a message, a description, a reason, dietary needs): like `singleLineText`, but line
 * breaks (CRLF, CR, U+2028, U+2029) are kept as LF and TAB is allowed.
 */
export function multiLineText(max: number, options: TextOptions = {}): z.ZodString {
  return humanText(max, true, options);
}

/** An email address as a person types it: the single-line rule (at most 254 octets, RFC 5321 §4.5.3.1.3), then zod's format check. */
export function emailText(message: string, options: TextOptions = {}) {
  return singleLineText(254, { tooLong: message, ...options }).pipe(z.email(message));
}

/**
 * Whether bytes are well-formed UTF-8 (RFC 3629 §4; Unicode §3.9 D92): no invalid or overlong sequence, no encoded
 * surrogate, nothing truncated (Node's `buffer.isUtf8`). A body that is not is refused (400 `invalid_encoding`)
 * rather than read with U+FFFD in place of what the sender meant.
 */
export function isWellFormedUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

/**
 * Whether an `application/x-www-form-urlencoded` string (a body or a URL's query) percent-decodes to well-formed
 * UTF-8 (WHATWG URL §5.1 with UTF-8, RFC 3986 §2.1): every `%` starts a two-digit hex escape, and the escaped bytes
 * form UTF-8. `decodeURIComponent` throws URIError on both faults.
 */
export function isWellFormedFormEncoding(encoded: string): boolean {
  for (const part of encoded.split(/[&=]/)) {
    if (!part.includes('%')) continue;
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch (error) {
      if (error instanceof Error && error.name === 'URIError') return false;
      throw error;
    }
  }
  return true;
}
