import { z } from 'zod';
import { LIST_STATUSES } from './queries';

const blank = (v: unknown) => (Array.isArray(v) ? v[0] : v === '' ? undefined : v);

export const attendeeQuerySchema = z.object({
  q: z.preprocess(blank, z.string().trim().max(200, 'Search for at most 200 characters').optional()),
  status: z.preprocess(blank, z.enum(LIST_STATUSES, { message: 'Choose a status from the list' }).optional()),
  ticket: z.preprocess(blank, z.coerce.number({ message: 'Choose a ticket type from the list' }).int().positive().optional()),
  page: z.preprocess(blank, z.coerce.number({ message: 'Not a page number' }).int().min(1).max(10000).default(1)),
});

export const exportFormatSchema = z.enum(['json', 'csv', 'xlsx'], { message: 'Use .json, .csv or .xlsx' });
