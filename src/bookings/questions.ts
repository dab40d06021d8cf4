import type { Knex } from 'knex';
import { z } from 'zod';
import type { Tx } from '../db/connect';
import { ValidationError, type ErrorDetail } from '../lib/errors';
import { multiLineText, singleLineText } from '../lib/text';
import { fromDbTime, toDbTime } from '../lib/time';

/**
 * Registration questions: what organisers ask at booking, per booking or per attendee, and the answers. An answer
 * keeps the wording it was given under (`booking_answers.label`), so editing a question later changes nothing already
 * answered. A conditional question counts only when the earlier answer it depends on matches; otherwise whatever was
 * typed for it is ignored (the form without JavaScript shows it with a note saying when to answer it).
 */

export const QUESTION_KINDS = ['short_text', 'long_text', 'single_choice', 'multiple_choice', 'yes_no'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];
export const QUESTION_SCOPES = ['booking', 'attendee'] as const;
export type QuestionScope = (typeof QUESTION_SCOPES)[number];

export const QUESTION_KIND_LABELS: Record<QuestionKind, string> = {
  short_text: 'Short text',
  long_text: 'Long text',
  single_choice: 'Single choice',
  multiple_choice: 'Multiple choice',
  yes_no: 'Yes or no',
};

/** Longest answers: a short text is a line, a long text a paragraph or two. */
export const ANSWER_LIMITS: Record<'short_text' | 'long_text', number> = { short_text: 200, long_text: 2000 };

export interface QuestionRecord {
  id: number;
  eventId: number;
  position: number;
  scope: QuestionScope;
  kind: QuestionKind;
  label: string;
  helpText: string;
  options: string[];
  isRequired: boolean;
  /** Health and the like: hidden from the treasurer, out of default exports, removed with dietary and access needs. */
  isSensitive: boolean;
  /** Shown only when this earlier question's answer is (or, for a multiple choice, includes) `conditionValue`. */
  conditionQuestionId: number | null;
  conditionValue: string | null;
  isArchived: boolean;
  updatedAt: Date;
}

/** An answer as sent: text, the options chosen, or yes/no (`true`/`false`, or the words `yes`/`no` from a form). */
export type AnswerValue = string | string[] | boolean;

/** Answers keyed by question id (as JSON object keys are strings). */
export const answersSchema = z.record(z.string().regex(/^\d{1,9}$/, 'Answers are keyed by question id'), z.union([z.string().max(5000), z.array(z.string().max(300)).max(50), z.boolean()])).optional();
export type AnswersInput = z.infer<typeof answersSchema>;

type Row = Record<string, unknown>;

function parseOptions(raw: unknown): string[] {
  try {
    const parsed: unknown = JSON.parse(String(raw ?? '[]'));
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch (error) {
    // Written only by saveQuestion as JSON; a hand-edited row reads as having no options rather than failing a booking.
    if (error instanceof SyntaxError) return [];
    throw error;
  }
}

export function toQuestion(row: Row): QuestionRecord {
  return {
    id: Number(row.id),
    eventId: Number(row.event_id),
    position: Number(row.position),
    scope: row.scope as QuestionScope,
    kind: row.kind as QuestionKind,
    label: String(row.label),
    helpText: String(row.help_text ?? ''),
    options: parseOptions(row.options),
    isRequired: Boolean(row.is_required),
    isSensitive: Boolean(row.is_sensitive),
    conditionQuestionId: row.condition_question_id === null || row.condition_question_id === undefined ? null : Number(row.condition_question_id),
    conditionValue: row.condition_value === null || row.condition_value === undefined ? null : String(row.condition_value),
    isArchived: Boolean(row.is_archived),
    updatedAt: fromDbTime(row.updated_at),
  };
}

/** The event's questions in order; archived ones (withdrawn after they had answers) only when asked for. */
export async function listQuestions(db: Tx, eventId: number, options: { includeArchived?: boolean } = {}): Promise<QuestionRecord[]> {
  const query = db('event_questions').select('*').where({ event_id: eventId }).orderBy([{ column: 'position' }, { column: 'id' }]);
  if (!options.includeArchived) query.where('is_archived', false);
  return (await query).map(toQuestion);
}

/** The questions of the event with that slug (for its public page), in order. */
export async function listQuestionsForSlug(db: Tx, slug: string): Promise<QuestionRecord[]> {
  const rows = await db('event_questions')
    .join('events', 'events.id', 'event_questions.event_id')
    .where('events.slug', slug)
    .where('event_questions.is_archived', false)
    .select('event_questions.*')
    .orderBy([{ column: 'event_questions.position' }, { column: 'event_questions.id' }]);
  return rows.map(toQuestion);
}

/** The answer as stored: text as typed, a yes/no as `yes`/`no`, a multiple choice as a JSON array of the options. */
function storedValue(kind: QuestionKind, value: AnswerValue): string {
  if (kind === 'multiple_choice') return JSON.stringify(value);
  if (kind === 'yes_no') return value === true || value === 'yes' ? 'yes' : 'no';
  return String(value);
}

/** A stored value as people read it: a multiple choice's options joined by "; ", yes/no as Yes/No. */
export function answerText(kind: string, value: string | null): string {
  if (value === null) return '';
  if (kind === 'multiple_choice') {
    try {
      const parsed: unknown = JSON.parse(value);
      return Array.isArray(parsed) ? parsed.map(String).join('; ') : value;
    } catch (error) {
      if (error instanceof SyntaxError) return value;
      throw error;
    }
  }
  if (kind === 'yes_no') return value === 'yes' ? 'Yes' : value === 'no' ? 'No' : value;
  return value;
}

/** Whether a stored or typed answer is blank: nothing typed, nothing chosen. */
function isBlank(value: AnswerValue | undefined): boolean {
  if (value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value !== 'string') return false;
  return value.trim() === '';
}

/**
 * The question a condition waits for, if it is still asked the same way (live, same scope). A condition on anything
 * else (a question removed, or now asked the other way) is no condition: the question is asked always, as the form
 * shows it, rather than never, which would silently drop every answer typed for it.
 */
export function conditionOn(question: QuestionRecord, all: QuestionRecord[]): QuestionRecord | undefined {
  if (question.conditionQuestionId === null || question.conditionValue === null) return undefined;
  return all.find((q) => q.id === question.conditionQuestionId && q.scope === question.scope && !q.isArchived);
}

/** Whether `answer` (to the condition's question) meets the condition: equal, or for a multiple choice, among those chosen. */
function conditionMet(question: QuestionRecord, answers: Map<number, AnswerValue>, all: QuestionRecord[]): boolean {
  if (question.conditionQuestionId === null || question.conditionValue === null || !conditionOn(question, all)) return true;
  const answer = answers.get(question.conditionQuestionId);
  if (answer === undefined) return false;
  const want = question.conditionValue.toLowerCase();
  if (Array.isArray(answer)) return answer.some((a) => a.toLowerCase() === want);
  if (typeof answer === 'boolean') return (answer ? 'yes' : 'no') === want;
  return answer.trim().toLowerCase() === want;
}

/** In words, when a conditional question is to be answered: for the form's note and the admin list. */
export function conditionNote(question: QuestionRecord, all: QuestionRecord[]): string | undefined {
  const on = conditionOn(question, all);
  if (!on) return undefined;
  return `Answer this only if you answered “${question.conditionValue}” to “${on.label}”.`;
}

const textRule = { short_text: singleLineText(ANSWER_LIMITS.short_text), long_text: multiLineText(ANSWER_LIMITS.long_text) };

export interface CheckedAnswer {
  question: QuestionRecord;
  value: string;
}

/**
 * Checks one set of answers (the booking's, or one attendee's) against the questions of that scope, in order, so a
 * conditional question sees the answers before it. Returns what to store; adds a detail per wrong answer at
 * `${prefix}.<question id>`. Answers to unknown questions, and to conditional questions whose condition fails, are
 * ignored.
 */
function checkScope(questions: QuestionRecord[], given: AnswersInput, prefix: string, problems: ErrorDetail[]): CheckedAnswer[] {
  const seen = new Map<number, AnswerValue>();
  const checked: CheckedAnswer[] = [];
  for (const question of questions) {
    if (!conditionMet(question, seen, questions)) continue;
    const path = `${prefix}.${question.id}`;
    let value = given?.[String(question.id)];
    if (question.kind === 'multiple_choice' && typeof value === 'string') value = value === '' ? [] : [value];
    if (isBlank(value)) {
      if (question.isRequired) problems.push({ path, message: question.kind.endsWith('choice') || question.kind === 'yes_no' ? `Choose an answer to “${question.label}”` : `Answer “${question.label}”` });
      continue;
    }
    const problem = problemWith(question, value as AnswerValue);
    if (problem) {
      problems.push({ path, message: problem });
      continue;
    }
    let stored = value as AnswerValue;
    if (question.kind === 'short_text' || question.kind === 'long_text') stored = textRule[question.kind].parse(stored);
    seen.set(question.id, question.kind === 'yes_no' ? storedValue('yes_no', stored) : stored);
    checked.push({ question, value: storedValue(question.kind, stored) });
  }
  return checked;
}

function problemWith(question: QuestionRecord, value: AnswerValue): string | undefined {
  switch (question.kind) {
    case 'short_text':
    case 'long_text': {
      if (typeof value !== 'string') return `Type an answer to “${question.label}”`;
      const result = textRule[question.kind].safeParse(value);
      return result.success ? undefined : `“${question.label}”: ${result.error.issues[0].message}`;
    }
    case 'single_choice':
      if (typeof value !== 'string' || !question.options.includes(value)) return `Choose one of the answers offered to “${question.label}”`;
      return undefined;
    case 'multiple_choice':
      if (!Array.isArray(value) || value.some((v) => !question.options.includes(v))) return `Choose only answers offered to “${question.label}”`;
      if (new Set(value).size !== value.length) return `Choose each answer to “${question.label}” once`;
      return undefined;
    case 'yes_no':
      if (typeof value === 'boolean' || value === 'yes' || value === 'no') return undefined;
      return `Answer yes or no to “${question.label}”`;
  }
}

export interface CheckedAnswers {
  booking: CheckedAnswer[];
  /** One list per item, in the booking's order. */
  attendees: CheckedAnswer[][];
}

/**
 * Checks a booking's answers against the event's questions. Problems go into `problems` (paths `answers.<id>` and
 * `items.<n>.answers.<id>`), so the caller reports them with every other wrong field at once.
 */
export function checkAnswers(questions: QuestionRecord[], request: { answers?: AnswersInput; items: Array<{ answers?: AnswersInput }> }, problems: ErrorDetail[]): CheckedAnswers {
  const live = questions.filter((q) => !q.isArchived);
  const forBooking = live.filter((q) => q.scope === 'booking');
  const forAttendee = live.filter((q) => q.scope === 'attendee');
  return {
    booking: checkScope(forBooking, request.answers, 'answers', problems),
    attendees: request.items.map((item, i) => checkScope(forAttendee, item.answers, `items.${i}.answers`, problems)),
  };
}

/** Like checkAnswers, throwing 422 with every problem. */
export function assertAnswers(questions: QuestionRecord[], request: { answers?: AnswersInput; items: Array<{ answers?: AnswersInput }> }): CheckedAnswers {
  const problems: ErrorDetail[] = [];
  const checked = checkAnswers(questions, request, problems);
  if (problems.length) throw new ValidationError(problems);
  return checked;
}

/** Stores a booking's answers with each question's wording, kind and sensitivity as they are now. */
export async function insertAnswers(trx: Knex.Transaction, bookingId: number, attendeeIds: number[], answers: CheckedAnswers, now: Date): Promise<void> {
  const row = (a: CheckedAnswer, attendeeId: number | null) => ({
    booking_id: bookingId,
    attendee_id: attendeeId,
    question_id: a.question.id,
    label: a.question.label,
    kind: a.question.kind,
    is_sensitive: a.question.isSensitive,
    value: a.value,
    created_at: toDbTime(now),
  });
  const rows = [...answers.booking.map((a) => row(a, null)), ...answers.attendees.flatMap((list, i) => list.map((a) => row(a, attendeeIds[i])))];
  if (rows.length) await trx('booking_answers').insert(rows);
}

/** An answer as given: the wording it was given under, and the value as people read it. */
export interface AnswerRecord {
  bookingId: number;
  attendeeId: number | null;
  questionId: number | null;
  label: string;
  kind: string;
  isSensitive: boolean;
  /** As people read it (options joined by "; ", Yes/No); '' once removed by retention. */
  text: string;
  isRemoved: boolean;
}

/** The answers of these bookings, in question order (then the order given). */
export async function listAnswers(db: Tx, bookingIds: number[]): Promise<AnswerRecord[]> {
  if (bookingIds.length === 0) return [];
  const rows: Row[] = [];
  for (let i = 0; i < bookingIds.length; i += 500) {
    rows.push(
      ...(await db('booking_answers')
        .leftJoin('event_questions', 'event_questions.id', 'booking_answers.question_id')
        .select('booking_answers.*', 'event_questions.position as question_position')
        .whereIn('booking_answers.booking_id', bookingIds.slice(i, i + 500))
        .orderBy([{ column: 'event_questions.position' }, { column: 'booking_answers.question_id' }, { column: 'booking_answers.id' }])),
    );
  }
  return rows.map((r) => ({
    bookingId: Number(r.booking_id),
    attendeeId: r.attendee_id === null ? null : Number(r.attendee_id),
    questionId: r.question_id === null ? null : Number(r.question_id),
    label: String(r.label),
    kind: String(r.kind),
    isSensitive: Boolean(r.is_sensitive),
    text: answerText(String(r.kind), r.value === null ? null : String(r.value)),
    isRemoved: r.removed_at !== null && r.removed_at !== undefined,
  }));
}

/** The answers that belong to one seat: the booking's own and that attendee's. */
export function answersForSeat(answers: AnswerRecord[], bookingId: number, attendeeId: number): AnswerRecord[] {
  return answers.filter((a) => a.bookingId === bookingId && (a.attendeeId === null || a.attendeeId === attendeeId));
}
