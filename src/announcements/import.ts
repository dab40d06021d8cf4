import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { Actor } from '../admin/audit/log';
import { recordAudit } from '../admin/audit/log';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { normaliseEmail } from '../lib/email';
import { isWellFormedUtf8, singleLineText } from '../lib/text';
import { toDbTime } from '../lib/time';
import { parseExpiryDate } from '../members/dates';
import { findSubscriberBy, insertSubscriber, isSuppressed, updateSubscriber } from './queries';
import { hashToken, newSalt, subscriberToken, suppressionHash } from './tokens';

/**
 * Importing an existing mailing list (an administrator's CSV): each row an address with the date and source of the
 * consent it was given under (UK GDPR Art. 7(1): the controller must be able to show consent; PECR reg. 22). All or
 * nothing: a row without consent, with a bad address or date, or an address twice, refuses the whole file with the
 * line numbers. Addresses that unsubscribed (a suppression record) are never added back; addresses already
 * subscribed are left as they are. Imported addresses follow all events, confirmed on the consent date given.
 */
export interface ImportReport {
  imported: number;
  alreadySubscribed: number;
  suppressed: number;
  rejected: Array<{ line: number; problems: string[] }>;
  fileProblems: string[];
}

type Field = 'email' | 'consentDate' | 'consentSource';
const HEADERS: Record<Field, string[]> = {
  email: ['email', 'email address', 'e mail'],
  consentDate: ['consent date', 'consented on', 'consent given', 'date of consent', 'consent at', 'opted in', 'subscribed on', 'date'],
  consentSource: ['consent source', 'source', 'source of consent', 'how consent was given'],
};
const LABELS: Record<Field, string> = { email: 'email', consentDate: 'consent date', consentSource: 'consent source' };
const normaliseHeader = (h: string) => h.toLowerCase().replace(/[_\-.]+/g, ' ').replace(/\s+/g, ' ').trim();

const rowSchema = (today: string) =>
  z.object({
    email: singleLineText(254, { tooLong: 'email is too long' }).min(1, 'email is missing').pipe(z.email('email is not an email address')),
    consentDate: singleLineText(40, { tooLong: 'consent date is too long' })
      .min(1, 'consent date is missing: an address can be imported only with the date its owner agreed to hear from HSUG')
      .transform((v, ctx) => {
        const day = parseExpiryDate(v);
        if (!day) ctx.addIssue({ code: 'custom', message: `consent date "${v}" is not a date like 2025-06-30 or 30/06/2025` });
        else if (day > today) ctx.addIssue({ code: 'custom', message: `consent date ${day} is in the future` });
        return day ?? '';
      }),
    consentSource: singleLineText(200, { tooLong: 'consent source is too long' }).min(1, 'consent source is missing: say where the person agreed (for example "RSS meeting sign-up sheet 2025")'),
  });

type Row = { email: string; consentDate: string; consentSource: string; line: number };

export function parseSubscriberCsv(input: Uint8Array, today: string): { rows: Row[]; rejected: ImportReport['rejected']; fileProblems: string[] } {
  if (!isWellFormedUtf8(input)) return { rows: [], rejected: [], fileProblems: ['The file is not UTF-8 text. Save it as "CSV UTF-8 (Comma delimited)" and import it again.'] };
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(Buffer.from(input).toString('utf8'), { bom: true, skip_empty_lines: true, relax_column_count: true, info: true }) as never;
  } catch (error) {
    return { rows: [], rejected: [], fileProblems: [`The file is not valid CSV: ${error instanceof Error ? error.message : String(error)}`] };
  }
  if (records.length < 2) return { rows: [], rejected: [], fileProblems: ['The file has no addresses: the first line names the columns (email, consent date, consent source), one address per line after it.'] };
  const columns: Partial<Record<Field, number>> = {};
  records[0].record.forEach((h, i) => {
    for (const f of Object.keys(HEADERS) as Field[]) if (columns[f] === undefined && HEADERS[f].includes(normaliseHeader(h))) columns[f] = i;
  });
  const missing = (Object.keys(HEADERS) as Field[]).filter((f) => columns[f] === undefined);
  if (missing.length) return { rows: [], rejected: [], fileProblems: [`The first line must name the columns; missing: ${missing.map((f) => LABELS[f]).join(', ')}. Found: ${records[0].record.join(', ')}.`] };
  const schema = rowSchema(today);
  const rows: Row[] = [];
  const rejected: ImportReport['rejected'] = [];
  const firstLine = new Map<string, number>();
  for (const { record, info } of records.slice(1)) {
    const cell = (f: Field) => record[columns[f] as number] ?? '';
    const parsed = schema.safeParse({ email: cell('email'), consentDate: cell('consentDate'), consentSource: cell('consentSource') });
    if (!parsed.success) {
      rejected.push({ line: info.lines, problems: parsed.error.issues.map((i) => i.message) });
      continue;
    }
    const email = normaliseEmail(parsed.data.email);
    const earlier = firstLine.get(email);
    if (earlier !== undefined) {
      rejected.push({ line: info.lines, problems: [`email ${parsed.data.email} is also on line ${earlier}`] });
      continue;
    }
    firstLine.set(email, info.lines);
    rows.push({ ...parsed.data, email, line: info.lines });
  }
  return { rows, rejected, fileProblems: [] };
}

export async function importSubscribers(ctx: ServiceContext, actor: Actor, file: Uint8Array, filename: string): Promise<ImportReport> {
  const now = ctx.clock.now();
  const today = now.toISOString().slice(0, 10);
  const parsed = parseSubscriberCsv(file, today);
  const report: ImportReport = { imported: 0, alreadySubscribed: 0, suppressed: 0, rejected: parsed.rejected, fileProblems: parsed.fileProblems };
  if (parsed.fileProblems.length || parsed.rejected.length) return report;
  await writeTransaction(ctx.db, async (trx) => {
    for (const row of parsed.rows) {
      if (await isSuppressed(trx, suppressionHash(row.email))) {
        report.suppressed++;
        continue;
      }
      const consent = { status: 'confirmed', confirmed_at: toDbTime(now), consent_at: toDbTime(new Date(`${row.consentDate}T00:00:00Z`)), consent_source: `import: ${row.consentSource}`.slice(0, 200), confirm_token_hash: null };
      const existing = await findSubscriberBy(trx, { email: row.email });
      if (existing?.status === 'confirmed') {
        report.alreadySubscribed++;
        continue;
      }
      if (existing) await updateSubscriber(trx, existing.id, consent, now);
      else {
        const salt = newSalt();
        await insertSubscriber(trx, { email: row.email, all_events: true, kinds: '', regions: '', token_salt: salt, token_hash: hashToken(subscriberToken(ctx.config, salt)), ...consent }, now);
      }
      report.imported++;
    }
    await recordAudit(trx, actor, { action: 'subscribers_imported', targetType: 'subscribers', details: { file: filename.slice(0, 100), imported: report.imported, alreadySubscribed: report.alreadySubscribed, suppressed: report.suppressed } }, now);
  });
  return report;
}
