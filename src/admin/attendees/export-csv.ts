import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { EXPORT_HEADERS, toCsvCells, toExportRecord } from './columns';
import type { AttendeeListRow } from './queries';

/**
 * Streams the attendee list as CSV: UTF-8 with a BOM so Excel reads accents and CJK correctly, CRLF
 * line ends, and every cell that a spreadsheet would run as a formula (= + - @ tab CR) prefixed with a
 * quote, so a name like =HYPERLINK(…) stays text.
 */
export async function streamAttendeesCsv(batches: AsyncIterable<AttendeeListRow[]>, zone: string, out: Writable): Promise<void> {
  async function* records() {
    for await (const batch of batches) for (const row of batch) yield toCsvCells(toExportRecord(row), zone);
  }
  const csv = stringify({ bom: true, header: true, columns: [...EXPORT_HEADERS], escape_formulas: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ });
  await pipeline(Readable.from(records()), csv, out);
}
