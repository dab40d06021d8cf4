import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Response } from 'express';
import type { ServiceContext } from '../../context';
import type { EventRecord } from '../../events/types';
import { recordAudit, type Actor } from '../audit/log';
import { encodeBatches, isClientDisconnect } from '../../lib/streams';
import { questionColumns, withAnswerBatches, type QuestionColumn } from './answers';
import { toExportRecord } from './columns';
import { streamAttendeesCsv } from './export-csv';
import { streamAttendeesXlsx } from './export-xlsx';
import { iterateAttendees, type AttendeeFilter, type AttendeeListRow } from './queries';

const TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
} as const;

export type DownloadFormat = keyof typeof TYPES;

/** How an attendee list left the service: a file (csv, xlsx, json) or the printable sign-in sheet. */
export type AuditedFormat = DownloadFormat | 'sign_in_sheet';

/**
 * Records who took an event's attendee list, in which format, with which filter, through the staff pages or the API:
 * the list is personal data (names, emails, dietary and access needs), so every copy that leaves is accounted for
 * (GDPR Art. 5(2), accountability; OWASP Logging Cheat Sheet, "data export"). Written before the first byte is sent:
 * a download that cannot be recorded does not happen.
 */
export async function recordAttendeeDownload(ctx: ServiceContext, actor: Actor, event: EventRecord, download: { format: AuditedFormat; surface: 'page' | 'api'; filter?: AttendeeFilter }): Promise<void> {
  const filter = Object.fromEntries(Object.entries(download.filter ?? {}).filter(([, value]) => value !== undefined && value !== ''));
  await recordAudit(ctx.db, actor, { action: 'attendees_downloaded', targetType: 'event', targetId: event.id, details: { slug: event.slug, format: download.format, surface: download.surface, ...(Object.keys(filter).length ? { filter } : {}) } }, ctx.clock.now());
}

/** JSON written a batch at a time, like the other formats. */
async function streamJson(event: EventRecord, batches: AsyncIterable<AttendeeListRow[]>, res: Response, columns: QuestionColumn[]): Promise<void> {
  const text = encodeBatches(batches, {
    head: `{"event":${JSON.stringify({ slug: event.slug, title: event.title, timezone: event.timezone })},"attendees":[`,
    encode: (batch, first) =>
      (first ? '' : ',') +
      batch
        .map((row) => {
          const r = toExportRecord(row);
          // `id` names the seat for the staff API (cancelling one place). `pricePaid` is kept for existing API clients:
          // it was always the seat's price, paid or not, which `price` now says plainly beside `amountPaid`.
          // `answers`: each with the wording it was given under (`question`) and its question's id.
          const answers = (row.answerRecords ?? []).map((a) => ({ questionId: a.questionId, question: a.label, answer: a.text }));
          const { answers: _cells, ...fields } = r;
          return JSON.stringify({ id: row.id, ...fields, discountCode: r.discountCode || null, pricePaid: r.price, currency: row.currency, bookedAt: r.bookedAt.toISOString(), checkedInAt: r.checkedInAt?.toISOString() ?? null, mode: row.mode, joinedAt: r.joinedAt?.toISOString() ?? null, ...(columns.length ? { answers } : {}) });
        })
        .join(','),
    tail: ']}',
  });
  await pipeline(Readable.from(text, { objectMode: false }), res);
}

/**
 * Sends the attendee list as a download: personal data, so never cached. A client that goes away part way
 * (tab closed, download cancelled) is normal: the download stops reading rows and ends quietly.
 */
export async function sendAttendeeDownload(ctx: ServiceContext, event: EventRecord, filter: AttendeeFilter, format: DownloadFormat, res: Response, options: { includeSensitive?: boolean } = {}): Promise<void> {
  const columns = await questionColumns(ctx.db, event.id, { includeSensitive: options.includeSensitive ?? false });
  res.status(200).set({
    'Content-Type': TYPES[format],
    'Content-Disposition': `attachment; filename="${event.slug}-attendees.${format}"`,
    'Cache-Control': 'no-store',
  });
  try {
    const batches = withAnswerBatches(ctx.db, iterateAttendees(ctx.db, event.id, filter), columns);
    if (format === 'csv') await streamAttendeesCsv(batches, event.timezone, res, columns);
    else if (format === 'xlsx') await streamAttendeesXlsx(batches, event.timezone, res, columns);
    else await streamJson(event, batches, res, columns);
  } catch (error) {
    if (isClientDisconnect(error, res)) return;
    // Our failure. Before any byte is sent, the error page must not arrive as the attachment; after, the
    // connection is cut, so the client sees a failed download rather than a file that merely looks short.
    if (!res.headersSent) res.removeHeader('Content-Disposition');
    else if (!res.destroyed) res.destroy();
    throw error;
  }
}
