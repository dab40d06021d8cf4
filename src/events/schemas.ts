import { z } from 'zod';
import { EVENT_KINDS, REGIONS } from './types';

const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);

const isoInstant = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();
/** A day ("2026-04-01", read in the organisation's time zone) or an instant ("2026-04-01T00:00:00Z"). */
const dateOrInstant = z
  .string({ message: 'must be a date such as 2026-04-01 or a date-time such as 2026-04-01T00:00:00Z' })
  .refine((v) => isoInstant.safeParse(v).success || isoDate.safeParse(v).success, 'must be a date such as 2026-04-01 or a date-time such as 2026-04-01T00:00:00Z');

export const listQuerySchema = z.object({
  kind: z.preprocess(blankToUndefined, z.enum(EVENT_KINDS, { message: `must be one of ${EVENT_KINDS.join(', ')}` }).optional()),
  region: z.preprocess(blankToUndefined, z.enum(REGIONS, { message: `must be one of ${REGIONS.join(', ')}` }).optional()),
  /** Events one can take part in this way: `online` (online and hybrid events) or `in_person` (in person and hybrid). */
  mode: z.preprocess(blankToUndefined, z.enum(['online', 'in_person'], { message: 'must be one of online, in_person' }).optional()),
  from: z.preprocess(blankToUndefined, dateOrInstant.optional()),
  to: z.preprocess(blankToUndefined, dateOrInstant.optional()),
});

export const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,119}$/, 'Not an event address');
