import type { Request } from 'express';
import { z } from 'zod';
import { slugSchema } from '../events/schemas';
import { NotFoundError } from '../lib/errors';
import { parseRequest } from '../web/validate';

export function slugParam(req: Request): string {
  return parseRequest(req, { params: z.object({ slug: slugSchema }), notFound: () => new NotFoundError('event_not_found', 'No event with that address.') }).params.slug;
}

export function idParam(req: Request, name: string): number {
  return parseRequest(req, { params: z.object({ [name]: z.coerce.number().int().positive().max(2 ** 31 - 1) }) }).params[name] as number;
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
