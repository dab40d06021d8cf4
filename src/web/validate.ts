import type { z } from 'zod';
import { ValidationError } from '../lib/errors';

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
