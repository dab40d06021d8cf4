/**
 * Values written into iCalendar content lines by hand, where ical-generator's own writing is not what RFC 5545 allows
 * (see ics.ts). Each function returns text for one content line; `foldLines` makes the lines.
 */

/**
 * RFC 5545 §3.1 CONTROL (%x00-08 / %x0A-1F / %x7F) and the C1 controls, but not LF: line breaks are unified first
 * and then encoded by each writer.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS_BUT_LF = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const unifyLineBreaks = (value: string) => value.replace(/\r\n|\r|\u2028|\u2029/g, '\n');

/**
 * A parameter value such as a CN, in DQUOTEs. RFC 5545 §3.1 has no escapes in parameter values (`QSAFE-CHAR` is any
 * character but CONTROL and DQUOTE), so a `"` or a line break cannot be written as such: RFC 6868 §3 encodes them as
 * `^'` and `^n`, and `^` itself as `^^` (ical.js, Apple Calendar and Thunderbird decode it; a program that does not
 * shows the caret form, never a different value). Quoting always keeps `:` `;` `,` inside the value (§3.2). Other
 * control characters are dropped (the text rule refuses them at the edge; this keeps older rows harmless).
 *
 * Example: `Sam "Stats" Patel` → `"Sam ^'Stats^' Patel"`; `Eve":MAILTO:evil@example.net` → `"Eve^':MAILTO:evil@example.net"`.
 */
export function parameterValue(value: string): string {
  const encoded = unifyLineBreaks(value)
    .replace(CONTROLS_BUT_LF, '')
    .replace(/[\^\n"]/g, (c) => (c === '^' ? '^^' : c === '\n' ? '^n' : "^'"));
  return `"${encoded}"`;
}

/** A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, a line break as `\n`, controls dropped. */
export function textValue(value: string): string {
  return unifyLineBreaks(value)
    .replace(CONTROLS_BUT_LF, '')
    .replace(/[\\;,\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** Characters a mailto: URI keeps as they are (RFC 3986 unreserved and sub-delims, ":" and "@"); any other byte is %XX. */
const URI_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;

/**
 * A CAL-ADDRESS (RFC 5545 §3.3.3): `mailto:` and the address (RFC 6068), with anything a URI cannot hold
 * percent-encoded as UTF-8, so no address can end the value early or start a new line.
 */
export function calAddress(email: string): string {
  let out = '';
  for (const ch of unifyLineBreaks(email).replace(CONTROLS_BUT_LF, '').replace(/\n/g, '')) {
    out += URI_SAFE.test(ch) ? ch : [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return `mailto:${out}`;
}

/** RFC 5545 §3.1: a content line longer than 75 octets is folded with CRLF and one space, never inside a character. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > 75) {
      parts.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n');
}

/** Content lines, each folded, joined with CRLF. */
export function foldLines(lines: string[]): string {
  return lines.map(foldLine).join('\r\n');
}
