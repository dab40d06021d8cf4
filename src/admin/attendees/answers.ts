import type { Tx } from '../../db/connect';
import { answersForSeat, listAnswers, listQuestions, type AnswerRecord } from '../../bookings';
import type { Role } from '../auth/roles';
import type { AttendeeListRow } from './queries';

/**
 * Registration answers on the attendee list and its downloads: one column per question (headed by its wording now;
 * each answer keeps the wording it was given under, which the JSON gives too). Answers to **sensitive** questions are
 * never shown to the treasurer, and are left out of downloads unless the organiser chooses them (`?sensitive=1`).
 */
export interface QuestionColumn {
  questionId: number;
  header: string;
  isSensitive: boolean;
  /**
   * Whether this list shows answers given as sensitive. Sensitivity is the answer's own (as it was when given), so
   * marking a question not sensitive later never shows the treasurer, or a default download, what was given as sensitive.
   */
  showsSensitiveAnswers: boolean;
}

/** May this person see sensitive answers at all? Organisers and administrators may; the treasurer never. */
export const maySeeSensitive = (role: Role) => role !== 'treasurer';

/** The columns of a download or page: every question of the event that is live or has answers, in order. */
export async function questionColumns(db: Tx, eventId: number, options: { includeSensitive: boolean }): Promise<QuestionColumn[]> {
  const questions = await listQuestions(db, eventId, { includeArchived: true });
  const answered = new Set(((await db('booking_answers').join('bookings', 'bookings.id', 'booking_answers.booking_id').where('bookings.event_id', eventId).distinct('booking_answers.question_id')) as Array<{ question_id: number | null }>).map((r) => Number(r.question_id)));
  return questions
    .filter((q) => !q.isArchived || answered.has(q.id))
    .filter((q) => options.includeSensitive || !q.isSensitive)
    .map((q) => ({ questionId: q.id, header: q.isArchived ? `${q.label} (removed question)` : q.label, isSensitive: q.isSensitive, showsSensitiveAnswers: options.includeSensitive }));
}

/** Fills each row's `answers`, one string per column (blank when not answered), for a batch in one query. */
export async function withAnswers(db: Tx, rows: AttendeeListRow[], columns: QuestionColumn[]): Promise<AttendeeListRow[]> {
  if (columns.length === 0) return rows;
  const answers = await listAnswers(db, [...new Set(rows.map((r) => r.bookingId))]);
  return rows.map((row) => {
    const mine = answersForSeat(answers, row.bookingId, row.id);
    return { ...row, answers: columns.map((c) => answerFor(mine, c)?.text ?? ''), answerRecords: mine.filter((a) => columns.some((c) => isShownIn(a, c))) };
  });
}

const isShownIn = (answer: AnswerRecord, column: QuestionColumn) => answer.questionId === column.questionId && (!answer.isSensitive || column.showsSensitiveAnswers);
const answerFor = (answers: AnswerRecord[], column: QuestionColumn) => answers.find((a) => isShownIn(a, column));

/**
 * Batches of rows with their answers filled in; the batches themselves when there is no question column. Not an async
 * generator, for the reason `iterateAttendees` gives: a suspended generator keeps the batch it last yielded alive while
 * the client reads it, which promoted every batch and took the 10,000-row download from 247 to 334 MB RSS (bench).
 */
export function withAnswerBatches(db: Tx, batches: AsyncIterable<AttendeeListRow[]>, columns: QuestionColumn[]): AsyncIterableIterator<AttendeeListRow[]> {
  const source = batches[Symbol.asyncIterator]();
  if (columns.length === 0) return { [Symbol.asyncIterator]() { return this; }, next: () => source.next(), return: async () => (await source.return?.()) ?? { done: true, value: undefined } };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      const next = await source.next();
      return next.done ? next : { done: false, value: await withAnswers(db, next.value, columns) };
    },
    async return() {
      return (await source.return?.()) ?? { done: true, value: undefined };
    },
  };
}
