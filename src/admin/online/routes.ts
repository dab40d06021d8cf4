import type { Response } from 'express';
import type { ServiceContext } from '../../context';
import { lockRow, writeTransaction } from '../../db/dialect';
import { findEventById } from '../../events/queries';
import type { EventRecord } from '../../events/types';
import { AppError, NotFoundError, ValidationError } from '../../lib/errors';
import { formatInstant } from '../../lib/time';
import { FOLLOW_UP_RULES, deleteMaterial, followUpModel, insertMaterial, listMaterials, listRuns, MATERIAL_MAX_BYTES, ruleTimes, uploadType, VISIBILITY_LABELS, type FollowUpRule, type Material } from '../../online';
import { findBookingById, listAttendees } from '../../bookings';
import { describeBytes } from '../../web/body-limits';
import { fieldErrors, parseInput } from '../../web/validate';
import type { Views } from '../../web/views';
import { recordAudit } from '../audit/log';
import { staffOf } from '../auth/middleware';
import { findStaffEvent } from '../events/read';
import { formBody, idParam, slugParam } from '../params';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { uploadedFile, type UploadLimits, type UploadRoutes } from '../uploads';
import { followUpFormSchema, materialLinkSchema, materialUploadSchema } from './schemas';

/** The slides upload: one PDF, PPTX or ODP file of up to 25 MB, with its title, who may see it and the CSRF token. */
export const MATERIAL_UPLOAD: UploadLimits = { fileField: 'file', maxFileBytes: MATERIAL_MAX_BYTES, maxFields: 3, maxFieldBytes: 1024 };

const RULE_LABELS: Record<FollowUpRule, string> = {
  reminder_early: 'First reminder',
  reminder_late: 'Second reminder',
  thank_you: 'Thank-you to those who attended',
  missed_you: '"Sorry we missed you" to confirmed no-shows',
};

/** A preview shows where each private link goes, never the token itself (the organiser is not its holder). */
function hideTokens(text: string): string {
  return text.replace(/(token=)[A-Za-z0-9_-]+/g, '$1…').replace(/(\/join\/)[A-Za-z0-9_-]+/g, '$1…').replace(/(\/materials\/\d+\/\d+\/)[A-Za-z0-9_-]+/g, '$1…');
}

/** Each rule: when it goes (or went, and to how many), and the email as the first person it concerns would get it. */
async function followUpPage(ctx: ServiceContext, event: EventRecord) {
  const now = ctx.clock.now();
  const runs = await listRuns(ctx.db, event.id);
  const times = new Map(ruleTimes(event).map((t) => [t.rule, t]));
  const first = await ctx.db('attendees').join('bookings', 'bookings.id', 'attendees.booking_id').select('attendees.id', 'attendees.booking_id').where('attendees.event_id', event.id).where('attendees.status', 'active').where('bookings.status', 'confirmed').whereNot('attendees.email', '').orderBy('attendees.id').first();
  const booking = first && (await findBookingById(ctx.db, Number(first.booking_id)));
  const seat = booking && (await listAttendees(ctx.db, booking.id)).find((a) => a.id === Number(first.id));
  const rules = [];
  for (const rule of FOLLOW_UP_RULES) {
    const run = runs.get(rule);
    const time = times.get(rule);
    const state = run?.skippedReason
      ? `Not sent: ${run.skippedReason}`
      : run
      ? `Sent on ${formatInstant(run.claimedAt, event.timezone)} to ${run.recipients} ${run.recipients === 1 ? 'person' : 'people'}.`
      : !time
        ? 'Off.'
        : now >= time.closesAt
          ? `Not sent: its time (${formatInstant(time.dueAt, event.timezone)}) has passed.`
          : `Goes on ${formatInstant(time.dueAt, event.timezone)}${rule.startsWith('reminder') ? ', to everyone with a confirmed place booked by then' : ''}.`;
    const preview = time && booking && seat ? hideTokens(ctx.emails.render('follow-up', await followUpModel(ctx, rule, event, booking, seat)).text) : null;
    rules.push({ rule, label: RULE_LABELS[rule], state, preview, previewFor: seat?.name ?? null });
  }
  return rules;
}

export function onlineStaffRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter, uploads: UploadRoutes): void {
  const renderFollowUps = async (res: Response, event: EventRecord, form: Record<string, unknown> | null, errors: Record<string, string> = {}, status = 200, notice?: string) => {
    const f = event.followUps;
    const values = form ?? {
      reminderEarlyOn: f.reminderEarlyHours !== null, reminderEarlyHours: String(f.reminderEarlyHours ?? 168),
      reminderLateOn: f.reminderLateHours !== null, reminderLateHours: String(f.reminderLateHours ?? 24),
      thankYou: f.thankYou, missedYou: f.missedYou, followUpHours: String(f.followUpHours),
    };
    renderAdmin(views, res, 'follow-ups', { title: `Reminders and follow-ups: ${event.title}`, slug: event.slug, eventTitle: event.title, rules: await followUpPage(ctx, event), form: values, errors, hasErrors: status === 422, notice }, status);
  };

  routes.get('/events/:slug/follow-ups', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    await renderFollowUps(res, event, null, {}, 200, req.query.saved === '1' ? 'Saved. The times below are when each email goes.' : undefined);
  });

  routes.post('/events/:slug/follow-ups', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const body = formBody(req);
    try {
      const input = parseInput(followUpFormSchema, body);
      const now = ctx.clock.now();
      await writeTransaction(ctx.db, async (trx) => {
        await lockRow(trx, 'events', event.id);
        await trx('events').where({ id: event.id }).update({ reminder_early_hours: input.reminderEarlyHours, reminder_late_hours: input.reminderLateHours, thank_you_on: input.thankYou, missed_you_on: input.missedYou, follow_up_hours: input.followUpHours });
        await recordAudit(trx, staffOf(res), { action: 'follow_ups_changed', targetType: 'event', targetId: event.id, details: { slug: event.slug, ...input } }, now);
      });
      res.redirect(303, `/admin/events/${event.slug}/follow-ups?saved=1`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderFollowUps(res, event, body, fieldErrors(error), 422);
    }
  });

  const materialRows = (event: EventRecord, materials: Material[]) =>
    materials.map((m) => ({ id: m.id, title: m.title, kind: m.kind === 'recording' ? 'Recording' : 'Slides', what: m.url ? m.url : `${m.fileName} (${describeBytes(m.size ?? 0)})`, visibility: VISIBILITY_LABELS[m.visibility], publicUrl: m.visibility === 'public' ? `/events/${event.slug}/materials/${m.id}` : null }));

  // The page has two forms, each with a title and an audience: the summary links each message to its own form's field.
  const LINK_FIELDS: Record<string, string> = { kind: 'field-kind-recording', title: 'field-title', url: 'field-url', visibility: 'field-visibility-public' };
  const UPLOAD_FIELDS: Record<string, string> = { title: 'field-upload-title', file: 'field-file', visibility: 'field-upload-visibility-public' };
  const errorSummary = (errors: Record<string, string>, fields: Record<string, string>) => Object.entries(errors).map(([path, message]) => ({ href: `#${fields[path] ?? 'main'}`, message }));
  const renderMaterials = async (res: Response, event: EventRecord, extra: { form?: Record<string, unknown>; errors?: Record<string, string>; uploadErrors?: Record<string, string>; uploadForm?: Record<string, unknown>; notice?: string; problem?: string } = {}, status = 200) => {
    const materials = await listMaterials(ctx.db, event.id);
    renderAdmin(views, res, 'materials', {
      title: `Slides and recordings: ${event.title}`,
      slug: event.slug,
      eventTitle: event.title,
      materials: materialRows(event, materials),
      visibilities: Object.entries(VISIBILITY_LABELS).map(([value, label]) => ({ value, label })),
      maxFileSize: describeBytes(MATERIAL_MAX_BYTES),
      form: extra.form ?? { kind: 'recording', visibility: 'registrants' },
      uploadForm: extra.uploadForm ?? { visibility: 'registrants' },
      errors: extra.errors ?? {},
      uploadErrors: extra.uploadErrors ?? {},
      summary: errorSummary(extra.errors ?? {}, LINK_FIELDS).concat(errorSummary(extra.uploadErrors ?? {}, UPLOAD_FIELDS)),
      hasErrors: status === 422,
      notice: extra.notice,
      problem: extra.problem,
    }, status);
  };

  routes.get('/events/:slug/materials', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    await renderMaterials(res, event, { notice: req.query.saved === '1' ? 'Added.' : req.query.removed === '1' ? 'Removed.' : undefined });
  });

  routes.post('/events/:slug/materials', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const body = formBody(req);
    try {
      const input = parseInput(materialLinkSchema, body);
      await addMaterial(ctx, res, event, input);
      res.redirect(303, `/admin/events/${event.slug}/materials?saved=1`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderMaterials(res, event, { form: body, errors: fieldErrors(error) }, 422);
    }
  });

  uploads.accept('/events/:slug/materials/upload', 'events:manage', MATERIAL_UPLOAD, async (req, res, message) => {
    await renderMaterials(res, await findStaffEvent(ctx, slugParam(req)), { problem: message }, 413);
  });
  routes.post('/events/:slug/materials/upload', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const body = formBody(req);
    const file = uploadedFile(req);
    const problems = [];
    const fields = materialUploadSchema.safeParse(body);
    if (!fields.success) problems.push(...fields.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    const contentType = file && file.data.length > 0 ? uploadType(file.filename, file.data) : null;
    if (!file || file.data.length === 0) problems.push({ path: 'file', message: 'Choose the slides file to upload' });
    else if (!contentType) problems.push({ path: 'file', message: 'Upload slides as PDF, PowerPoint (.pptx) or OpenDocument (.odp)' });
    if (problems.length > 0 || !fields.success || !file || !contentType) {
      return renderMaterials(res, event, { uploadForm: body, uploadErrors: fieldErrors(new ValidationError(problems)) }, 422);
    }
    await addMaterial(ctx, res, event, { kind: 'slides', title: fields.data.title, visibility: fields.data.visibility, file: { name: file.filename.slice(0, 200), contentType, data: file.data } });
    res.redirect(303, `/admin/events/${event.slug}/materials?saved=1`);
  });

  routes.post('/events/:slug/materials/:id/delete', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const id = idParam(req, 'id');
    const now = ctx.clock.now();
    const removed = await writeTransaction(ctx.db, async (trx) => {
      const gone = await deleteMaterial(trx, event.id, id);
      if (gone) await recordAudit(trx, staffOf(res), { action: 'material_removed', targetType: 'event', targetId: event.id, details: { slug: event.slug, material: id } }, now);
      return gone;
    });
    if (!removed) throw new NotFoundError('not_found', 'No such material for this event.');
    res.redirect(303, `/admin/events/${event.slug}/materials?removed=1`);
  });
}

async function addMaterial(ctx: ServiceContext, res: Response, event: EventRecord, input: Parameters<typeof insertMaterial>[2]): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    if (!(await findEventById(trx, event.id))) throw new AppError('event_not_found', 'No event with that address.');
    const id = await insertMaterial(trx, event.id, input, now);
    await recordAudit(trx, staffOf(res), { action: 'material_added', targetType: 'event', targetId: event.id, details: { slug: event.slug, material: id, kind: input.kind, title: input.title, visibility: input.visibility, link: input.url ?? null, file: input.file?.name ?? null } }, now);
  });
}
