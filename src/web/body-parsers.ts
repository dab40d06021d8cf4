import express, { type RequestHandler } from 'express';
import { AppError } from '../lib/errors';
import { isWellFormedFormEncoding, isWellFormedUtf8 } from '../lib/text';

/**
 * Request bodies and query strings are read as UTF-8, strictly: invalid bytes, or a %-escape that is broken or
 * decodes to invalid UTF-8, answer 400 `invalid_encoding` instead of reaching a handler with U+FFFD in place of what
 * was sent (body-parser and Node's querystring replace silently). RFC 8259 §8.1 requires JSON exchanged between
 * systems to be UTF-8; HTML forms are sent in the page's encoding, UTF-8 here (WHATWG HTML §4.10.21.8).
 */

const invalidEncoding = (what: string) => new AppError('invalid_encoding', `The ${what} is not valid UTF-8 text (or has a broken %-escape), so it was not read.`);

const isUtf8 = (encoding: string) => /^utf-?8$/i.test(encoding);

/** express.json with the strict UTF-8 check (body-parser's `verify` sees the raw bytes before decoding). */
export function jsonBody(limit: number | string): RequestHandler {
  return express.json({
    limit,
    verify: (_req, _res, bytes, encoding) => {
      if (isUtf8(encoding) && !isWellFormedUtf8(bytes)) throw invalidEncoding('request body');
    },
  });
}

/** express.urlencoded (`extended: false`) with the strict UTF-8 check on the bytes and on every %-escape. */
export function formBody(limit: number | string): RequestHandler {
  return express.urlencoded({
    extended: false,
    limit,
    verify: (_req, _res, bytes, encoding) => {
      if (!isUtf8(encoding)) return;
      if (!isWellFormedUtf8(bytes) || !isWellFormedFormEncoding(bytes.toString('utf8'))) throw invalidEncoding('form');
    },
  });
}

/** Refuses a URL whose query string has a broken %-escape or escapes invalid UTF-8 (400 `invalid_encoding`). */
export const strictQueryString: RequestHandler = (req, _res, next) => {
  const start = req.originalUrl.indexOf('?');
  if (start >= 0 && !isWellFormedFormEncoding(req.originalUrl.slice(start + 1))) return next(invalidEncoding('address (its query string)'));
  next();
};
