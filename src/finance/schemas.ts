import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseMoney } from '../lib/money';
import { multiLineText, singleLineText } from '../lib/text';

const isoDay = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter a date as YYYY-MM-DD')
  .refine((s) => DateTime.fromISO(s).isValid, 'Enter a real date');

const optionalText = (max: number) =>
  singleLineText(max)
    .optional()
    .transform((s) => (s ? s : undefined));

const isDay = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromISO(v).isValid;

/** ?from=&to= (both days, inclusive) or ?year=2025 (the financial year from April 2025); nothing means the current year. */
export const periodQuerySchema = z
  .object({
    from: isoDay.optional().or(z.literal('').transform(() => undefined)),
    to: isoDay.optional().or(z.literal('').transform(() => undefined)),
    year: z.coerce.number().int().min(2000).max(2100).optional(),
  })
  .superRefine((q, ctx) => {
    // Compared only when both are real days; a wrong day has its own message already.
    if (q.from === undefined && q.to === undefined) return;
    if (q.from === undefined || q.to === undefined) {
      ctx.addIssue({ code: 'custom', message: 'Give both the first and the last day', path: [q.from === undefined ? 'from' : 'to'] });
      return;
    }
    if (!isDay(q.from) || !isDay(q.to)) return;
    if (q.from > q.to) ctx.addIssue({ code: 'custom', message: 'The last day must not be before the first', path: ['to'] });
    else if (DateTime.fromISO(q.to).diff(DateTime.fromISO(q.from), 'years').years > 10) ctx.addIssue({ code: 'custom', message: 'Choose a period of ten years or less', path: ['to'] });
  });

export type PeriodQuery = z.infer<typeof periodQuerySchema>;

const yesNo = z.enum(['yes', 'no']).optional().or(z.literal('').transform(() => undefined));

export const ledgerQuerySchema = z.object({
  event: z.coerce.number().int().positive().max(2 ** 31 - 1).optional().or(z.literal('').transform(() => undefined)),
  method: z.enum(['card', 'invoice']).optional().or(z.literal('').transform(() => undefined)),
  hasPayout: yesNo,
  q: optionalText(100),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

export type LedgerQuery = z.infer<typeof ledgerQuerySchema>;

export const payoutIdSchema = z.string().regex(/^po_[A-Za-z0-9_]{1,200}$/);

/** "12.50" or "£12.50" into pence, by string. */
export const moneyText = z
  .string({ message: 'Enter an amount, like 12.50' })
  .trim()
  .min(1, 'Enter an amount, like 12.50')
  .transform((text, ctx) => {
    const pence = parseMoney(text.replace(/,/g, ''));
    if (pence === null) {
      ctx.addIssue({ code: 'custom', message: 'Enter an amount in pounds and pence, like 12.50' });
      return z.NEVER;
    }
    return pence;
  });

const reason = multiLineText(300, { notText: 'Enter a reason', tooLong: 'Keep the reason under 300 characters' }).min(1, 'Enter a reason');

/** Checkboxes arrive as one value or several. */
const idList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))
  .pipe(z.array(z.string().regex(/^\d{1,9}$/, 'Choose places from the list').transform(Number)));

export const refundFormSchema = z.object({
  amount: moneyText.pipe(z.number().int().min(1, 'Enter an amount above £0.00')),
  reason,
  attendeeIds: idList,
});

export const invoicePaymentFormSchema = z.object({
  paidOn: isoDay,
  amount: moneyText.pipe(z.number().int().min(1, 'Enter an amount above £0.00')),
  bankReference: singleLineText(200, { notText: 'Enter the reference on the bank statement' }).min(1, 'Enter the reference on the bank statement'),
});

export const writeOffFormSchema = z.object({ reason });

/** A Stripe object a mismatch can be about: a charge or payment, a refund, a dispute, a payout. */
export const stripeObjectIdSchema = z.string().regex(/^(ch|py|re|pyr|dp|du|po)_[A-Za-z0-9_]{1,200}$/);

const note = multiLineText(500, { notText: 'Say what this money is', tooLong: 'Keep the note under 500 characters' }).min(1, 'Say what this money is');

export const explainFormSchema = z.object({ note });

export const attachFormSchema = z.object({
  booking: singleLineText(40, { notText: 'Choose the booking it paid for', tooLong: 'Choose the booking it paid for' }).min(1, 'Choose the booking it paid for'),
  note,
});

/** Where "Sync with Stripe now" returns to: a finance page's path, nothing else (no open redirect). */
export const syncBackSchema = z.string().regex(/^\/admin\/finance(\/[A-Za-z0-9_\-.%]+)*$/);
