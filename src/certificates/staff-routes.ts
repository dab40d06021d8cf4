import type { Response } from 'express';
import { z } from 'zod';
import { staffOf } from '../admin/auth/middleware';
import { recordAudit } from '../admin/audit/log';
import { findStaffEvent } from '../admin/events/read';
import { formBody, idParam, slugParam } from '../admin/params';
import { renderAdmin } from '../admin/render';
import type { GuardedRouter } from '../admin/route-table';
import { uploadedFile, type UploadLimits, type UploadRoutes } from '../admin/uploads';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import type { EventRecord } from '../events/types';
import { ConflictError, ValidationError } from '../lib/errors';
import { unprintableCharacters } from '../lib/pdf-glyphs';
import { singleLineText } from '../lib/text';
import { formatRange } from '../lib/time';
import { describeBytes } from '../web/body-limits';
import { fieldErrors, parseInput } from '../web/validate';
import type { Views } from '../web/views';
import { unprintableMessage } from './pdf';
import { findPendingUpload, listAttendedSeats, recordAttendanceUpload, stageAttendanceUpload, type AttendancePreview } from './attendance';
import { eventMinutes, formatCpdHours, getCertificateSettings, minOnlineMinutes, parseCpdHours, saveCertificateSettings } from './settings';

/** An attendance report: one CSV of up to 2 MB (Zoom lists every rejoin; a thousand people fit many times over). */
export const ATTENDANCE_UPLOAD: UploadLimits = { fileField: 'file', maxFileBytes: 2 * 1024 * 1024, maxFields: 2, maxFieldBytes: 1024 };

const settingsSchema = z.object({
  issuesCertificates: z.preprocess((v) => v === 'on' || v === 'true', z.boolean()),
  cpdHours: z
    .preprocess((v) => (typeof v === 'string' ? v : ''), singleLineText(10, { tooLong: 'Enter the hours like 1.5' }))
    .transform((v, c) => {
      if (v === '') return 0;
      const minutes = parseCpdHours(v);
      if (minutes === null) {
        c.addIssue({ code: 'custom', message: 'Enter the CPD hours as a number like 1.5 or 2, coming to whole minutes (up to 99 hours)' });
        return z.NEVER;
      }
      return minutes;
    }),
  topics: z.preprocess((v) => (typeof v === 'string' ? v : ''), singleLineText(300, { tooLong: 'Write the topics in at most 300 characters' })).superRefine((topics, c) => {
    const characters = unprintableCharacters(topics);
    if (characters.length > 0) c.addIssue({ code: 'custom', message: unprintableMessage(characters) });
  }),
  minOnlineMinutes: z
    .preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string())
    .transform((v, c) => {
      if (v === '') return null;
      if (!/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > 1440) {
        c.addIssue({ code: 'custom', message: 'Enter the minutes as a whole number from 1 to 1440, or leave it empty for half the event' });
        return z.NEVER;
      }
      return Number(v);
    }),
});

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The organiser's page for an event's certificates: the settings, who attended, and the attendance upload with its preview. */
export function certificateStaffRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter, uploads: UploadRoutes): void {
  async function renderPage(res: Response, event: EventRecord, extra: { form?: Record<string, unknown>; errors?: Record<string, string>; notice?: string; problems?: Array<{ line: number | null; message: string }>; staged?: { id: number; filename: string; preview: AttendancePreview } | null; problem?: string } = {}, status = 200) {
    const settings = await getCertificateSettings(ctx.db, event);
    const minMinutes = minOnlineMinutes(settings, event);
    const attended = await listAttendedSeats(ctx.db, event.id, minMinutes * 60);
    const counts = await ctx.db('certificates').where({ event_id: event.id }).select(ctx.db.raw('count(*) as issued'), ctx.db.raw('count(email_queued_at) as emailed'), ctx.db.raw('count(first_downloaded_at) as downloaded')).first();
    const staged = extra.staged === undefined ? await findPendingUpload(ctx.db, event.id) : extra.staged;
    const form = extra.form ?? { issuesCertificates: settings.issuesCertificates, cpdHours: settings.cpdMinutes ? formatCpdHours(settings.cpdMinutes) : '', topics: settings.topics, minOnlineMinutes: settings.minOnlineMinutes === null ? '' : String(settings.minOnlineMinutes) };
    renderAdmin(views, res, 'certificates', {
      title: `Certificates: ${event.title}`,
      event: { slug: event.slug, title: event.title, when: formatRange(event.startsAt, event.endsAt, event.timezone), minutes: eventMinutes(event), hasEnded: ctx.clock.now().getTime() >= event.endsAt.getTime() },
      form,
      errors: extra.errors ?? {},
      hasErrors: Boolean(extra.errors && Object.keys(extra.errors).length),
      isDefault: settings.isDefault,
      needsHours: settings.issuesCertificates && settings.cpdMinutes === 0,
      unprintableTitle: settings.issuesCertificates ? unprintableCharacters(event.title).join(', ') : '',
      minMinutes,
      minutesHint: `For attendance reports. Leave empty for half the event's length (${Math.ceil(eventMinutes(event) / 2)} minutes).`,
      attended: {
        total: attended.length,
        door: attended.filter((a) => a.by === 'door').length,
        joined: attended.filter((a) => a.by === 'joined').length,
        report: attended.filter((a) => a.by === 'report').length,
      },
      certificates: { issued: Number(counts?.issued ?? 0), emailed: Number(counts?.emailed ?? 0), downloaded: Number(counts?.downloaded ?? 0) },
      staged: staged ? { ...staged, counts: { matched: staged.preview.matched.length, below: staged.preview.belowThreshold.length, unmatched: staged.preview.unmatched.length } } : null,
      problems: extra.problems ?? null,
      problem: extra.problem,
      notice: extra.notice,
      maxFileSize: describeBytes(ATTENDANCE_UPLOAD.maxFileBytes),
    }, status);
  }

  routes.get('/events/:slug/certificates', 'attendees:read', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const notice = typeof req.query.recorded === 'string' && /^\d+$/.test(req.query.recorded) ? `Attendance recorded: ${plural(Number(req.query.recorded), 'person', 'people')} present long enough. Their certificates go out with the next run of the certificate job (every 15 minutes).` : req.query.saved === '1' ? 'Certificate settings saved.' : undefined;
    await renderPage(res, event, { notice });
  });

  routes.post('/events/:slug/certificates', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const form = formBody(req);
    try {
      const input = parseInput(settingsSchema, form);
      const settings = { issuesCertificates: input.issuesCertificates, cpdMinutes: input.cpdHours, topics: input.topics, minOnlineMinutes: input.minOnlineMinutes };
      const now = ctx.clock.now();
      await writeTransaction(ctx.db, async (trx) => {
        await saveCertificateSettings(trx, event.id, settings, now);
        await recordAudit(trx, staffOf(res), { action: 'certificate_settings_changed', targetType: 'event', targetId: event.id, details: { issues: settings.issuesCertificates, hours: formatCpdHours(settings.cpdMinutes), topics: settings.topics, minOnlineMinutes: settings.minOnlineMinutes } }, now);
      });
      res.redirect(303, `/admin/events/${event.slug}/certificates?saved=1`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderPage(res, event, { form: { ...form, issuesCertificates: form.issuesCertificates === 'on' }, errors: fieldErrors(error) }, 422);
    }
  });

  uploads.accept('/events/:slug/attendance', 'attendees:manage', ATTENDANCE_UPLOAD, async (req, res, message) => renderPage(res, await findStaffEvent(ctx, slugParam(req)), { problems: [{ line: null, message }], staged: null }, 413));

  // The report is read and shown as a preview; attendance is recorded only when the preview is confirmed.
  routes.post('/events/:slug/attendance', 'attendees:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const file = uploadedFile(req);
    // No file chosen (browsers send an empty part without a name); a chosen file that is empty is told so by the reader.
    if (!file || (file.data.length === 0 && file.filename === '')) return renderPage(res, event, { problems: [{ line: null, message: 'Choose the attendance report (a CSV file) to upload.' }], staged: null }, 422);
    const staged = await stageAttendanceUpload(ctx.db, staffOf(res), event, { filename: file.filename, data: file.data }, ctx.clock.now());
    if (staged.id === null) return renderPage(res, event, { problems: staged.problems, staged: null }, 422);
    await renderPage(res, event, { staged: { id: staged.id, filename: file.filename, preview: staged.preview } });
  });

  routes.post('/events/:slug/attendance/:id/record', 'attendees:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    try {
      const recorded = await recordAttendanceUpload(ctx.db, staffOf(res), event, idParam(req, 'id'), ctx.clock.now());
      res.redirect(303, `/admin/events/${event.slug}/certificates?recorded=${recorded.matched}`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      await renderPage(res, event, { problem: error.message }, 409);
    }
  });
}
