import { z } from 'zod';
import { EVENT_KINDS, REGIONS } from './types';

const blankToUndefined = (v: unknown) => (v === '' ? undefined : v);

export const listQuerySchema = z.object({
  kind: z.preprocess(blankToUndefined, z.enum(EVENT_KINDS, { message: `must be one of ${EVENT_KINDS.join(', ')}` }).optional()),
  region: z.preprocess(blankToUndefined, z.enum(REGIONS, { message: `must be one of ${REGIONS.join(', ')}` }).optional()),
  from: z.preprocess(blankToUndefined, z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time such as 2026-04-01T00:00:00Z' }).or(z.iso.date({ message: 'must be a date such as 2026-04-01' })).optional()),
  to: z.preprocess(blankToUndefined, z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time such as 2026-04-01T00:00:00Z' }).or(z.iso.date({ message: 'must be a date such as 2026-04-01' })).optional()),
});

export const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,119}$/, 'Not an event address');
