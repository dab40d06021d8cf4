import { invalidParam } from './errors';

export interface ApiList<T> {
  object: 'list';
  data: T[];
  has_more: boolean;
  url: string;
}

export interface PageQuery {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
}

export interface RangeFilter {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

const DEFAULT_LIMIT = 10;

/** Newest first, like Stripe; ties keep the later-inserted object first. */
export function sortNewestFirst<T extends { created: number }>(inInsertionOrder: Iterable<T>): T[] {
  return [...inInsertionOrder].reverse().sort((a, b) => b.created - a.created);
}

/**
 * One page of a newest-first list. `ending_before` returns the page just before the
 * cursor, still newest first: the SDK reads it backwards when it pages that way.
 */
export function paginate<T extends { id: string }>(sorted: T[], query: PageQuery, url: string): ApiList<T> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (query.starting_after && query.ending_before) {
    throw invalidParam('You may only specify one of these parameters: ending_before, starting_after.', 'ending_before');
  }
  if (query.ending_before) {
    const before = sorted.slice(0, indexOfCursor(sorted, query.ending_before, 'ending_before'));
    return { object: 'list', data: before.slice(Math.max(0, before.length - limit)), has_more: before.length > limit, url };
  }
  const start = query.starting_after ? indexOfCursor(sorted, query.starting_after, 'starting_after') + 1 : 0;
  const rest = sorted.slice(start);
  return { object: 'list', data: rest.slice(0, limit), has_more: rest.length > limit, url };
}

function indexOfCursor<T extends { id: string }>(sorted: T[], id: string, param: string): number {
  const index = sorted.findIndex((item) => item.id === id);
  if (index === -1) throw invalidParam(`No such object: '${id}'`, param, 'resource_missing');
  return index;
}

/** Stripe's `created=123` or `created[gte]=…&created[lt]=…`. */
export function isInRange(value: number, filter: number | RangeFilter | undefined): boolean {
  if (filter === undefined) return true;
  if (typeof filter === 'number') return value === filter;
  if (filter.gt !== undefined && !(value > filter.gt)) return false;
  if (filter.gte !== undefined && !(value >= filter.gte)) return false;
  if (filter.lt !== undefined && !(value < filter.lt)) return false;
  if (filter.lte !== undefined && !(value <= filter.lte)) return false;
  return true;
}
