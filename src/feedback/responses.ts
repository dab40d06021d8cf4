import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { z } from 'zod';
import type { SeatView } from '../bookings/seats';
import { listAttendedSeats } from '../certificates/attendance';
import { getCertificateSettings, minOnlineMinutes } from '../certificates/settings';
import type { ServiceContext } from '../context';
import { isPostgres, type Tx } from '../db/connect';
import { writeTransaction } from '../db/dialect';
import type { EventRecord } from '../events/types';
import { ConflictError } from '../lib/errors';
import { multiLineText } from '../lib/text';
import { inZone } from '../lib/time';
import { getSurveySettings, questionsOf, type SurveyQuestion, type SurveySettings } from './survey';

export type Answers = Record<string, number | string | null>;

const TEXT_MAX = 2000;

/** The form's schema for this survey's questions: ratings 1 to 5 (the overall one required), text up to 2000 characters. */
export function answersSchema(questions: SurveyQuestion[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const q of questions) {
    if (q.kind === 'rating') {
      // Exactly one of the five choices as the radio buttons send it ("1" to "5"); anything else ("0x3", "1e0", "3.5",
      // a repeated field) is refused with the same sentence, never zod's "Invalid input".
      const rating = z.preprocess((v) => (v === '' || v === undefined ? null : typeof v === 'string' ? v.trim() : v), z.union([z.null(), z.string().regex(/^[1-5]$/).transform(Number)], { error: () => 'Choose a rating from 1 to 5' }));
      shape[q.key] = q.isRequired ? rating.refine((v) => v !== null, { message: 'Choose a rating from 1 to 5' }) : rating;
    } else {
      shape[q.key] = z.preprocess((v) => (typeof v === 'string' ? v : ''), multiLineText(TEXT_MAX, { tooLong: `Write at most ${TEXT_MAX} characters` })).transform((v) => (v.trim() === '' ? null : v.trim()));
    }
  }
  return z.object(shape);
}

/** Why this seat may not answer now, or null: the survey is off, the event has not started, or the place is not held. */
export function surveyRefusal(view: Pick<SeatView, 'event' | 'booking' | 'seat'>, settings: SurveySettings, now: Date): string | null {
  if (!settings.isOpen) return 'The organisers are not collecting feedback for this event.';
  if (view.event.status === 'cancelled') return 'This event was cancelled.';
  if (view.seat.status !== 'active' || view.booking.status !== 'confirmed') return 'Feedback is for people who held a place at the event.';
  if (now.getTime() < view.event.startsAt.getTime()) return 'The feedback survey opens when the event starts.';
  return null;
}

export async function hasResponded(db: Tx | Knex, eventId: number, attendeeId: number): Promise<boolean> {
  return (await db('survey_respondents').where({ event_id: eventId, attendee_id: attendeeId }).first('attendee_id')) !== undefined;
}

/** A named survey's earlier answers from this seat, to fill the form in again; none for an anonymous survey. */
export async function previousAnswers(db: Tx | Knex, eventId: number, attendeeId: number): Promise<Answers | null> {
  const response = await db('survey_responses').where({ event_id: eventId, attendee_id: attendeeId }).first('id');
  if (!response) return null;
  const rows = await db('survey_answers').where({ response_id: response.id }).select('question', 'rating', 'text');
  return Object.fromEntries(rows.map((r) => [String(r.question), r.rating === null || r.rating === undefined ? (r.text as string | null) : Number(r.rating)]));
}

/** A named response by its seat, locked for the rest of the transaction on PostgreSQL (SQLite has one writer already). */
async function lockedResponse(trx: Tx, eventId: number, attendeeId: number): Promise<{ id: string } | undefined> {
  const query = trx('survey_responses').where({ event_id: eventId, attendee_id: attendeeId }).first('id');
  return (await (isPostgres(trx) ? query.forUpdate() : query)) as { id: string } | undefined;
}

async function insertAnswers(trx: Tx, responseId: string, questions: SurveyQuestion[], answers: Answers): Promise<void> {
  const rows = questions
    .filter((q) => answers[q.key] !== null && answers[q.key] !== undefined)
    .map((q) => ({ response_id: responseId, question: q.key, rating: q.kind === 'rating' ? Number(answers[q.key]) : null, text: q.kind === 'text' ? String(answers[q.key]) : null }));
  if (rows.length > 0) await trx('survey_answers').insert(rows);
}

/**
 * Records one seat's answers. One response per seat: the "has answered" marker (`survey_respondents`, the event and
 * the seat and nothing else) is inserted first, and only one insert can win. A second answer replaces the first when
 * the organisers chose so, and is refused otherwise (409 `survey_already_answered`); an anonymous survey always refuses
 * it, since nothing ties the first answers to the seat. In anonymous mode the response has a random id, no seat, and
 * only the day it came.
 */
export async function submitSurvey(ctx: ServiceContext, view: SeatView, answers: Answers): Promise<'recorded' | 'updated'> {
  const now = ctx.clock.now();
  const settings = await getSurveySettings(ctx.db, view.event.id);
  const refusal = surveyRefusal(view, settings, now);
  if (refusal) throw new ConflictError('survey_closed', refusal);
  const questions = questionsOf(settings);
  const day = inZone(now, view.event.timezone).toISODate() ?? now.toISOString().slice(0, 10);
  return writeTransaction(ctx.db, async (trx) => {
    const inserted = await trx('survey_respondents').insert({ event_id: view.event.id, attendee_id: view.seat.id }).onConflict(['event_id', 'attendee_id']).ignore().returning('attendee_id');
    if (inserted.length === 0) {
      // Locked (PostgreSQL) so that answers sent at once replace the response one after another: without it, two
      // deleted the same old answers and the second insert hit the first one's (a 409 "That already exists" page).
      const previous = settings.isAnonymous || settings.repeatRule === 'refuse' ? null : await lockedResponse(trx, view.event.id, view.seat.id);
      if (!previous) throw new ConflictError('survey_already_answered', 'You have already answered this survey: thank you. Each place answers once.');
      await trx('survey_answers').where({ response_id: previous.id }).delete();
      await trx('survey_responses').where({ id: previous.id }).update({ submitted_on: day });
      await insertAnswers(trx, String(previous.id), questions, answers);
      return 'updated';
    }
    const id = randomUUID();
    await trx('survey_responses').insert({ id, event_id: view.event.id, attendee_id: settings.isAnonymous ? null : view.seat.id, submitted_on: day });
    await insertAnswers(trx, id, questions, answers);
    return 'recorded';
  });
}

export interface SurveySummary {
  responses: number;
  /** Who could answer: the seats that attended, or (before any attendance is recorded) every confirmed place. */
  audience: number;
  /** Whole per cent of the audience; null when there is no audience. */
  rate: number | null;
  questions: Array<{
    key: string;
    label: string;
    kind: SurveyQuestion['kind'];
    answered: number;
    /** Ratings: how many chose 1, 2, 3, 4 and 5, and the average to one decimal. */
    distribution?: Array<{ rating: number; count: number; percent: number }>;
    average?: string | null;
    /** Free text: each answer, oldest first. */
    texts?: string[];
  }>;
}

/**
 * Who could answer: the seats that attended, plus any other place that answered (a no-show who watched the recording,
 * someone online not yet in an uploaded report), so the rate never passes 100%; every confirmed place before any
 * attendance is recorded.
 */
async function audienceOf(db: Knex, event: EventRecord): Promise<number> {
  const settings = await getCertificateSettings(db, event);
  const attended = new Set((await listAttendedSeats(db, event.id, minOnlineMinutes(settings, event) * 60)).map((s) => s.attendeeId));
  if (attended.size > 0) {
    const respondents = (await db('survey_respondents').where({ event_id: event.id }).select('attendee_id')).map((r) => Number(r.attendee_id));
    return new Set([...attended, ...respondents]).size;
  }
  const row = await db('attendees as a').join('bookings as b', 'b.id', 'a.booking_id').where('a.event_id', event.id).where('a.status', 'active').where('b.status', 'confirmed').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function summariseSurvey(db: Knex, event: EventRecord): Promise<SurveySummary> {
  const settings = await getSurveySettings(db, event.id);
  const responses = Number((await db('survey_responses').where({ event_id: event.id }).count({ n: '*' }).first())?.n ?? 0);
  const answers = await db('survey_answers as s').join('survey_responses as r', 'r.id', 's.response_id').where('r.event_id', event.id).select('s.question', 's.rating', 's.text').orderBy([{ column: 'r.submitted_on' }, { column: 's.response_id' }]);
  const audience = await audienceOf(db, event);
  return {
    responses,
    audience,
    rate: audience > 0 ? Math.round((responses / audience) * 100) : null,
    questions: questionsOf(settings).map((q) => {
      const mine = answers.filter((a) => a.question === q.key);
      if (q.kind === 'text') return { key: q.key, label: q.label, kind: q.kind, answered: mine.length, texts: mine.map((a) => String(a.text)) };
      const ratings = mine.map((a) => Number(a.rating));
      const total = ratings.reduce((s, r) => s + r, 0);
      return {
        key: q.key,
        label: q.label,
        kind: q.kind,
        answered: ratings.length,
        distribution: [1, 2, 3, 4, 5].map((rating) => {
          const count = ratings.filter((r) => r === rating).length;
          return { rating, count, percent: ratings.length ? Math.round((count / ratings.length) * 100) : 0 };
        }),
        average: ratings.length ? (Math.round((total / ratings.length) * 10) / 10).toFixed(1) : null,
      };
    }),
  };
}

/** Every response as rows for the CSV download: the day, (named surveys) the attendee, then one column per question. */
export async function responsesForExport(db: Knex, event: EventRecord): Promise<{ headers: string[]; rows: Array<Array<string | number | null>> }> {
  const settings = await getSurveySettings(db, event.id);
  const questions = questionsOf(settings);
  const responses = await db('survey_responses as r').leftJoin('attendees as a', 'a.id', 'r.attendee_id').where('r.event_id', event.id).select('r.id', 'r.submitted_on', 'a.name', 'a.email').orderBy([{ column: 'r.submitted_on' }, { column: 'r.id' }]);
  const answers = await db('survey_answers as s').join('survey_responses as r', 'r.id', 's.response_id').where('r.event_id', event.id).select('s.response_id', 's.question', 's.rating', 's.text');
  const byResponse = new Map<string, Map<string, string | number | null>>();
  for (const a of answers) {
    const map = byResponse.get(String(a.response_id)) ?? new Map();
    map.set(String(a.question), a.rating === null || a.rating === undefined ? (a.text as string | null) : Number(a.rating));
    byResponse.set(String(a.response_id), map);
  }
  const named = responses.some((r) => r.name !== null && r.name !== undefined);
  const headers = ['Date', ...(named ? ['Name', 'Email'] : []), ...questions.map((q) => q.label)];
  const rows = responses.map((r) => {
    const mine = byResponse.get(String(r.id)) ?? new Map();
    return [String(r.submitted_on), ...(named ? [(r.name as string | null) ?? '', (r.email as string | null) ?? ''] : []), ...questions.map((q) => mine.get(q.key) ?? '')];
  });
  return { headers, rows };
}
