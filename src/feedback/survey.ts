import type { Knex } from 'knex';
import type { Tx } from '../db/connect';
import { toDbTime } from '../lib/time';

export type QuestionKind = 'rating' | 'text';

export interface SurveyQuestion {
  /** Stable key of the answers: `overall`, `useful`, `next`, or `x1`…`x5` for the organiser's own. */
  key: string;
  kind: QuestionKind;
  label: string;
  /** Only the overall rating must be answered. */
  isRequired: boolean;
}

/** The three questions every survey asks. */
export const STANDARD_QUESTIONS: readonly SurveyQuestion[] = Object.freeze([
  { key: 'overall', kind: 'rating', label: 'Overall, how would you rate this event?', isRequired: true },
  { key: 'useful', kind: 'text', label: 'What was most useful?', isRequired: false },
  { key: 'next', kind: 'text', label: 'What should we cover next?', isRequired: false },
]);

export const MAX_EXTRA_QUESTIONS = 5;

/** What an organiser sets for an event's survey (`surveys`; no row means the defaults). */
export interface SurveySettings {
  isOpen: boolean;
  /** No booking or seat id is stored with the answers; a second answer is then always refused. */
  isAnonymous: boolean;
  /** What a second answer from the same seat does (named surveys only): replaces the first, or is refused. */
  repeatRule: 'update' | 'refuse';
  extraQuestions: SurveyQuestion[];
  isDefault: boolean;
}

/** Every event has a survey unless its organisers switch it off: named, a second answer replacing the first. */
export const DEFAULT_SURVEY: SurveySettings = Object.freeze({ isOpen: true, isAnonymous: false, repeatRule: 'update', extraQuestions: [], isDefault: true }) as SurveySettings;

export async function getSurveySettings(db: Tx | Knex, eventId: number): Promise<SurveySettings> {
  const row = await db('surveys').select('is_open', 'is_anonymous', 'repeat_rule', 'extra_questions').where({ event_id: eventId }).first();
  if (!row) return DEFAULT_SURVEY;
  return {
    isOpen: Boolean(row.is_open),
    isAnonymous: Boolean(row.is_anonymous),
    repeatRule: row.repeat_rule === 'refuse' ? 'refuse' : 'update',
    extraQuestions: (JSON.parse(String(row.extra_questions)) as Array<{ key: string; kind: QuestionKind; label: string }>).map((q) => ({ ...q, isRequired: false })),
    isDefault: false,
  };
}

export async function saveSurveySettings(trx: Tx, eventId: number, settings: Omit<SurveySettings, 'isDefault'>, now: Date): Promise<void> {
  const row = {
    is_open: settings.isOpen,
    is_anonymous: settings.isAnonymous,
    repeat_rule: settings.repeatRule,
    extra_questions: JSON.stringify(settings.extraQuestions.map(({ key, kind, label }) => ({ key, kind, label }))),
    updated_at: toDbTime(now),
  };
  await trx('surveys').insert({ event_id: eventId, ...row }).onConflict('event_id').merge(row);
}

export function questionsOf(settings: SurveySettings): SurveyQuestion[] {
  return [...STANDARD_QUESTIONS, ...settings.extraQuestions];
}
