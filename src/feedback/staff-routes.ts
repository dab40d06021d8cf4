import type { Response } from 'express';
import { z } from 'zod';
import { staffOf } from '../admin/auth/middleware';
import { recordAudit } from '../admin/audit/log';
import { findStaffEvent } from '../admin/events/read';
import { formBody, slugParam } from '../admin/params';
import { renderAdmin } from '../admin/render';
import type { GuardedRouter } from '../admin/route-table';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import type { EventRecord } from '../events/types';
import { toCsv } from '../lib/csv';
import { ValidationError } from '../lib/errors';
import { singleLineText } from '../lib/text';
import { formatRange } from '../lib/time';
import { fieldErrors, parseInput } from '../web/validate';
import type { Views } from '../web/views';
import { responsesForExport, summariseSurvey } from './responses';
import { getSurveySettings, MAX_EXTRA_QUESTIONS, saveSurveySettings, type SurveyQuestion } from './survey';

const SLOTS = Array.from({ length: MAX_EXTRA_QUESTIONS }, (_, i) => i + 1);
const flag = z.preprocess((v) => v === 'on' || v === 'true', z.boolean());

const settingsSchema = z.object({
  isOpen: flag,
  isAnonymous: flag,
  repeatRule: z.enum(['update', 'refuse'], { message: 'Choose what a second answer does' }),
  ...Object.fromEntries(
    SLOTS.flatMap((n) => [
      [`q${n}Label`, z.preprocess((v) => (typeof v === 'string' ? v : ''), singleLineText(200, { tooLong: 'Write the question in at most 200 characters' }))],
      [`q${n}Kind`, z.preprocess((v) => (v === undefined || v === '' ? 'text' : v), z.enum(['rating', 'text'], { message: 'Choose a rating or a written answer' }))],
    ]),
  ),
});

/** The organiser's page for an event's survey: its settings, the response count and rate, the ratings and the free text, the CSV. */
export function feedbackStaffRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  async function renderPage(res: Response, event: EventRecord, extra: { form?: Record<string, unknown>; errors?: Record<string, string>; notice?: string } = {}, status = 200) {
    const settings = await getSurveySettings(ctx.db, event.id);
    const summary = await summariseSurvey(ctx.db, event);
    const form = extra.form ?? {
      isOpen: settings.isOpen,
      isAnonymous: settings.isAnonymous,
      repeatRule: settings.repeatRule,
      ...Object.fromEntries(SLOTS.flatMap((n) => [[`q${n}Label`, settings.extraQuestions[n - 1]?.label ?? ''], [`q${n}Kind`, settings.extraQuestions[n - 1]?.kind ?? 'text']])),
    };
    const errors = extra.errors ?? {};
    renderAdmin(views, res, 'feedback', {
      title: `Feedback: ${event.title}`,
      event: { slug: event.slug, title: event.title, when: formatRange(event.startsAt, event.endsAt, event.timezone) },
      summary,
      isLocked: summary.responses > 0,
      form,
      extraSlots: SLOTS.map((n) => ({
        n,
        label: { id: `field-q${n}Label`, name: `q${n}Label`, value: form[`q${n}Label`] ?? '', error: errors[`q${n}Label`] },
        kindId: `field-q${n}Kind`,
        kindName: `q${n}Kind`,
        isRating: form[`q${n}Kind`] === 'rating',
      })),
      isRefuse: form.repeatRule === 'refuse',
      errors,
      hasErrors: Object.keys(errors).length > 0,
      notice: extra.notice,
    }, status);
  }

  routes.get('/events/:slug/feedback', 'attendees:read', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    await renderPage(res, event, { notice: req.query.saved === '1' ? 'Survey settings saved.' : undefined });
  });

  routes.post('/events/:slug/feedback', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const form = formBody(req);
    try {
      const input = parseInput(settingsSchema, form) as Record<string, unknown> & { isOpen: boolean; isAnonymous: boolean; repeatRule: 'update' | 'refuse' };
      const current = await getSurveySettings(ctx.db, event.id);
      const responses = (await summariseSurvey(ctx.db, event)).responses;
      const extraQuestions: SurveyQuestion[] = SLOTS.filter((n) => String(input[`q${n}Label`]).trim() !== '').map((n) => ({ key: `x${n}`, kind: input[`q${n}Kind`] as SurveyQuestion['kind'], label: String(input[`q${n}Label`]).trim(), isRequired: false }));
      // Once people have answered, the questions and the anonymity stay as they answered them.
      const locked = responses > 0;
      if (locked && input.isAnonymous !== current.isAnonymous) throw new ValidationError([{ path: 'isAnonymous', message: 'People have already answered, so the survey cannot change between anonymous and named' }]);
      const settings = { isOpen: input.isOpen, isAnonymous: input.isAnonymous, repeatRule: input.repeatRule, extraQuestions: locked ? current.extraQuestions : extraQuestions };
      const now = ctx.clock.now();
      await writeTransaction(ctx.db, async (trx) => {
        await saveSurveySettings(trx, event.id, settings, now);
        await recordAudit(trx, staffOf(res), { action: 'survey_settings_changed', targetType: 'event', targetId: event.id, details: { open: settings.isOpen, anonymous: settings.isAnonymous, repeat: settings.repeatRule, extraQuestions: settings.extraQuestions.length } }, now);
      });
      res.redirect(303, `/admin/events/${event.slug}/feedback?saved=1`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderPage(res, event, { form: { ...form, isOpen: form.isOpen === 'on', isAnonymous: form.isAnonymous === 'on' }, errors: fieldErrors(error) }, 422);
    }
  });

  routes.get('/events/:slug/feedback.csv', 'attendees:read', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const { headers, rows } = await responsesForExport(ctx.db, event);
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="feedback-${event.slug}.csv"`, 'Cache-Control': 'no-store' }).send(toCsv(headers, rows));
  });
}
