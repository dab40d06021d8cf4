import type { Response } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../../context';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Views } from '../../web/views';
import { fieldErrors, parseInput, parseRequest } from '../../web/validate';
import { staffOf } from '../auth/middleware';
import { listAllTicketTypes } from '../events/queries';
import { findStaffEvent } from '../events/read';
import { formBody, idParam, slugParam } from '../params';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { codeChoices, codeRows, questionChoices, questionFormValues, questionRows } from './present';
import { codeFormSchema, questionFormSchema } from './schemas';
import { addQuestion, countAnswers, createCode, listCodesWithUses, listEventQuestions, removeQuestion, setCodeActive, updateQuestion } from './service';

/** Organisers' pages for an event's registration questions and its discount codes, and the list of every code. */
export function bookingSetupRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  const renderQuestionForm = async (res: Response, slug: string, model: { form: Record<string, unknown>; errors: Record<string, string>; questionId?: number }, status = 200) => {
    const event = await findStaffEvent(ctx, slug);
    const all = await listEventQuestions(ctx.db, event.id);
    const self = all.find((q) => q.id === model.questionId);
    const earlier = self ? all.filter((q) => q.position < self.position || (q.position === self.position && q.id < self.id)) : all;
    renderAdmin(views, res, 'question-form', { title: model.questionId ? 'Edit question' : 'New question', slug: event.slug, eventTitle: event.title, isNew: !model.questionId, ...model, ...questionChoices(model.form, earlier), hasErrors: status === 422 }, status);
  };

  routes.get('/events/:slug/questions', 'events:read', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const questions = await listEventQuestions(ctx.db, event.id);
    const notice = { added: 'Question added.', saved: 'Question saved. Answers already given keep the wording they were given under.', deleted: 'Question removed.', archived: 'Question removed from the form. Its answers are kept, with their wording.' }[String(req.query.notice)] ?? null;
    renderAdmin(views, res, 'questions', { title: `Questions: ${event.title}`, slug: event.slug, eventTitle: event.title, questions: questionRows(questions, await countAnswers(ctx.db, questions.map((q) => q.id))), notice });
  });

  routes.get('/events/:slug/questions/new', 'events:manage', async (req, res) => {
    await renderQuestionForm(res, slugParam(req), { form: { scope: 'booking', kind: 'short_text' }, errors: {} });
  });

  routes.post('/events/:slug/questions', 'events:manage', async (req, res) => {
    const slug = slugParam(req);
    const body = formBody(req);
    try {
      await addQuestion(ctx, staffOf(res), slug, parseInput(questionFormSchema, body));
      res.redirect(303, `/admin/events/${slug}/questions?notice=added`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderQuestionForm(res, slug, { form: body, errors: fieldErrors(error) }, 422);
    }
  });

  routes.get('/events/:slug/questions/:id/edit', 'events:manage', async (req, res) => {
    const slug = slugParam(req);
    const id = idParam(req, 'id');
    const event = await findStaffEvent(ctx, slug);
    const question = (await listEventQuestions(ctx.db, event.id)).find((q) => q.id === id);
    if (!question) throw new NotFoundError('not_found', 'No such question for this event.');
    await renderQuestionForm(res, slug, { form: questionFormValues(question), errors: {}, questionId: id });
  });

  routes.post('/events/:slug/questions/:id', 'events:manage', async (req, res) => {
    const slug = slugParam(req);
    const id = idParam(req, 'id');
    const body = formBody(req);
    try {
      await updateQuestion(ctx, staffOf(res), slug, id, parseInput(questionFormSchema, body));
      res.redirect(303, `/admin/events/${slug}/questions?notice=saved`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderQuestionForm(res, slug, { form: body, errors: fieldErrors(error), questionId: id }, 422);
    }
  });

  routes.post('/events/:slug/questions/:id/remove', 'events:manage', async (req, res) => {
    const slug = slugParam(req);
    const outcome = await removeQuestion(ctx, staffOf(res), slug, idParam(req, 'id'));
    res.redirect(303, `/admin/events/${slug}/questions?notice=${outcome}`);
  });

  const renderCodeForm = async (res: Response, slug: string, form: Record<string, unknown>, errors: Record<string, string>, status = 200) => {
    const event = await findStaffEvent(ctx, slug);
    const types = await listAllTicketTypes(ctx.db, event.id);
    renderAdmin(views, res, 'code-form', { title: 'New discount code', slug: event.slug, eventTitle: event.title, form, errors, ...codeChoices(form, types), hasErrors: status === 422 }, status);
  };

  routes.get('/events/:slug/codes', 'events:read', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const types = await listAllTicketTypes(ctx.db, event.id);
    const codes = await listCodesWithUses(ctx, event.id);
    renderAdmin(views, res, 'codes', { title: `Discount codes: ${event.title}`, slug: event.slug, eventTitle: event.title, codes: codeRows(codes, event.timezone, types), notice: req.query.notice === 'created' ? 'Discount code created.' : null });
  });

  routes.get('/events/:slug/codes/new', 'events:manage', async (req, res) => {
    await renderCodeForm(res, slugParam(req), { kind: 'percent', forEvent: 'this' }, {});
  });

  routes.post('/events/:slug/codes', 'events:manage', async (req, res) => {
    const slug = slugParam(req);
    const body = formBody(req);
    try {
      const event = await findStaffEvent(ctx, slug);
      await createCode(ctx, staffOf(res), slug, parseInput(codeFormSchema(event.timezone), body));
      res.redirect(303, `/admin/events/${slug}/codes?notice=created`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderCodeForm(res, slug, body, fieldErrors(error), 422);
    }
  });

  routes.get('/codes', 'events:read', async (_req, res) => {
    const codes = await listCodesWithUses(ctx);
    renderAdmin(views, res, 'codes', { title: 'Discount codes', codes: codeRows(codes, ctx.config.timezone), isAll: true });
  });

  const codeParam = (req: Parameters<Parameters<GuardedRouter['post']>[2]>[0]) =>
    parseRequest(req, { params: z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/) }), notFound: () => new NotFoundError('not_found', 'No such discount code.') }).params.code;

  for (const [action, isActive] of [['withdraw', false], ['restore', true]] as const) {
    routes.post(`/codes/:code/${action}`, 'events:manage', async (req, res) => {
      await setCodeActive(ctx, staffOf(res), codeParam(req), isActive);
      const back = typeof formBody(req).back === 'string' && /^\/admin\/(events\/[a-z0-9-]+\/)?codes$/.test(String(formBody(req).back)) ? String(formBody(req).back) : '/admin/codes';
      res.redirect(303, back);
    });
  }
}

