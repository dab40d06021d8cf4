import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { staffOf } from '../admin/auth/middleware';
import { publishEvent } from '../admin/events/service';
import { findStaffEvent } from '../admin/events/read';
import { renderPublishRefusal } from '../admin/events/page';
import { formBody, slugParam } from '../admin/params';
import { renderAdmin } from '../admin/render';
import type { GuardedRouter } from '../admin/route-table';
import { uploadedFile, type UploadLimits, type UploadRoutes } from '../admin/uploads';
import type { ServiceContext } from '../context';
import type { EventRecord } from '../events/types';
import { KIND_LABELS, REGION_LABELS } from '../events/types';
import { toCsv } from '../lib/csv';
import { AppError, ConflictError, ValidationError } from '../lib/errors';
import { formatInstant } from '../lib/time';
import { describeBytes } from '../web/body-limits';
import { fieldErrors, parseInput } from '../web/validate';
import type { Views } from '../web/views';
import { announceEvent, announcementState, sendAnnouncementUpdate, updateSubject } from './announce';
import { importSubscribers, type ImportReport } from './import';
import { countSubscribers, listConfirmedSubscribers } from './queries';
import { announceFormSchema, updateFormSchema } from './schemas';
import { announcementModel, newEventSubject } from './templates';
import { describeChoices, FOLLOWED_REGIONS, type Choices } from './types';

/** The subscriber list upload: one CSV of up to 5 MB and the form's CSRF token. */
export const SUBSCRIBER_UPLOAD: UploadLimits = { fileField: 'file', maxFileBytes: 5 * 1024 * 1024, maxFields: 2, maxFieldBytes: 1024 };

const newRequestKey = () => randomBytes(18).toString('base64url');

/** "evening meetings or London": who an event reaches besides those who follow everything. */
function audienceWords(event: EventRecord): string {
  const region = (FOLLOWED_REGIONS as readonly string[]).includes(event.region) ? ` or ${event.region === 'online' ? 'online events' : REGION_LABELS[event.region]}` : '';
  return `${KIND_LABELS[event.kind].toLowerCase()}s${region}`;
}

/** The email as a subscriber would get it, for the organiser to read before sending; the private link is a placeholder. */
function preview(ctx: ServiceContext, event: EventRecord, kind: 'new' | 'update', subject: string, message: string) {
  const everything: Choices = { allEvents: true, kinds: [], regions: [] };
  const content = ctx.emails.render('announcement', announcementModel(ctx, { kind, message }, event, everything, `${ctx.config.publicUrl}/subscriptions/(each subscriber's own link)`));
  return { subject, text: content.text };
}

/**
 * The staff side of the announcement list: the publish confirmation that offers to announce, the event's announcement
 * page (announce later, or send an update to the same people, each with a preview), and the administrator's
 * subscriber page (figures by choice, import, export).
 */
export function announcementStaffRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter, uploads: UploadRoutes): void {
  routes.get('/events/:slug/publish', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    if (event.status !== 'draft') return res.redirect(303, `/admin/events/${event.slug}`);
    const state = await announcementState(ctx, event);
    renderAdmin(views, res, 'announcements/publish', {
      title: `Publish ${event.title}`,
      event: { title: event.title, slug: event.slug },
      audience: state.audienceNow,
      audienceWords: audienceWords(event),
      preview: preview(ctx, event, 'new', newEventSubject(ctx, event), ''),
      requestKey: newRequestKey(),
    });
  });

  routes.post('/events/:slug/publish-and-announce', 'events:manage', async (req, res) => {
    const slug = slugParam(req);
    const { requestKey } = parseInput(announceFormSchema, formBody(req));
    // Not publishable (an online event without its meeting address): the event page says why, as Publish does.
    const event = await publishEvent(ctx, staffOf(res), slug).catch(async (error: unknown) => {
      if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
      await renderPublishRefusal(ctx, views, res, slug, error);
      return null;
    });
    if (!event) return;
    const sent = await announceEvent(ctx, staffOf(res), event.id, requestKey);
    res.redirect(303, `/admin/events/${slug}/announcements?announced=${sent}`);
  });

  const announcementsPage = async (res: Response, event: EventRecord, extra: Record<string, unknown> = {}, status = 200) => {
    const state = await announcementState(ctx, event);
    renderAdmin(views, res, 'announcements/event', {
      title: `Announcements: ${event.title}`,
      event: { title: event.title, slug: event.slug, isPublished: event.status === 'published', isDraft: event.status === 'draft' },
      history: state.announcements.map((a) => ({ kind: a.kind === 'new' ? 'Announced' : 'Update sent', subject: a.subject, count: a.recipientCount, at: formatInstant(a.createdAt, event.timezone), by: a.createdBy ?? 'a former staff member' })),
      announced: !!state.first,
      audience: state.audienceNow,
      audienceWords: audienceWords(event),
      updateAudience: state.updateAudience,
      newPreview: state.first ? null : preview(ctx, event, 'new', newEventSubject(ctx, event), ''),
      requestKey: newRequestKey(),
      form: {},
      errors: {},
      ...extra,
    }, status);
  };

  routes.get('/events/:slug/announcements', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const announced = typeof req.query.announced === 'string' && /^\d{1,7}$/.test(req.query.announced) ? Number(req.query.announced) : null;
    await announcementsPage(res, event, { justAnnounced: announced, justUpdated: req.query.updated === '1' });
  });

  routes.post('/events/:slug/announcements/new', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    try {
      const { requestKey } = parseInput(announceFormSchema, formBody(req));
      const sent = await announceEvent(ctx, staffOf(res), event.id, requestKey);
      res.redirect(303, `/admin/events/${event.slug}/announcements?announced=${sent}`);
    } catch (error) {
      if (!(error instanceof ConflictError || error instanceof ValidationError)) throw error;
      await announcementsPage(res, event, { problem: error instanceof ValidationError ? 'The form is out of date: nothing was sent. Look at the page again.' : error.message }, error.status);
    }
  });

  // An update: "Preview" shows the email with the real subject; "Send to N people" sends it (once per form).
  routes.post('/events/:slug/announcements/update', 'events:manage', async (req: Request, res: Response) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const body = formBody(req);
    const form = { subject: body.subject, message: body.message, requestKey: body.requestKey };
    try {
      const input = parseInput(updateFormSchema, form);
      if (body.step !== 'send') {
        return await announcementsPage(res, event, { form, updatePreview: preview(ctx, event, 'update', updateSubject(event, input.subject), input.message), requestKey: input.requestKey });
      }
      await sendAnnouncementUpdate(ctx, staffOf(res), event.id, input);
      res.redirect(303, `/admin/events/${event.slug}/announcements?updated=1`);
    } catch (error) {
      if (error instanceof ValidationError) return announcementsPage(res, event, { form, errors: fieldErrors(error), hasErrors: true }, 422);
      if (error instanceof AppError && error.code === 'not_announced') return announcementsPage(res, event, { form, problem: error.message }, 409);
      throw error;
    }
  });

  const subscribersPage = async (res: Response, extra: { report?: ImportReport; problem?: string } = {}, status = 200) => {
    const counts = await countSubscribers(ctx.db);
    renderAdmin(views, res, 'announcements/subscribers', {
      title: 'Subscribers',
      counts,
      kinds: Object.entries(counts.byKind).map(([k, n]) => ({ label: `${KIND_LABELS[k as keyof typeof KIND_LABELS]}s`, n })),
      regions: Object.entries(counts.byRegion).map(([r, n]) => ({ label: r === 'online' ? 'Online events' : REGION_LABELS[r as keyof typeof REGION_LABELS], n })),
      maxFileSize: describeBytes(SUBSCRIBER_UPLOAD.maxFileBytes),
      report: extra.report && !extra.report.rejected.length && !extra.report.fileProblems.length ? extra.report : null,
      failed: extra.report && (extra.report.rejected.length || extra.report.fileProblems.length) ? extra.report : null,
      problem: extra.problem,
    }, status);
  };

  routes.get('/subscribers', 'subscribers:manage', async (_req, res) => {
    await subscribersPage(res);
  });

  uploads.accept('/subscribers/import', 'subscribers:manage', SUBSCRIBER_UPLOAD, (_req, res, message) => subscribersPage(res, { problem: message }, 413));

  routes.post('/subscribers/import', 'subscribers:manage', async (req, res) => {
    const file = uploadedFile(req);
    if (!file || file.data.length === 0) return subscribersPage(res, { problem: 'Choose a CSV file to import.' }, 422);
    const report = await importSubscribers(ctx, staffOf(res), file.data, file.filename);
    await subscribersPage(res, { report }, report.rejected.length || report.fileProblems.length ? 422 : 200);
  });

  routes.get('/subscribers/export.csv', 'subscribers:manage', async (_req, res) => {
    const subscribers = await listConfirmedSubscribers(ctx.db);
    const csv = toCsv(
      ['Email', 'Hears about', 'Consent date (UTC)', 'Consent source', 'Confirmed (UTC)', 'Refusals by the mail relay'],
      subscribers.map((s) => [s.email, describeChoices(s), s.consentAt?.toISOString() ?? '', s.consentSource ?? '', s.confirmedAt?.toISOString() ?? '', s.refusals]),
    );
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="hsug-subscribers.csv"', 'Cache-Control': 'no-store' }).send(csv);
  });
}
