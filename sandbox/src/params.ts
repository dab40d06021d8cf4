import { z } from 'zod';
import { invalidParam } from './errors';
import type { FormValue } from './form-decode';

/** Form values are strings; Stripe reads integers strictly ("12.5" and "" are rejected). */
export const intString = z
  .string()
  .regex(/^-?\d+$/, 'must be an integer')
  .transform(Number);

export const positiveInt = intString.pipe(z.number().int().min(1, 'must be at least 1'));

export const metadataParam = z
  .record(z.string().max(40, 'keys must be at most 40 characters'), z.string().max(500, 'values must be at most 500 characters'))
  .refine((record) => Object.keys(record).length <= 50, 'can have at most 50 keys');

export const expandParam = z.array(z.string()).optional();

export const rangeParam = z.union([
  intString,
  z.strictObject({
    gt: intString.optional(),
    gte: intString.optional(),
    lt: intString.optional(),
    lte: intString.optional(),
  }),
]);

export const pageParams = {
  limit: intString.pipe(z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100')).optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
  expand: expandParam,
};

/** Parses API params, turning the first zod issue into Stripe's 400 with `param`. */
export function parseParams<S extends z.ZodType>(schema: S, input: FormValue | undefined): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const param = formatParam([...issue.path, issue.keys[0]]);
    throw invalidParam(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
  }
  const param = formatParam(issue.path);
  if (valueAt(input, issue.path) === undefined) {
    throw invalidParam(`Missing required param: ${param}.`, param, 'parameter_missing');
  }
  throw invalidParam(`Invalid ${param}: ${issue.message}`, param);
}

/** `['line_items', 0, 'quantity']` → `line_items[0][quantity]`, Stripe's way of naming params. */
export function formatParam(path: ReadonlyArray<PropertyKey>): string {
  const [head, ...rest] = path.map(String);
  return (head ?? '') + rest.map((part) => `[${part}]`).join('');
}

function valueAt(input: FormValue | undefined, path: ReadonlyArray<PropertyKey>): unknown {
  let node: unknown = input;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}
