import express, { type RequestHandler } from 'express';
import { AppError } from '../lib/errors';

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

function headerParam(header: string, name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`, 'i').exec(header)?.[1] ?? new RegExp(`${name}=([^;\\s]+)`, 'i').exec(header)?.[1];
}

/** Splits a multipart/form-data body into text fields and files. Small forms only (the member import). */
export function parseMultipart(body: Buffer, contentType: string): { fields: Record<string, string>; files: UploadedFile[] } {
  const boundary = headerParam(contentType, 'boundary');
  if (!boundary) throw new AppError('bad_request', 'The upload could not be read.');
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next === -1) break;
    const part = body.subarray(partStart + 2, next - 2); // skip the CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const data = part.subarray(headerEnd + 4);
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
      const name = headerParam(disposition, 'name');
      const filename = headerParam(disposition, 'filename');
      if (name && filename !== undefined) {
        files.push({ field: name, filename, contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream', data });
      } else if (name) fields[name] = data.toString('utf8');
    }
    start = next;
  }
  return { fields, files };
}

/** For multipart requests: the raw body becomes req.body (fields) and res.locals.files, so CSRF checks read them as usual. */
export function multipartForms(): RequestHandler[] {
  return [
    express.raw({ type: 'multipart/form-data', limit: MAX_UPLOAD_BYTES }),
    (req, res, next) => {
      if (!req.is('multipart/form-data') || !Buffer.isBuffer(req.body)) return next();
      const { fields, files } = parseMultipart(req.body, req.get('content-type') ?? '');
      req.body = fields;
      res.locals.files = files;
      next();
    },
  ];
}

export function uploadedFiles(locals: Record<string, unknown>): UploadedFile[] {
  return (locals.files as UploadedFile[] | undefined) ?? [];
}
