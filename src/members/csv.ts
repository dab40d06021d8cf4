import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { normaliseEmail } from '../lib/email';
import { isWellFormedUtf8, singleLineText } from '../lib/text';
import { parseExpiryDate } from './dates';

export interface MemberRow {
  email: string;
  name: string;
  membershipNumber: string;
  expiresOn: string;
}

export interface RejectedRow {
  line: number;
  problems: string[];
}

export interface ParsedMemberFile {
  members: MemberRow[];
  rejected: RejectedRow[];
  /** A problem with the file as a whole (no header we recognise, no rows); no row is usable then. */
  fileProblems: string[];
}

type Field = keyof MemberRow;

/** Header names we accept for each field, compared after lower-casing and turning _ - . into spaces. */
const HEADER_ALIASES: Record<Field, string[]> = {
  email: ['email', 'email address', 'e mail', 'e mail address'],
  name: ['name', 'full name', 'member name'],
  membershipNumber: ['membership number', 'membership no', 'membership', 'member number', 'member no', 'number', 'membership id', 'member id'],
  expiresOn: ['expiry date', 'expiry', 'expires', 'expires on', 'expiration date', 'membership expiry', 'valid until', 'end date'],
};

const FIELD_LABELS: Record<Field, string> = { email: 'email', name: 'name', membershipNumber: 'membership number', expiresOn: 'expiry date' };

const normaliseHeader = (h: string) => h.toLowerCase().replace(/[_\-.]+/g, ' ').replace(/\s+/g, ' ').trim();

const rowSchema = z.object({
  email: singleLineText(254, { tooLong: 'email is too long' }).min(1, 'email is missing').pipe(z.email('email is not an email address')),
  name: singleLineText(200, { tooLong: 'name is too long' }).min(1, 'name is missing'),
  membershipNumber: singleLineText(40, { tooLong: 'membership number is too long' }).min(1, 'membership number is missing'),
  expiresOn: singleLineText(40, { tooLong: 'expiry date is too long' })
    .min(1, 'expiry date is missing')
    .transform((v, ctx) => {
      const day = parseExpiryDate(v);
      if (!day) {
        ctx.addIssue({ code: 'custom', message: `expiry date "${v}" is not a date like 2026-12-31 or 31/12/2026` });
        return z.NEVER;
      }
      return day;
    }),
});

function mapHeader(header: string[]): { columns: Partial<Record<Field, number>>; missing: Field[] } {
  const columns: Partial<Record<Field, number>> = {};
  header.forEach((h, index) => {
    const key = normaliseHeader(h);
    for (const field of Object.keys(HEADER_ALIASES) as Field[]) {
      if (columns[field] === undefined && HEADER_ALIASES[field].includes(key)) columns[field] = index;
    }
  });
  return { columns, missing: (Object.keys(HEADER_ALIASES) as Field[]).filter((f) => columns[f] === undefined) };
}

const NOT_UTF8 = 'The file is not UTF-8 text, so names with accents would be garbled. Save it as "CSV UTF-8 (Comma delimited)" and import it again.';

/** A problem's message with the column it is about, when the message does not already say (the text rule's do not). */
function withColumn(issue: z.core.$ZodIssue): string {
  const label = FIELD_LABELS[issue.path[0] as Field];
  return !label || issue.message.startsWith(label) ? issue.message : `${label}: ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`;
}

/**
 * Reads the Royal Statistical Society's member export (or any CSV with the same four columns), checking every row.
 * Given the file's bytes, it must be UTF-8 (a file saved in another encoding is refused, not read with U+FFFD);
 * every cell follows the one text rule (lib/text.ts).
 */
export function parseMemberCsv(input: string | Uint8Array): ParsedMemberFile {
  if (typeof input !== 'string' && !isWellFormedUtf8(input)) return { members: [], rejected: [], fileProblems: [NOT_UTF8] };
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true, trim: false }) as never;
  } catch (error) {
    return { members: [], rejected: [], fileProblems: [`The file is not valid CSV: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if (records.length === 0) return { members: [], rejected: [], fileProblems: ['The file is empty.'] };
  const { columns, missing } = mapHeader(records[0].record);
  if (missing.length > 0) {
    return { members: [], rejected: [], fileProblems: [`The first line must name the columns; missing: ${missing.map((f) => FIELD_LABELS[f]).join(', ')}. Found: ${records[0].record.join(', ')}.`] };
  }
  if (records.length === 1) return { members: [], rejected: [], fileProblems: ['The file has a header line but no members.'] };

  const members: MemberRow[] = [];
  const rejected: RejectedRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const cell = (f: Field) => record[columns[f] as number] ?? '';
    const parsed = rowSchema.safeParse({ email: cell('email'), name: cell('name'), membershipNumber: cell('membershipNumber'), expiresOn: cell('expiresOn') });
    if (!parsed.success) {
      rejected.push({ line, problems: parsed.error.issues.map(withColumn) });
      continue;
    }
    const key = normaliseEmail(parsed.data.email);
    const earlier = firstLineOf.get(key);
    if (earlier !== undefined) {
      rejected.push({ line, problems: [`email ${parsed.data.email} is also on line ${earlier}`] });
      continue;
    }
    firstLineOf.set(key, line);
    members.push(parsed.data);
  }
  return { members, rejected, fileProblems: [] };
}
