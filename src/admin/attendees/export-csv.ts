import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify, type Options } from 'csv-stringify/sync';
import { encodeBatches } from '../../lib/streams';
import { exportHeaders, toCsvCells, toExportRecord } from './columns';
import type { AttendeeListRow } from './queries';

const OPTIONS: Options = { escape_formulas: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ };

/**
 * Streams the attendee list as CSV: UTF-8 with a BOM so Excel reads accents and CJK correctly, CRLF
 * line ends, and every cell that a spreadsheet would run as a formula (= + - @ tab CR) prefixed with a
 * quote, so a name like =HYPERLINK(…) stays text.
 *
 * Each batch of rows is encoded as one piece of text, and the pipeline asks for the next batch only when
 * the response has room: a row at a time through a stream cost more than the encoding itself, and sent
 * thousands of tiny HTTP chunks. A client that goes away makes the pipeline fail with a premature close.
 */
export async function streamAttendeesCsv(batches: AsyncIterable<AttendeeListRow[]>, zone: string, out: Writable, questions: Array<{ header: string }> = []): Promise<void> {
  // The BOM and the header line, exactly as csv-stringify starts a whole document; a question's wording is neutralised like any cell.
  const head = stringify([], { ...OPTIONS, bom: true, header: true, columns: exportHeaders(questions) });
  const text = encodeBatches(batches, { head, encode: (batch) => stringify(batch.map((row) => toCsvCells(toExportRecord(row), zone)), OPTIONS) });
  await pipeline(Readable.from(text, { objectMode: false }), out);
}
