import { DateTime } from 'luxon';
import { z } from 'zod';

const blank = (v: unknown) => (Array.isArray(v) ? v[0] : v === '' ? undefined : v);
const day = (label: string) =>
  z.preprocess(
    blank,
    z
      .string()
      .trim()
      .regex(/^\d{4}-\d{2}-\d{2}$/, `Enter the ${label} date as YYYY-MM-DD, like 2026-03-17`)
      .refine((s) => DateTime.fromISO(s).isValid, `Enter a real ${label} date, like 2026-03-17`)
      .optional(),
  );
const id = (message: string) => z.preprocess(blank, z.coerce.number({ message }).int(message).positive(message).max(2 ** 31 - 1, message).optional());

/**
 * The audit log's filters (GET /admin/audit): a person (a staff account's id, or `cli` for the command line), an event
 * (its id), days `from` and `to` (inclusive, read in the service's time zone), and the page. A wrong value is a field
 * error on the page, never a 500.
 */
export const auditQuerySchema = z
  .object({
    person: z.preprocess(blank, z.union([z.literal('cli'), z.coerce.number().int().positive().max(2 ** 31 - 1)], { message: 'Choose a person from the list' }).optional()),
    event: id('Choose an event from the list'),
    from: day('first'),
    to: day('last'),
    page: z.preprocess(blank, z.coerce.number({ message: 'Not a page number' }).int('Not a page number').min(1, 'Not a page number').max(100000, 'Not a page number').default(1)),
  })
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.to < q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'The last date must be on or after the first' });
  });

export type AuditQuery = z.output<typeof auditQuerySchema>;
