import type { Knex } from 'knex';
import { countCodeUses, findDiscountCode, insertDiscountCode, listDiscountCodes, setDiscountCodeActive, toQuestion, type DiscountCodeRecord, type QuestionRecord } from '../../bookings';
import type { ServiceContext } from '../../context';
import { lockRow, writeTransaction } from '../../db/dialect';
import { findEventBySlug } from '../../events/queries';
import type { EventRecord } from '../../events/types';
import { NotFoundError, ValidationError, type ErrorDetail } from '../../lib/errors';
import { formatMoney } from '../../lib/money';
import { toDbTime } from '../../lib/time';
import { recordAudit, type Actor } from '../audit/log';
import { listAllTicketTypes } from '../events/queries';
import type { CodeInput, QuestionInput } from './schemas';

/**
 * Organisers configure an event's registration questions and discount codes. Each change is audited in its own
 * transaction and bumps the event's catalogue version, so the public page (which asks the questions) is rebuilt.
 */

async function lockedEvent(trx: Knex.Transaction, slug: string): Promise<EventRecord> {
  const event = await findEventBySlug(trx, slug);
  if (!event) throw new NotFoundError('event_not_found', 'No event with that address.');
  await lockRow(trx, 'events', event.id);
  return event;
}

const bumpCatalogue = (trx: Knex.Transaction, eventId: number) => trx('events').where({ id: eventId }).increment('catalogue_version', 1);

export async function listEventQuestions(db: Knex | Knex.Transaction, eventId: number): Promise<QuestionRecord[]> {
  return (await db('event_questions').select('*').where({ event_id: eventId, is_archived: false }).orderBy([{ column: 'position' }, { column: 'id' }])).map(toQuestion);
}

/**
 * Copies an event's live questions to a new event (copy as new event), in order, each condition pointing at the copy
 * of its question. Answers and discount codes are not copied: codes belong to their event's offer. Returns how many.
 */
export async function copyQuestions(trx: Knex.Transaction, fromEventId: number, toEventId: number, now: Date): Promise<number> {
  const ids = new Map<number, number>();
  const questions = await listEventQuestions(trx, fromEventId);
  for (const q of questions) {
    const [row] = await trx('event_questions')
      .insert({
        event_id: toEventId,
        position: q.position,
        scope: q.scope,
        kind: q.kind,
        label: q.label,
        help_text: q.helpText,
        options: JSON.stringify(q.options),
        is_required: q.isRequired,
        is_sensitive: q.isSensitive,
        condition_question_id: q.conditionQuestionId !== null ? (ids.get(q.conditionQuestionId) ?? null) : null,
        condition_value: q.conditionQuestionId !== null && ids.has(q.conditionQuestionId) ? q.conditionValue : null,
        created_at: toDbTime(now),
        updated_at: toDbTime(now),
      })
      .returning('id');
    ids.set(q.id, Number(typeof row === 'object' ? row.id : row));
  }
  return questions.length;
}

/** How many answers each question has, so the page can say that removing one keeps its answers. */
export async function countAnswers(db: Knex, questionIds: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (!questionIds.length) return counts;
  const rows = await db('booking_answers').whereIn('question_id', questionIds).groupBy('question_id').select('question_id').count({ n: '*' });
  for (const r of rows as Array<Record<string, unknown>>) counts.set(Number(r.question_id), Number(r.n));
  return counts;
}

/** A condition must point at an earlier question of the same scope, and name an answer it can have. */
function checkCondition(input: QuestionInput, earlier: QuestionRecord[]): ErrorDetail[] {
  if (input.conditionQuestionId === undefined) return [];
  const on = earlier.find((q) => q.id === input.conditionQuestionId);
  if (!on || on.scope !== input.scope) return [{ path: 'conditionQuestionId', message: 'Choose an earlier question asked the same way (per booking or per attendee)' }];
  const answers = on.kind === 'yes_no' ? ['yes', 'no'] : on.options;
  if ((on.kind === 'yes_no' || on.kind.endsWith('choice')) && !answers.some((a) => a.toLowerCase() === input.conditionValue.toLowerCase())) {
    return [{ path: 'conditionValue', message: `Use one of the earlier question’s answers: ${answers.join(', ')}` }];
  }
  return [];
}

/**
 * A question others depend on must keep asking the way they depend on: the same scope, and (for a choice or yes/no)
 * the answer each waits for, or that question would silently never be asked again. One detail per broken dependant,
 * on the field that breaks it.
 */
function checkDependants(input: QuestionInput, id: number, existing: QuestionRecord[]): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const answers = input.kind === 'yes_no' ? ['yes', 'no'] : input.kind.endsWith('choice') ? input.options : null;
  for (const q of existing.filter((d) => d.conditionQuestionId === id && d.conditionValue !== null)) {
    const waitsFor = `“${q.label}” is asked only after the answer “${q.conditionValue}” to this question`;
    if (q.scope !== input.scope) problems.push({ path: 'scope', message: `${waitsFor}, asked the same way (${q.scope === 'booking' ? 'once per booking' : 'of each attendee'}): change “${q.label}” first` });
    else if (answers && !answers.some((a) => a.toLowerCase() === q.conditionValue!.toLowerCase())) problems.push({ path: 'options', message: `${waitsFor}: keep that answer, or change “${q.label}” first` });
  }
  return problems;
}

function questionColumns(input: QuestionInput) {
  return {
    scope: input.scope,
    kind: input.kind,
    label: input.label,
    help_text: input.helpText,
    options: JSON.stringify(input.kind === 'single_choice' || input.kind === 'multiple_choice' ? input.options : []),
    is_required: input.isRequired,
    is_sensitive: input.isSensitive,
    condition_question_id: input.conditionQuestionId ?? null,
    condition_value: input.conditionQuestionId !== undefined ? input.conditionValue : null,
  };
}

export async function addQuestion(ctx: ServiceContext, actor: Actor, slug: string, input: QuestionInput): Promise<number> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const event = await lockedEvent(trx, slug);
    const existing = await listEventQuestions(trx, event.id);
    const problems = checkCondition(input, existing);
    if (problems.length) throw new ValidationError(problems);
    const [row] = await trx('event_questions')
      .insert({ ...questionColumns(input), event_id: event.id, position: Math.max(0, ...existing.map((q) => q.position)) + 1, created_at: toDbTime(now), updated_at: toDbTime(now) })
      .returning('id');
    const id = Number(typeof row === 'object' ? row.id : row);
    await bumpCatalogue(trx, event.id);
    await recordAudit(trx, actor, { action: 'question_added', targetType: 'event', targetId: event.id, details: { event: slug, question: input.label, kind: input.kind, sensitive: input.isSensitive } }, now);
    return id;
  });
}

/** Rewording or changing a question: answers already given keep the wording they were given under (their own copy). */
export async function updateQuestion(ctx: ServiceContext, actor: Actor, slug: string, id: number, input: QuestionInput): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    const event = await lockedEvent(trx, slug);
    const existing = await listEventQuestions(trx, event.id);
    const before = existing.find((q) => q.id === id);
    if (!before) throw new NotFoundError('not_found', 'No such question for this event.');
    const problems = [...checkCondition(input, existing.filter((q) => q.position < before.position || (q.position === before.position && q.id < before.id))), ...checkDependants(input, id, existing)];
    if (problems.length) throw new ValidationError(problems);
    await trx('event_questions').where({ id }).update({ ...questionColumns(input), updated_at: toDbTime(now) });
    await bumpCatalogue(trx, event.id);
    await recordAudit(trx, actor, { action: 'question_changed', targetType: 'event', targetId: event.id, details: { event: slug, before: before.label, after: input.label } }, now);
  });
}

/** Removes a question; one that has answers is archived instead, so the answers (and their wording) stay. */
export async function removeQuestion(ctx: ServiceContext, actor: Actor, slug: string, id: number): Promise<'deleted' | 'archived'> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const event = await lockedEvent(trx, slug);
    const question = (await listEventQuestions(trx, event.id)).find((q) => q.id === id);
    if (!question) throw new NotFoundError('not_found', 'No such question for this event.');
    const answered = await trx('booking_answers').where({ question_id: id }).first('id');
    // Questions that depended on it are asked unconditionally from now on.
    await trx('event_questions').where({ condition_question_id: id }).update({ condition_question_id: null, condition_value: null, updated_at: toDbTime(now) });
    if (answered) await trx('event_questions').where({ id }).update({ is_archived: true, updated_at: toDbTime(now) });
    else await trx('event_questions').where({ id }).delete();
    await bumpCatalogue(trx, event.id);
    await recordAudit(trx, actor, { action: 'question_removed', targetType: 'event', targetId: event.id, details: { event: slug, question: question.label, answersKept: Boolean(answered) } }, now);
    return answered ? 'archived' : 'deleted';
  });
}

export interface CodeWithUses extends DiscountCodeRecord {
  uses: number;
  eventTitle: string | null;
}

/** The codes an event takes (its own and those for every event), or every code, with the places using each now. */
export async function listCodesWithUses(ctx: ServiceContext, eventId?: number): Promise<CodeWithUses[]> {
  const codes = await listDiscountCodes(ctx.db, eventId);
  const uses = await countCodeUses(ctx.db, codes.map((c) => c.id), ctx.clock.now());
  const ids = [...new Set(codes.map((c) => c.eventId).filter((id): id is number => id !== null))];
  const titles = new Map<number, string>();
  if (ids.length) for (const r of await ctx.db('events').whereIn('id', ids).select('id', 'title')) titles.set(Number(r.id), String(r.title));
  return codes.map((c) => ({ ...c, uses: uses.get(c.id) ?? 0, eventTitle: c.eventId === null ? null : (titles.get(c.eventId) ?? null) }));
}

export async function createCode(ctx: ServiceContext, actor: Actor, slug: string, input: CodeInput): Promise<DiscountCodeRecord> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const event = await lockedEvent(trx, slug);
    const types = await listAllTicketTypes(trx, event.id);
    const problems: ErrorDetail[] = [];
    if (input.ticketTypeIds.some((id) => !types.some((t) => t.id === id))) problems.push({ path: 'ticketTypeIds', message: 'Choose ticket types of this event' });
    if (input.revealsTicketTypeId !== undefined && !types.some((t) => t.id === input.revealsTicketTypeId && t.isHidden)) problems.push({ path: 'revealsTicketTypeId', message: 'Choose one of this event’s hidden ticket types' });
    // More off than any ticket costs is almost always pence typed as pounds (2000 for £20.00); "Free" says it plainly.
    const dearest = Math.max(0, ...types.map((t) => t.price));
    if (input.kind === 'amount' && input.forEvent === 'this' && types.length && input.amount > dearest) {
      problems.push({ path: 'amount', message: `That is more than any ticket at this event costs (${formatMoney(dearest, event.currency)}): give the amount in pounds, like 20.00, or choose “Free places”` });
    }
    if (input.validUntil && input.validUntil <= now) problems.push({ path: 'validUntil', message: 'That time has passed, so the code would never be valid: choose a later end, or leave it empty' });
    if (problems.length) throw new ValidationError(problems);
    const code = await insertDiscountCode(
      trx,
      {
        eventId: input.forEvent === 'all' ? null : event.id,
        code: input.code,
        kind: input.kind,
        amount: input.amount,
        percent: input.percent,
        currency: event.currency,
        validFrom: input.validFrom,
        validUntil: input.validUntil,
        maxUses: input.maxUses ?? null,
        maxPerBooking: input.maxPerBooking ?? null,
        revealsTicketTypeId: input.revealsTicketTypeId ?? null,
        note: input.note,
        // A code that reveals a hidden type discounts that type (unless limited otherwise).
        ticketTypeIds: input.ticketTypeIds.length === 0 && input.revealsTicketTypeId !== undefined ? [input.revealsTicketTypeId] : input.ticketTypeIds,
      },
      now,
    );
    if (!code) throw new ValidationError([{ path: 'code', message: `There is already a code ${input.code}; choose another` }]);
    await recordAudit(trx, actor, { action: 'discount_code_created', targetType: 'event', targetId: event.id, details: { event: slug, code: code.code, kind: code.kind, amount: code.amount, percent: code.percent, forEvery: code.eventId === null, maxUses: code.maxUses } }, now);
    return code;
  });
}

/** Withdraws (or restores) a code: it is refused from then on; bookings that used it keep their prices. */
export async function setCodeActive(ctx: ServiceContext, actor: Actor, codeText: string, isActive: boolean): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    const code = await findDiscountCode(trx, codeText);
    if (!code) throw new NotFoundError('not_found', 'No such discount code.');
    await setDiscountCodeActive(trx, code.id, isActive, now);
    await recordAudit(trx, actor, { action: isActive ? 'discount_code_restored' : 'discount_code_withdrawn', targetType: code.eventId === null ? 'discount_code' : 'event', targetId: code.eventId ?? code.id, details: { code: code.code } }, now);
  });
}
