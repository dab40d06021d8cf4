import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import type { DocumentKind } from './snapshot';

/**
 * Document numbers: one gapless series per kind and financial year (1 April to 31 March in the group's time zone):
 * invoices `HSUG-2026-0001`, receipts `HSUG-R-2026-0001`, credit notes `HSUG-CN-2026-0001` (2026 = the year starting
 * 1 April 2026).
 */
export const SERIES: Record<DocumentKind, string> = { invoice: 'HSUG', receipt: 'HSUG-R', credit_note: 'HSUG-CN' };

/** The financial year (its starting calendar year) of an instant, in the group's time zone. */
export function financialYearOf(instant: Date, zone: string): number {
  const local = DateTime.fromJSDate(instant, { zone });
  return local.month >= 4 ? local.year : local.year - 1;
}

export function formatDocumentNumber(series: string, financialYear: number, sequence: number): string {
  return `${series}-${financialYear}-${String(sequence).padStart(4, '0')}`;
}

/**
 * Takes the next number of a series in the caller's transaction: one upsert that creates the year's counter at 1 or
 * adds one to it, returning the new value. The counter row stays locked (PostgreSQL: row lock; SQLite: the single
 * writer) until the transaction ends, so concurrent issuers wait their turn, and a rolled-back transaction gives its
 * number back: no gaps, no duplicates (the unique index on (series, financial_year, sequence) checks it too).
 * Take it last, after the event's lock, so locks are always taken in the same order.
 */
export async function nextSequence(trx: Knex.Transaction, series: string, financialYear: number): Promise<number> {
  const rows: Array<{ last_number: number | string }> = await trx('document_counters')
    .insert({ series, financial_year: financialYear, last_number: 1 })
    .onConflict(['series', 'financial_year'])
    .merge({ last_number: trx.raw('document_counters.last_number + 1') })
    .returning('last_number');
  const value = Number(rows[0]?.last_number);
  if (!Number.isInteger(value) || value < 1) throw new Error(`document counter ${series} ${financialYear} returned ${String(rows[0]?.last_number)}`);
  return value;
}
