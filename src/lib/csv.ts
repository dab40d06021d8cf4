import { stringify } from 'csv-stringify/sync';

/** A plain number (an amount as "-12.50", a count) is data to a spreadsheet, never a formula. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Neutralises a cell a spreadsheet would run as a formula (= + - @ tab CR at the start) by prefixing a
 * quote. Amounts are left alone so a refund stays the number -12.50; csv-stringify's escape_formulas
 * would have turned it into text.
 */
export function safeCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  if (PLAIN_NUMBER.test(text)) return text;
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/**
 * A whole CSV document: UTF-8 with a BOM (so Excel reads accents), CRLF line ends, a header row. The headings are
 * neutralised like every cell: some are typed by people (a survey's own questions).
 */
export function toCsv(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  return stringify([headers, ...rows].map((r) => r.map(safeCell)), { bom: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}

/** Integer minor units as decimal text for accounts software: 123450 -> "1234.50", -5 -> "-0.05". No floats. */
export function decimalAmount(minor: number): string {
  if (!Number.isSafeInteger(minor)) throw new TypeError(`Not an amount in minor units: ${minor}`);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
