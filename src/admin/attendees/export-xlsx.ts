import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
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
  { key: 'pricePaid', width: 14, style: { numFmt: MONEY_FORMAT } },
  { key: 'paymentStatus', width: 18 },
  { key: 'bookingStatus', width: 16 },
  { key: 'dietary', width: 24 },
  { key: 'accessibility', width: 28 },
  { key: 'bookedAt', width: 18, style: { numFmt: DATE_FORMAT } },
  { key: 'checkedInAt', width: 18, style: { numFmt: DATE_FORMAT } },
].map((c, i) => ({ ...c, header: EXPORT_HEADERS[i] }));

/**
 * Streams the attendee list as XLSX with typed cells (dates as dates in the event's wall-clock time,
 * prices as numbers in pounds with a £ format) and a frozen header row. Rows are committed as they are
 * written, so the workbook is never held whole in memory.
 */
export async function streamAttendeesXlsx(batches: AsyncIterable<AttendeeListRow[]>, zone: string, out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Attendees', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS;
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  for await (const batch of batches) {
    for (const row of batch) {
      const r = toExportRecord(row);
      sheet
        .addRow({
          ...r,
          // Integer pence to pounds: one division of an exact integer by 100, shown to 2 places.
          pricePaid: r.pricePaid / 100,
          bookedAt: wallClockDate(r.bookedAt, zone),
          checkedInAt: r.checkedInAt ? wallClockDate(r.checkedInAt, zone) : null,
        })
        .commit();
    }
  }
  sheet.commit();
  await workbook.commit();
}
