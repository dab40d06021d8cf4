import type { Response } from 'express';
import type { ServiceContext } from '../../context';
import type { EventRecord } from '../../events/types';
import { toExportRecord } from './columns';
import { streamAttendeesCsv } from './export-csv';
import { streamAttendeesXlsx } from './export-xlsx';
import { iterateAttendees, type AttendeeFilter } from './queries';

const TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
} as const;

export type DownloadFormat = keyof typeof TYPES;

/** JSON written a batch at a time, like the other formats. */
async function streamJson(ctx: ServiceContext, event: EventRecord, filter: AttendeeFilter, res: Response): Promise<void> {
  res.write(`{"event":${JSON.stringify({ slug: event.slug, title: event.title, timezone: event.timezone })},"attendees":[`);
  let first = true;
  for await (const batch of iterateAttendees(ctx.db, event.id, filter)) {
    const text = batch
      .map((row) => {
        const r = toExportRecord(row);
        return JSON.stringify({ ...r, currency: row.currency, bookedAt: r.bookedAt.toISOString(), checkedInAt: r.checkedInAt?.toISOString() ?? null });
      })
      .join(',');
    if (!res.write(`${first ? '' : ','}${text}`)) await new Promise((resolve) => res.once('drain', resolve));
    first = false;
  }
  res.end(']}');
}

/** Sends the attendee list as a download: personal data, so never cached. */
export async function sendAttendeeDownload(ctx: ServiceContext, event: EventRecord, filter: AttendeeFilter, format: DownloadFormat, res: Response): Promise<void> {
  res.status(200).set({
    'Content-Type': TYPES[format],
    'Content-Disposition': `attachment; filename="${event.slug}-attendees.${format}"`,
    'Cache-Control': 'no-store',
  });
  const batches = iterateAttendees(ctx.db, event.id, filter);
  if (format === 'csv') await streamAttendeesCsv(batches, event.timezone, res);
  else if (format === 'xlsx') await streamAttendeesXlsx(batches, event.timezone, res);
  else await streamJson(ctx, event, filter, res);
}
