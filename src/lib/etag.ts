import { createHash } from 'node:crypto';

/** A response body computed once and served many times, with the strong validator for conditional requests. */
export interface TaggedBody {
  body: string;
  etag: string;
}

/**
 * Tags a body by its content, so that the same content rebuilt later keeps its tag and a repeat visitor still gets
 * 304. `basis`, when given, is what the tag covers instead, for a body with parts that say nothing about its content
 * (an iCalendar DTSTAMP); the tag is then weak, since two bodies with one tag may differ in those bytes.
 */
export function tagBody(body: string, basis?: string): TaggedBody {
  const hash = createHash('sha1').update(basis ?? body).digest('base64url');
  return { body, etag: basis === undefined ? `"${hash}"` : `W/"${hash}"` };
}
