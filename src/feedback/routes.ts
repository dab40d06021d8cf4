import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { referenceSchema, tokenSchema } from '../bookings/schemas';
import { getSeatForHolder, type SeatView } from '../bookings/seats';
import { bookingNotFound } from '../bookings/view';
import type { ServiceContext } from '../context';
import { contactEmailFor } from '../events/terms';
import { AppError, ValidationError } from '../lib/errors';
import { formatRange } from '../lib/time';
import { limitLinks } from '../web/rate-limit';
import { fieldErrors, parseInput, parseRequest } from '../web/validate';
import type { Views } from '../web/views';
import { answersSchema, hasResponded, previousAnswers, submitSurvey, surveyRefusal, type Answers } from './responses';
import { getSurveySettings, questionsOf } from './survey';

const seatParams = z.object({ reference: referenceSchema, attendeeId: z.coerce.number().int().positive().max(2_147_483_647) });
const parseSeat = (req: Request) => parseRequest(req, { params: seatParams, notFound: bookingNotFound }).params;
const queryToken = (req: Request) => (typeof req.query.token === 'string' && tokenSchema.safeParse(req.query.token).success ? req.query.token : undefined);
const bodyToken = (req: Request) => z.object({ token: tokenSchema }).safeParse(req.body ?? {}).data?.token;

const RATING_WORDS = ['Poor', 'Fair', 'Good', 'Very good', 'Excellent'];

/** The feedback survey of one seat (`/bookings/:reference/seats/:attendeeId/feedback?token=…`), opened with the seat's link or the booking's. */
export function feedbackRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();
  const links = limitLinks(ctx);
  const privatePage = (res: Response) => res.set('Referrer-Policy', 'no-referrer').set('Cache-Control', 'no-store').type('html');
  const seatOf = (req: Request, token: string | undefined) => {
    const { reference, attendeeId } = parseSeat(req);
    return getSeatForHolder(ctx, reference, attendeeId, token, { allowCancelled: true });
  };

  async function renderSurvey(view: SeatView, token: string, extra: { form?: Record<string, unknown>; errors?: Record<string, string>; problem?: string; sent?: 'recorded' | 'updated' } = {}) {
    const settings = await getSurveySettings(ctx.db, view.event.id);
    const refusal = surveyRefusal(view, settings, ctx.clock.now());
    const answered = await hasResponded(ctx.db, view.event.id, view.seat.id);
    const canAnswerAgain = !settings.isAnonymous && settings.repeatRule === 'update';
    const previous: Answers = (answered && canAnswerAgain ? await previousAnswers(ctx.db, view.event.id, view.seat.id) : null) ?? {};
    const errors = extra.errors ?? {};
    const valueOf = (key: string) => (extra.form ? extra.form[key] : previous[key]);
    const questions = questionsOf(settings).map((q) => {
      const value = valueOf(q.key);
      return {
        ...q,
        id: `field-${q.key}`,
        isRating: q.kind === 'rating',
        error: errors[q.key],
        value: typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value),
        choices: RATING_WORDS.map((word, i) => ({ value: i + 1, word, id: `field-${q.key}-${i + 1}`, checked: String(value ?? '') === String(i + 1) })),
      };
    });
    return views.render('feedback/survey', {
      title: `Feedback: ${view.event.title}`,
      hasErrors: Object.keys(errors).length > 0,
      page: {
        event: { title: view.event.title, when: formatRange(view.event.startsAt, view.event.endsAt, view.event.timezone) },
        refusal,
        isAnonymous: settings.isAnonymous,
        showForm: !refusal && (!answered || canAnswerAgain) && !extra.sent,
        answered,
        canAnswerAgain,
        questions,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        action: `/bookings/${view.booking.reference}/seats/${view.seat.id}/feedback`,
        token,
        contactEmail: contactEmailFor(view.event, ctx.config),
      },
      sent: extra.sent,
      problem: extra.problem,
    });
  }

  router.get('/bookings/:reference/seats/:attendeeId/feedback', links, async (req, res) => {
    const token = queryToken(req);
    const view = await seatOf(req, token);
    const sent = req.query.sent === 'recorded' || req.query.sent === 'updated' ? req.query.sent : undefined;
    privatePage(res).send(await renderSurvey(view, token!, { sent }));
  });

  router.post('/bookings/:reference/seats/:attendeeId/feedback', links, async (req, res) => {
    const token = bodyToken(req);
    const view = await seatOf(req, token);
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      const settings = await getSurveySettings(ctx.db, view.event.id);
      const answers = parseInput(answersSchema(questionsOf(settings)), form) as Answers;
      const outcome = await submitSurvey(ctx, view, answers);
      res.redirect(303, `/bookings/${view.booking.reference}/seats/${view.seat.id}/feedback?token=${encodeURIComponent(token!)}&sent=${outcome}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status === 404 || error.status === 401) throw error;
      const extra = error instanceof ValidationError ? { form, errors: fieldErrors(error) } : { problem: error.message };
      privatePage(res).status(error.status).send(await renderSurvey(view, token!, extra));
    }
  });

  return router;
}
