import { z } from 'zod';
import { DISCOUNT_KINDS } from '../../bookings/discounts';
import { QUESTION_KINDS, QUESTION_SCOPES } from '../../bookings/questions';
import { parseMoney } from '../../lib/money';
import { multiLineText, singleLineText } from '../../lib/text';
import { parseLocalDateTime } from '../../lib/time';
import { allAtOnce } from '../events/schemas';

/** The organisers' forms for registration questions and discount codes; every field's mistake is shown at once. */

const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === '1' || v === true, z.boolean());
const optionalId = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined), z.coerce.number().int().positive().max(2 ** 31 - 1).optional());

const questionFields = z.object({
  scope: z.enum(QUESTION_SCOPES, { message: 'Choose whether the question is asked once per booking or of each attendee' }),
  kind: z.enum(QUESTION_KINDS, { message: 'Choose the kind of answer' }),
  label: singleLineText(300, { notText: 'Enter the question' }).min(1, 'Enter the question'),
  helpText: z.preprocess((v) => v ?? '', singleLineText(1000)),
  // One option a line; blank lines are dropped.
  options: z.preprocess((v) => v ?? '', multiLineText(3000)).transform((text) => [...new Set(text.split('\n').map((o) => o.trim()).filter(Boolean))]),
  isRequired: checkbox,
  isSensitive: checkbox,
  conditionQuestionId: optionalId,
  conditionValue: z.preprocess((v) => v ?? '', singleLineText(300)),
});

const rawText = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

export const questionFormSchema = allAtOnce(
  questionFields,
  (input, ctx) => {
    const options = rawText(input.options).split(/\r?\n/).map((o) => o.trim()).filter(Boolean);
    const kind = rawText(input.kind);
    if ((kind === 'single_choice' || kind === 'multiple_choice') && options.length < 2) ctx.addIssue({ code: 'custom', path: ['options'], message: 'Give at least two answers to choose from, one a line' });
    if (options.some((o) => o.length > 300)) ctx.addIssue({ code: 'custom', path: ['options'], message: 'Each answer to choose from must be at most 300 characters' });
    if (rawText(input.conditionQuestionId) && !rawText(input.conditionValue)) ctx.addIssue({ code: 'custom', path: ['conditionValue'], message: 'Say which answer to the earlier question shows this one' });
    if (!rawText(input.conditionQuestionId) && rawText(input.conditionValue)) ctx.addIssue({ code: 'custom', path: ['conditionQuestionId'], message: 'Choose the earlier question this answer belongs to' });
    return null;
  },
  (v) => v,
);
export type QuestionInput = z.output<typeof questionFormSchema>;

const wholeNumber = (message: string, min: number, max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined), z.string().regex(/^\d{1,6}$/, message).transform(Number).pipe(z.number().int().min(min, message).max(max, message)).optional());

export function codeFormSchema(zone: string) {
  const when = (label: string) =>
    z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.string()).transform((raw, ctx) => {
      if (!raw) return null;
      const parsed = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(raw) ? parseLocalDateTime(raw, zone) : null;
      if (!parsed) {
        ctx.addIssue({ code: 'custom', message: `Enter the ${label} as a date and time, like 2026-04-14T18:00` });
        return z.NEVER;
      }
      return parsed;
    });
  const fields = z.object({
    code: z.preprocess((v) => (typeof v === 'string' ? v.trim().toUpperCase() : v), z.string({ message: 'Enter the code' }).regex(/^[A-Z0-9][A-Z0-9_-]{2,39}$/, 'Use 3 to 40 letters, digits, - or _, like STUDENT25')),
    forEvent: z.enum(['this', 'all'], { message: 'Choose whether the code is for this event or every event' }),
    kind: z.enum(DISCOUNT_KINDS, { message: 'Choose what the code takes off' }),
    amount: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string()),
    percent: wholeNumber('Enter a percentage from 1 to 100', 1, 100),
    validFrom: when('start of validity'),
    validUntil: when('end of validity'),
    maxUses: wholeNumber('Enter a whole number of places from 1, or leave it empty for no limit', 1, 100000),
    maxPerBooking: wholeNumber('Enter a whole number of places from 1 to 20, or leave it empty', 1, 20),
    ticketTypeIds: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.coerce.number().int().positive().max(2 ** 31 - 1))),
    revealsTicketTypeId: optionalId,
    note: z.preprocess((v) => v ?? '', singleLineText(300)),
  });
  return allAtOnce(
    fields,
    (input, ctx) => {
      const kind = rawText(input.kind);
      const amount = kind === 'amount' ? parseMoney(rawText(input.amount)) : 0;
      if (kind === 'amount' && (amount === null || amount <= 0)) ctx.addIssue({ code: 'custom', path: ['amount'], message: 'Enter the amount off each place in pounds, like 20.00' });
      if (kind === 'percent' && !rawText(input.percent)) ctx.addIssue({ code: 'custom', path: ['percent'], message: 'Enter a percentage from 1 to 100' });
      const from = when('start of validity').safeParse(input.validFrom);
      const until = when('end of validity').safeParse(input.validUntil);
      if (from.success && until.success && from.data && until.data && until.data <= from.data) ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'The code must stop being valid after it starts' });
      const hasTypes = (input.ticketTypeIds !== undefined && input.ticketTypeIds !== '') || rawText(input.revealsTicketTypeId) !== '';
      if (rawText(input.forEvent) === 'all' && hasTypes) ctx.addIssue({ code: 'custom', path: ['forEvent'], message: 'A code for every event cannot be limited to this event’s ticket types; choose “this event”' });
      return amount ?? 0;
    },
    (v, amount) => ({ ...v, amount, percent: v.kind === 'percent' ? (v.percent ?? 0) : 0 }),
  );
}
export type CodeInput = z.output<ReturnType<typeof codeFormSchema>>;
