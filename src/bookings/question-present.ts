import { conditionNote, conditionOn, QUESTION_KIND_LABELS, type AnswerRecord, type QuestionRecord, type QuestionScope } from './questions';

/**
 * The booking form's questions as plain view-models (views/partials/booking-questions.hbs), with what was typed and
 * the error beside each. Field names: `answer_<id>` for a per-booking question, `seat_<n>_answer_<id>` for one
 * attendee's. A conditional question is always on the page (no JavaScript needed), with a note saying when to answer.
 */
export interface QuestionField {
  id: string;
  name: string;
  label: string;
  hint: string | null;
  optional: boolean;
  error: string | undefined;
  isText: boolean;
  isLongText: boolean;
  isChoice: boolean;
  value: string;
  options: Array<{ inputId: string; value: string; label: string; isChecked: boolean; type: 'radio' | 'checkbox' }>;
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v !== '' ? [v] : []);

export function questionFields(questions: QuestionRecord[], scope: QuestionScope, prefix: string, form: Record<string, unknown>, errors: Record<string, string>): QuestionField[] {
  return questions
    .filter((q) => q.scope === scope && !q.isArchived)
    .map((q) => {
      const name = `${prefix}answer_${q.id}`;
      const id = `field-${name}`;
      const chosen = asList(form[name]);
      const hint = [q.helpText, conditionNote(q, questions)].filter(Boolean).join(' ') || null;
      const choices = q.kind === 'yes_no' ? ['yes', 'no'] : q.options;
      const isChoice = q.kind === 'single_choice' || q.kind === 'multiple_choice' || q.kind === 'yes_no';
      return {
        id,
        name,
        label: q.label,
        hint,
        optional: !q.isRequired,
        error: errors[name],
        isText: !isChoice,
        isLongText: q.kind === 'long_text',
        isChoice,
        value: typeof form[name] === 'string' ? (form[name] as string) : '',
        options: isChoice
          ? choices.map((option, i) => ({
              // The first option carries the field's id, so the error summary's link lands on the question.
              inputId: i === 0 ? id : `${id}-${i}`,
              value: option,
              label: q.kind === 'yes_no' ? (option === 'yes' ? 'Yes' : 'No') : option,
              isChecked: chosen.includes(option),
              type: q.kind === 'multiple_choice' ? ('checkbox' as const) : ('radio' as const),
            }))
          : [],
      };
    });
}

/** The answers from a form: `answer_<id>` (or `seat_<n>_answer_<id>`) fields, as the API's `answers` object. */
export function answersFromForm(form: Record<string, unknown>, prefix: string): Record<string, string | string[]> | undefined {
  const pattern = new RegExp(`^${prefix}answer_(\\d{1,9})$`);
  const answers: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(form)) {
    const match = pattern.exec(key);
    if (match && (typeof value === 'string' || Array.isArray(value))) answers[match[1]] = Array.isArray(value) ? value.map(String) : value;
  }
  return Object.keys(answers).length ? answers : undefined;
}

/** A question for the public API (`GET /api/v1/events/:slug/questions`). */
export function toApiQuestion(q: QuestionRecord, all: QuestionRecord[]) {
  return {
    id: q.id,
    scope: q.scope,
    kind: q.kind,
    label: q.label,
    help: q.helpText || null,
    required: q.isRequired,
    options: q.kind === 'single_choice' || q.kind === 'multiple_choice' ? q.options : q.kind === 'yes_no' ? ['yes', 'no'] : null,
    condition: conditionOn(q, all) ? { questionId: q.conditionQuestionId, value: q.conditionValue } : null,
  };
}

/** Answers for a page or the API: the wording given under and the answer as people read it; sensitive ones only when allowed. */
export function answerLines(answers: AnswerRecord[], options: { showSensitive: boolean }): Array<{ question: string; answer: string; isSensitive: boolean }> {
  return answers
    .filter((a) => options.showSensitive || !a.isSensitive)
    .map((a) => ({ question: a.label, answer: a.isRemoved ? 'Removed (retention)' : a.text, isSensitive: a.isSensitive }));
}

export { QUESTION_KIND_LABELS };
