import type { Tx } from '../../db/connect';
import { ValidationError } from '../../lib/errors';
import { isSlugTaken } from './queries';

/** "Zoë's March meeting: NHS data!" -> "zoes-march-meeting-nhs-data" */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
  return slug || 'event';
}

export const SLUG_TAKEN = 'That web address is already used by another event. Choose another.';

/**
 * An address the organiser typed must be free (a clear field error if not); one made from the title
 * gets a number on the end until it is.
 */
export async function chooseSlug(db: Tx, typed: string | null, title: string, exceptId?: number): Promise<string> {
  if (typed) {
    if (await isSlugTaken(db, typed, exceptId)) throw new ValidationError([{ path: 'slug', message: SLUG_TAKEN }]);
    return typed;
  }
  const base = slugify(title);
  for (let n = 1; n < 100; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await isSlugTaken(db, candidate, exceptId))) return candidate;
  }
  throw new ValidationError([{ path: 'slug', message: SLUG_TAKEN }]);
}
