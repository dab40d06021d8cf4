import type { Request } from 'express';
import { z } from 'zod';
import { slugSchema } from '../events/schemas';
import { NotFoundError } from '../lib/errors';

export function slugParam(req: Request): string {
  const parsed = slugSchema.safeParse(req.params.slug);
  if (!parsed.success) throw new NotFoundError('No event with that address.', 'event_not_found');
  return parsed.data;
}

export function idParam(req: Request, name: string): number {
  const parsed = z.coerce.number().int().positive().max(2 ** 31 - 1).safeParse(req.params[name]);
  if (!parsed.success) throw new NotFoundError('Not found.');
  return parsed.data;
}

export function formBody(req: Request): Record<string, unknown> {
  const body = req.body as unknown;
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** Strings from a query string: a repeated parameter (?q=a&q=b) takes the first. */
export function queryText(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}
