import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import multer, { MulterError } from 'multer';
import { AppError } from '../lib/errors';
import { describeBytes } from '../web/body-limits';
import type { Permission } from './auth/roles';

/** What one upload form takes: its file field and how much of everything (busboy's limits, through multer). */
export interface UploadLimits {
  /** The name of the form's one file field. */
  fileField: string;
  /** The largest file, in bytes. */
  maxFileBytes: number;
  /** Text fields besides the file (the CSRF token and any others the form has). */
  maxFields: number;
  /** The longest text field value, in bytes. */
  maxFieldBytes: number;
}

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** Room in a declared Content-Length for the text fields and the multipart headers and boundaries around the file. */
const ENVELOPE_BYTES = 64 * 1024;

/** A form whose upload is too large, shown again with this message at 413 (the route's own page, as a person sees it). */
export type TooLargePage = (req: Request, res: Response, message: string) => Promise<void> | void;

function tooLarge(limits: UploadLimits): AppError {
  return new AppError('upload_too_large', `The file is too large: this form takes files up to ${describeBytes(limits.maxFileBytes)}. Nothing was imported or changed.`);
}

/** Before a byte is read: the upload must declare its size, and that size must fit the form's limits. */
function checkDeclaredSize(limits: UploadLimits): RequestHandler {
  return (req, _res, next) => {
    if (!req.is('multipart/form-data')) return next();
    const declared = req.get('content-length');
    if (declared === undefined) throw new AppError('length_required', 'A file upload must say its size (Content-Length).');
    if (Number(declared) > limits.maxFileBytes + ENVELOPE_BYTES) throw tooLarge(limits);
    next();
  };
}

/** multer's refusals, in the service's catalogue: limits are 413, a malformed body or a file in the wrong field 400. */
function translate(error: unknown, limits: UploadLimits): unknown {
  if (error instanceof AppError) return error;
  if (error instanceof MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE') return tooLarge(limits);
    if (error.code === 'LIMIT_UNEXPECTED_FILE') return new AppError('bad_request', `The upload has a file where the form has none (field "${String(error.field ?? '').slice(0, 50)}").`);
    return new AppError('upload_too_large', `The form has more, or longer, fields than it should (${error.code}). Nothing was imported or changed.`);
  }
  // busboy's own errors: no boundary, a part cut short, headers it cannot read; and a client that went away.
  return new AppError('bad_request', 'The upload could not be read. Choose the file and send the form again.');
}

/**
 * The routes that take a file upload, and the only place a multipart body is parsed (multer, into memory, with
 * busboy's limits on size, files, fields and parts; OWASP File Upload Cheat Sheet). Mounted in the staff router
 * after the session is loaded and before the CSRF check, each upload route runs, in order: its route guard (an
 * anonymous visitor is sent to sign in, the wrong role gets 403, and the body is never read); the declared size
 * (413 before reading, 411 with no Content-Length); the parser; then the CSRF check reads the token from the parsed
 * form, and the route's handler runs as for any form. A multipart body sent anywhere else is never parsed, so it has
 * no CSRF token and is refused.
 */
export class UploadRoutes {
  readonly router = Router();

  constructor(private readonly guard: (permission: Permission) => RequestHandler) {}

  accept(path: string, permission: Permission, limits: UploadLimits, tooLargePage: TooLargePage): void {
    const parse = multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: limits.maxFileBytes, files: 1, fields: limits.maxFields, parts: limits.maxFields + 1, fieldSize: limits.maxFieldBytes, fieldNameSize: 100, headerPairs: 20 },
    }).single(limits.fileField);
    const onError: ErrorRequestHandler = async (error, req, res, next) => {
      const refusal = translate(error, limits);
      if (refusal instanceof AppError && refusal.code === 'upload_too_large') {
        // The form again, with what went wrong; nothing was changed, so it needs no CSRF check to show it.
        await tooLargePage(req, res, refusal.message);
        return;
      }
      next(refusal);
    };
    this.router.post(path, this.guard(permission), checkDeclaredSize(limits), parse, onError);
  }
}

/** The file an upload route received, if the person chose one. */
export function uploadedFile(req: Request): UploadedFile | undefined {
  const file = req.file;
  if (!file) return undefined;
  return { field: file.fieldname, filename: file.originalname, contentType: file.mimetype, data: file.buffer };
}
