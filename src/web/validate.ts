import type { Request } from 'express';
import type { z } from 'zod';
import { AppError, NotFoundError, ValidationError } from '../lib/errors';

/** Parses input with a zod schema, or throws a ValidationError naming each wrong field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, prefix: string[] = []): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw ValidationError.fromZod(result.error, prefix);
  return result.data;
}

/** Turns ValidationError details into { "buyer.email": "message" } for forms. */
export function fieldErrors(error: ValidationError): Record<string, string> {
  const map: Record<string, string> = {};
  for (const d of error.details ?? []) if (!(d.path in map)) map[d.path] = d.message;
  return map;
}

type Schema = z.ZodType;
type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;

export interface RequestSchemas<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  params?: P;
  query?: Q;
  body?: B;
  /** What a URL that names nothing answers (default 404 `not_found`): a malformed id is as absent as a missing one. */
  notFound?: () => AppError;
}

/**
 * The one way a route reads its input (Outline's `validate`): params, query and body parsed by the route's zod
 * schemas in one call, typed for the handler. Params that do not parse answer 404 (the address names nothing); a
 * query or body that does not parse answers 422 ValidationError with one detail per field path (query paths are
 * prefixed `query.`).
 */
export function parseRequest<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  req: Pick<Request, 'params' | 'query' | 'body'>,
  schemas: RequestSchemas<P, Q, B>,
): { params: Parsed<P>; query: Parsed<Q>; body: Parsed<B> } {
  let params: unknown;
  if (schemas.params) {
    const result = schemas.params.safeParse(req.params);
    if (!result.success) throw schemas.notFound?.() ?? new NotFoundError('not_found', 'Not found.');
    params = result.data;
  }
  const query = schemas.query ? parseInput(schemas.query, req.query ?? {}, ['query']) : undefined;
  const body = schemas.body ? parseInput(schemas.body, req.body ?? {}) : undefined;
  return { params, query, body } as { params: Parsed<P>; query: Parsed<Q>; body: Parsed<B> };
}
