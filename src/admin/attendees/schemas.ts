import { z } from 'zod';
import { multiLineText, singleLineText } from '../../lib/text';
import { LIST_STATUSES } from './queries';

const blank = (v: unknown) => (Array.isArray(v) ? v[0] : v === '' ? undefined : v);

export const attendeeQuerySchema = z.object({
  q: z.preprocess(blank, singleLineText(200, { tooLong: 'Search for at most 200 characters' }).optional()),
  /** A seat status, or `all`. Absent: every status for downloads and the API (unchanged), confirmed places on the page. */
  status: z.preprocess(blank, z.enum([...LIST_STATUSES, 'all'], { message: 'Choose a status from the list' }).optional()),
  ticket: z.preprocess(blank, z.coerce.number({ message: 'Choose a ticket type from the list' }).int().positive().optional()),
  page: z.preprocess(blank, z.coerce.number({ message: 'Not a page number' }).int().min(1).max(10000).default(1)),
  /** Downloads: `sensitive=1` adds the answers to sensitive questions (never for the treasurer). */
  sensitive: z.preprocess(blank, z.enum(['0', '1'], { message: 'Use sensitive=1 to include sensitive answers' }).transform((v) => v === '1').optional()),
});

export const exportFormatSchema = z.enum(['json', 'csv', 'xlsx'], { message: 'Use .json, .csv or .xlsx' });

const refundChoice = z.enum(['policy', 'full', 'none'], { message: 'Choose the refund: policy, full or none' });
const cancelReason = multiLineText(300, { tooLong: 'Keep the reason under 300 characters' }).optional().transform((s) => (s ? s : undefined));
const attendeeId = z.number({ message: 'An attendee id is a whole number' }).int('An attendee id is a whole number').positive('An attendee id is a whole number').max(2 ** 31 - 1);

/** POST /api/v1/admin/bookings/:reference/cancel. The same seat named twice counts once. */
export const staffCancelApiSchema = z.object({
  attendeeIds: z
    .array(attendeeId, { message: 'List the attendee ids to cancel, like [12, 13]' })
    .min(1, 'Name at least one attendee, or leave attendeeIds out to cancel the whole booking')
    .max(1000)
    .transform((ids) => [...new Set(ids)])
    .optional(),
  refund: refundChoice,
  reason: cancelReason,
});

/** ?seat= on the confirmation page: one place, or the whole booking when absent. */
export const cancelPageQuerySchema = z.object({
  seat: z.preprocess(blank, z.coerce.number({ message: 'Not a place of this booking' }).int().positive().max(2 ** 31 - 1).optional()),
});

/** The confirmation form: the refund chosen, the seat (when one), and an optional reason. */
export const staffCancelFormSchema = z.object({
  refund: z.preprocess(blank, refundChoice),
  seat: z.preprocess(blank, z.coerce.number({ message: 'Not a place of this booking' }).int().positive().max(2 ** 31 - 1).optional()),
  reason: z.preprocess(blank, cancelReason),
});
