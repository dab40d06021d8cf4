import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { closedEarly, whenWritable } from '../../lib/streams';
import { EXPORT_HEADERS, toExportRecord } from './columns';
import { wallClockDate } from './present';
import type { AttendeeListRow } from './queries';

const DATE_FORMAT = 'yyyy-mm-dd hh:mm';
const MONEY_FORMAT = '"£"#,##0.00';

const COLUMNS: Array<Partial<ExcelJS.Column>> = [
  { key: 'reference', width: 16 },
  { key: 'name', width: 28 },
  { key: 'email', width: 32 },
  { key: 'organisation', width: 28 },
  { key: 'ticketType', width: 20 },
  { key: 'price', width: 12, style: { numFmt: MONEY_FORMAT } },
  { key: 'amountPaid', width: 16, style: { numFmt: MONEY_FORMAT } },
  { key: 'paymentStatus', width: 18 },
  { key: 'bookingStatus', width: 16 },
  { key: 'dietary', width: 24 },
  { key: 'accessibility', width: 28 },
  { key: 'bookedAt', width: 18, style: { numFmt: DATE_FORMAT } },
  { key: 'checkedInAt', width: 18, style: { numFmt: DATE_FORMAT } },
  { key: 'walkIn', width: 10 },
  { key: 'takingPart', width: 12 },
  { key: 'joinedAt', width: 18, style: { numFmt: DATE_FORMAT } },
  { key: 'listPrice', width: 12, style: { numFmt: MONEY_FORMAT } },
  { key: 'discount', width: 12, style: { numFmt: MONEY_FORMAT } },
  { key: 'discountCode', width: 16 },
].map((c, i) => ({ ...c, header: EXPORT_HEADERS[i] }));

/**
 * exceljs gives every cell (and row) a copy of its column's style and finds that style's id by rendering it to
 * XML, which was most of the time an export took. It remembers ids by style object, so one shared, unchanging
 * object per column (and one for all rows) is looked up instead: the same styles, the same file.
 */
const CELL_STYLES = COLUMNS.map((c) => Object.freeze({ ...c.style }) as Partial<ExcelJS.Style>);
const TEXT_STYLE = Object.freeze({}) as Partial<ExcelJS.Style>;
const ROW_STYLE = Object.freeze({}) as Partial<ExcelJS.Style>;

/** Adds the next batch to the sheet, row by row, each committed at once; false when there are no more. */
async function addNextBatch(sheet: ExcelJS.Worksheet, batches: AsyncIterator<AttendeeListRow[]>, zone: string, questionCount: number): Promise<boolean> {
  const next = await batches.next();
  if (next.done) return false;
  for (const row of next.value) {
    const r = toExportRecord(row);
    const added = sheet.addRow({
      ...r,
      // Integer pence to pounds: one division of an exact integer by 100, shown to 2 places.
      price: r.price / 100,
      amountPaid: r.amountPaid / 100,
      bookedAt: wallClockDate(r.bookedAt, zone),
      checkedInAt: r.checkedInAt ? wallClockDate(r.checkedInAt, zone) : null,
      joinedAt: r.joinedAt ? wallClockDate(r.joinedAt, zone) : null,
      listPrice: r.listPrice / 100,
      discount: r.discount / 100,
      // Answers are typed by the public; written as string cells, an answer like =HYPERLINK(…) is text, never a formula.
      ...Object.fromEntries(r.answers.map((a, i) => [`answer${i}`, a])),
    });
    (added as unknown as { style: Partial<ExcelJS.Style> }).style = ROW_STYLE; // a plain property, missing from the types
    for (let i = 0; i < CELL_STYLES.length; i++) added.getCell(i + 1).style = CELL_STYLES[i];
    for (let i = 0; i < questionCount; i++) added.getCell(CELL_STYLES.length + i + 1).style = TEXT_STYLE;
    added.commit();
  }
  return true;
}

/**
 * Streams the attendee list as XLSX with typed cells (dates as dates in the event's wall-clock time,
 * prices as numbers in pounds with a £ format) and a frozen header row. Rows are committed as they are
 * written, so the workbook is never held whole in memory, and the next batch is read only once the response
 * has room (exceljs itself buffers whatever it is given). A client that goes away ends it with ClientGoneError.
 * Batches are handled in a function of their own so that none stays referenced while this one waits.
 */
export async function streamAttendeesXlsx(batches: AsyncIterable<AttendeeListRow[]>, zone: string, out: Writable, questions: Array<{ header: string }> = []): Promise<void> {
  // Loaded on first use: exceljs takes about 16 MB that a server nobody asks for a spreadsheet should not carry.
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Attendees', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = [...COLUMNS, ...questions.map((q, i) => ({ key: `answer${i}`, width: 28, header: q.header }))];
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  const iterator = batches[Symbol.asyncIterator]();
  try {
    while (await addNextBatch(sheet, iterator, zone, questions.length)) await whenWritable(out);
  } catch (error) {
    await iterator.return?.();
    throw error;
  }
  sheet.commit();
  // exceljs waits for the response to finish, which never happens once the client has closed it.
  await Promise.race([workbook.commit(), closedEarly(out)]);
}
