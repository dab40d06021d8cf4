import { parse } from 'csv-parse/sync';
import { normaliseEmail } from '../lib/email';
import { isWellFormedUtf8 } from '../lib/text';

/** One person as an attendance report gives them: every row with their email added up (Zoom lists each rejoin). */
export interface ReportPerson {
  /** Normalised as bookings are (lib/email.ts); '' when the row has no email (a Zoom guest, a phone dial-in). */
  email: string;
  name: string;
  seconds: number;
  /** The file's line numbers of this person's rows. */
  lines: number[];
}

export interface ParsedReport {
  source: 'zoom' | 'teams' | null;
  people: ReportPerson[];
  /** Why the file is refused, each with its line number when it has one; no row is used then. */
  problems: Array<{ line: number | null; message: string }>;
}

type Column = 'name' | 'email' | 'duration';

/** Header names, compared lower-cased with spaces squeezed: Zoom's participant export and Teams' attendance report. */
const HEADERS: Record<Column, string[]> = {
  name: ['name (original name)', 'name (original name) ', 'name', 'full name', 'participant', 'display name'],
  email: ['user email', 'email', 'email address', 'participant id (upn)'],
  duration: ['total duration (minutes)', 'duration (minutes)', 'duration', 'in-meeting duration', 'attendance duration', 'time in meeting'],
};

const clean = (h: string) => h.replace(/^\uFEFF/, '').toLowerCase().replace(/\s+/g, ' ').trim();

function columnsOf(record: string[]): Partial<Record<Column, number>> {
  const columns: Partial<Record<Column, number>> = {};
  record.forEach((cell, index) => {
    const key = clean(cell);
    for (const column of Object.keys(HEADERS) as Column[]) {
      if (columns[column] === undefined && HEADERS[column].includes(key)) columns[column] = index;
    }
  });
  return columns;
}

/**
 * A duration as these reports write it: Zoom's whole minutes ("95"; "95,5" where Excel writes decimal commas), Teams'
 * "1h 5m 3s" / "45m 12s" / "59s", or a clock "1:05:03" / "45:12". In seconds; null when it is none of those. A bare
 * number is minutes, as Zoom's columns say. Minutes or seconds beside a larger unit must be under 60 ("1h 75m" and
 * "1:99:99" are slips, not durations).
 */
export function parseDuration(value: string): number | null {
  const text = value.trim().toLowerCase();
  if (/^\d{1,5}(\.\d+|,\d{1,2})?$/.test(text)) return Math.round(Number(text.replace(',', '.')) * 60);
  const units = /^(?:(\d{1,3})\s*h(?:rs?|ours?)?)?\s*(?:(\d{1,4})\s*m(?:in(?:ute)?s?)?)?\s*(?:(\d{1,5})\s*s(?:ec(?:ond)?s?)?)?$/.exec(text);
  if (units && (units[1] || units[2] || units[3])) {
    const [h, m, s] = [units[1], units[2], units[3]].map((u) => (u === undefined ? null : Number(u)));
    if ((h !== null && m !== null && m > 59) || ((h !== null || m !== null) && s !== null && s > 59)) return null;
    return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
  }
  const clock = /^(?:(\d{1,3}):)?(\d{1,2}):(\d{2})$/.exec(text);
  if (clock) {
    const [h, m, s] = [Number(clock[1] ?? 0), Number(clock[2]), Number(clock[3])];
    if (s > 59 || (clock[1] !== undefined && m > 59)) return null;
    return h * 3600 + m * 60 + s;
  }
  return null;
}

/** No one row of a report is longer than a day: a longer one is a column in seconds read as minutes, or a slip. */
export const MAX_ROW_SECONDS = 24 * 3600;

/**
 * Whether the bytes look like UTF-16 without a BOM ("Unicode text" from some Excel versions): text of Latin letters has
 * a zero in every other byte, and nowhere else. Returns the byte order, or null.
 */
function bomlessUtf16(bytes: Uint8Array): 'le' | 'be' | null {
  const sample = bytes.subarray(0, Math.min(bytes.length, 4096) & ~1);
  if (sample.length < 4) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i] === 0) evenZeros += 1;
    if (sample[i + 1] === 0) oddZeros += 1;
  }
  const pairs = sample.length / 2;
  if (oddZeros >= pairs * 0.9 && evenZeros === 0) return 'le';
  if (evenZeros >= pairs * 0.9 && oddZeros === 0) return 'be';
  return null;
}

const utf16 = (bytes: Uint8Array, order: 'le' | 'be') => {
  const copy = Buffer.from(bytes.subarray(0, bytes.length & ~1));
  return (order === 'be' ? copy.swap16() : copy).toString('utf16le');
};

/**
 * Text from the file's bytes: UTF-8 (with or without BOM), or UTF-16 in either byte order, with its BOM (Teams saves
 * its report as UTF-16 LE with one) or without. Null when it is neither.
 */
function decode(bytes: Uint8Array): string | null {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(bytes.subarray(2), 'le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(bytes.subarray(2), 'be');
  const order = bomlessUtf16(bytes);
  if (order) return utf16(bytes, order);
  if (!isWellFormedUtf8(bytes)) return null;
  return Buffer.from(bytes).toString('utf8');
}

/** Comma, tab or semicolon: whichever the first lines use most (Teams writes tabs, Excel in some locales semicolons). */
function delimiterOf(text: string): string {
  const head = text.split(/\r?\n/).slice(0, 30).join('\n');
  const count = (c: string) => head.split(c).length - 1;
  return ['\t', ';', ','].reduce((best, c) => (count(c) > count(best) ? c : best), ',');
}

const MAX_ROWS = 20_000;

/**
 * Reads a Zoom or Teams attendance report. The participants table is found by its header line (the first line naming a
 * name, an email and a duration column), so Zoom's meeting-information lines and Teams' "1. Summary" block before it
 * are skipped, and the table ends at the first blank line or section heading after it ("3. In-Meeting Activities").
 * Every row must have a duration we can read; anything wrong refuses the whole file with line numbers.
 */
export function parseAttendanceReport(bytes: Uint8Array): ParsedReport {
  const refuse = (message: string, line: number | null = null): ParsedReport => ({ source: null, people: [], problems: [{ line, message }] });
  if (bytes.length === 0) return refuse('The file is empty.');
  if (bytes.includes(0) && !(bytes[0] === 0xff && bytes[1] === 0xfe) && !(bytes[0] === 0xfe && bytes[1] === 0xff) && !bomlessUtf16(bytes)) return refuse('The file is not a CSV file (it holds binary data). Download the attendance report as CSV from Zoom or Teams and upload that.');
  const text = decode(bytes);
  if (text === null) return refuse('The file is not UTF-8 text. Save it as "CSV UTF-8" and upload it again.');
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, delimiter: delimiterOf(text), relax_column_count: true, relax_quotes: true, skip_empty_lines: false, info: true, trim: false }) as never;
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? null;
    return refuse(`The file is not valid CSV: ${error instanceof Error ? error.message : String(error)}`, line);
  }
  const headerAt = records.findIndex((r) => {
    const c = columnsOf(r.record);
    return c.name !== undefined && c.email !== undefined && c.duration !== undefined;
  });
  if (headerAt < 0) {
    const first = records.find((r) => r.record.some((cell) => cell.trim() !== ''));
    return refuse(`No participants table found: a line must name the columns for the name, the email and the duration (Zoom: "Name (original name)", "User Email", "Total duration (minutes)"; Teams: "Full Name", "Email", "Duration").${first ? ` The first line reads: ${first.record.join(', ').slice(0, 200)}.` : ''}`, first?.info.lines ?? null);
  }
  const header = records[headerAt].record;
  const columns = columnsOf(header) as Record<Column, number>;
  const source: ParsedReport['source'] = header.some((h) => clean(h) === 'user email' || clean(h).startsWith('name (original name)')) ? 'zoom' : 'teams';

  const byKey = new Map<string, ReportPerson>();
  const problems: ParsedReport['problems'] = [];
  let rows = 0;
  for (const { record, info } of records.slice(headerAt + 1)) {
    const line = info.lines;
    if (record.every((cell) => cell.trim() === '')) break;
    if (record.length === 1 && /^\d+\.\s/.test(record[0].trim())) break;
    if (++rows > MAX_ROWS) return refuse(`The file has more than ${MAX_ROWS.toLocaleString('en-GB')} participant rows: is it the attendance report of one meeting?`, line);
    const name = (record[columns.name] ?? '').trim().slice(0, 200);
    const rawEmail = (record[columns.email] ?? '').trim();
    const rawDuration = record[columns.duration];
    if (rawDuration === undefined) {
      problems.push({ line, message: 'the row has no duration column' });
      continue;
    }
    const seconds = parseDuration(rawDuration);
    if (seconds === null) {
      problems.push({ line, message: `duration "${rawDuration.slice(0, 40)}" is not a duration like 95 (minutes), 1h 5m 3s or 1:05:03` });
      continue;
    }
    if (seconds > MAX_ROW_SECONDS) {
      problems.push({ line, message: `duration "${rawDuration.slice(0, 40)}" is more than a day (24 hours): is the column in seconds? Export the report with durations in minutes` });
      continue;
    }
    const email = rawEmail.includes('@') ? normaliseEmail(rawEmail) : '';
    const key = email || `name:${name.toLowerCase()}:${line}`;
    const known = byKey.get(key);
    if (known) {
      known.seconds += seconds;
      known.lines.push(line);
    } else byKey.set(key, { email, name, seconds, lines: [line] });
  }
  if (problems.length > 0) return { source, people: [], problems };
  if (byKey.size === 0) return refuse('The participants table has no rows.', records[headerAt].info.lines);
  return { source, people: [...byKey.values()], problems: [] };
}
