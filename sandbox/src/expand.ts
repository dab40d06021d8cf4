import type { SandboxContext } from './context';
import { invalidParam } from './errors';

const MAX_EXPAND_DEPTH = 4;

/**
 * Stripe's `expand[]`: each dotted path swaps ids for the objects they name. Works on a
 * copy, so stored objects keep their ids. `data.` paths reach into lists.
 */
export function expandObject<T extends object>(ctx: SandboxContext, value: T, paths: string[] | undefined): T {
  if (!paths?.length) return value;
  const copy = structuredClone(value);
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > MAX_EXPAND_DEPTH + 1) {
      throw invalidParam(`You cannot expand more than ${MAX_EXPAND_DEPTH} levels of a property. Property: ${path}`, 'expand');
    }
    expandPath(ctx, copy, segments, path);
  }
  return copy;
}

function expandPath(ctx: SandboxContext, node: unknown, segments: string[], path: string): void {
  if (Array.isArray(node)) {
    for (const item of node) expandPath(ctx, item, segments, path);
    return;
  }
  if (typeof node !== 'object' || node === null || segments.length === 0) return;
  const record = node as Record<string, unknown>;
  const [head, ...rest] = segments;
  if (!(head in record)) throw invalidParam(`This property cannot be expanded (${path}).`, 'expand');
  const current = record[head];
  if (typeof current === 'string') {
    const target = ctx.store.findAny(current);
    if (!target) return;
    record[head] = structuredClone(target);
  }
  expandPath(ctx, record[head], rest, path);
}
