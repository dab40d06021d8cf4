import type { Request, Response } from 'express';
import type { TaggedBody } from '../lib/etag';

/**
 * Public catalogue pages (the list, event pages, the feeds) are the same for everyone. A browser or the group's
 * website may keep one for a second, and for one second more while it asks again in the background, so a place
 * taken shows everywhere within about two seconds; asking again with the ETag costs a 304 and no body.
 */
export const CATALOGUE_CACHE_CONTROL = 'public, max-age=1, stale-while-revalidate=1';

const opaque = (tag: string) => tag.trim().replace(/^W\//, '');

/**
 * If-None-Match with the weak comparison (RFC 9110, 13.1.2). Not Express's req.fresh, which answers 200 whenever
 * the request also says Cache-Control: no-cache, and fetch() adds exactly that to a request given If-None-Match:
 * the embedding website asking "has it changed?" would always get the whole body.
 */
function isNotModified(req: Request, etag: string): boolean {
  const header = req.get('If-None-Match');
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/** Sends a catalogue body, or 304 Not Modified when the client already holds this version. */
export function sendCatalogueBody(req: Request, res: Response, type: string, tagged: TaggedBody): void {
  res.set({ 'Cache-Control': CATALOGUE_CACHE_CONTROL, ETag: tagged.etag }).type(type);
  if (isNotModified(req, tagged.etag)) {
    res.status(304).end();
    return;
  }
  res.send(tagged.body);
}
