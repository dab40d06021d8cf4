import { describeDiscount, QUESTION_KIND_LABELS, conditionNote, type QuestionRecord } from '../../bookings';
import type { TicketTypeRecord } from '../../events/types';
import { formatMoney } from '../../lib/money';
import { formatInstant } from '../../lib/time';
import type { CodeWithUses } from './service';

/** View-models for the questions and codes pages: plain objects, words worked out here. */

const option = (value: string, label: string, current: unknown) => ({ value, label, selected: String(current ?? '') === value });

export function questionRows(questions: QuestionRecord[], answers: Map<number, number>) {
  return questions.map((q) => ({
    id: q.id,
    label: q.label,
    kind: QUESTION_KIND_LABELS[q.kind],
    scope: q.scope === 'booking' ? 'Once per booking' : 'Each attendee',
    options: q.options.join(', '),
    isRequired: q.isRequired,
    isSensitive: q.isSensitive,
    condition: conditionNote(q, questions),
    answers: answers.get(q.id) ?? 0,
  }));
}

export function questionFormValues(q: QuestionRecord): Record<string, unknown> {
  return {
    scope: q.scope,
    kind: q.kind,
    label: q.label,
    helpText: q.helpText,
    options: q.options.join('\n'),
    isRequired: q.isRequired,
    isSensitive: q.isSensitive,
    conditionQuestionId: q.conditionQuestionId === null ? '' : String(q.conditionQuestionId),
    conditionValue: q.conditionValue ?? '',
  };
}

/** The question form's choices: kinds, and the earlier questions a condition may point at. */
export function questionChoices(form: Record<string, unknown>, earlier: QuestionRecord[]) {
  return {
    kinds: Object.entries(QUESTION_KIND_LABELS).map(([value, label]) => option(value, label, form.kind)),
    scopes: [
      { ...option('booking', 'Once per booking', form.scope ?? 'booking'), inputId: 'field-scope' },
      { ...option('attendee', 'Of each attendee', form.scope), inputId: 'field-scope-attendee' },
    ],
    conditions: [option('', 'Always ask it', form.conditionQuestionId), ...earlier.filter((q) => q.kind !== 'short_text' && q.kind !== 'long_text').map((q) => option(String(q.id), q.label, form.conditionQuestionId))],
  };
}

function codeDiscount(c: CodeWithUses): string {
  return describeDiscount(c);
}

export function codeRows(codes: CodeWithUses[], zone: string, types: TicketTypeRecord[] = []) {
  const typeName = (id: number) => types.find((t) => t.id === id)?.name ?? `ticket type ${id}`;
  return codes.map((c) => ({
    code: c.code,
    discount: codeDiscount(c),
    forWhat: c.eventId === null ? 'Every event' : (c.eventTitle ?? 'This event'),
    tickets: c.ticketTypeIds.length ? c.ticketTypeIds.map(typeName).join(', ') : 'All ticket types',
    reveals: c.revealsTicketTypeId !== null ? typeName(c.revealsTicketTypeId) : null,
    valid: [c.validFrom ? `from ${formatInstant(c.validFrom, zone)}` : '', c.validUntil ? `until ${formatInstant(c.validUntil, zone)}` : ''].filter(Boolean).join(' ') || 'Always',
    uses: c.maxUses === null ? `${c.uses} (no limit)` : `${c.uses} of ${c.maxUses}`,
    perBooking: c.maxPerBooking === null ? 'Any' : String(c.maxPerBooking),
    note: c.note,
    isActive: c.isActive,
  }));
}

export function codeChoices(form: Record<string, unknown>, types: TicketTypeRecord[]) {
  const chosen = new Set((Array.isArray(form.ticketTypeIds) ? form.ticketTypeIds : form.ticketTypeIds ? [form.ticketTypeIds] : []).map(String));
  return {
    kinds: [
      { value: 'percent', label: 'A percentage off each place', inputId: 'field-kind', checked: (form.kind ?? 'percent') === 'percent' },
      { value: 'amount', label: 'A fixed amount off each place', inputId: 'field-kind-amount', checked: form.kind === 'amount' },
      { value: 'free', label: 'Free places', inputId: 'field-kind-free', checked: form.kind === 'free' },
    ],
    forEvent: [
      { value: 'this', label: 'This event only', inputId: 'field-forEvent', checked: (form.forEvent ?? 'this') === 'this' },
      { value: 'all', label: 'Every event', inputId: 'field-forEvent-all', checked: form.forEvent === 'all' },
    ],
    types: types.filter((t) => t.isActive).map((t, i) => ({ id: t.id, inputId: i === 0 ? 'field-ticketTypeIds' : `field-ticketTypeIds-${t.id}`, label: `${t.name}, ${t.price === 0 ? 'free' : formatMoney(t.price, t.currency)}${t.isHidden ? ' (hidden)' : ''}`, checked: chosen.has(String(t.id)) })),
    hidden: [option('', 'None', form.revealsTicketTypeId), ...types.filter((t) => t.isHidden).map((t) => option(String(t.id), t.name, form.revealsTicketTypeId))],
  };
}
