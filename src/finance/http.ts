import type { Request, Response } from 'express';
import { z } from 'zod';
import { referenceSchema } from '../bookings';
import { NotFoundError } from '../lib/errors';
import { parseRequest } from '../web/validate';

export function referenceParam(req: Request): string {
  return parseRequest(req, { params: z.object({ reference: referenceSchema }), notFound: () => new NotFoundError('booking_not_found', 'No booking with that reference.') }).params.reference;
}

/** Financial records: a download, never cached. */
export function sendCsv(res: Response, filename: string, body: string): void {
  res
    .status(200)
    .set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"`, 'Cache-Control': 'no-store' })
    .send(body);
}
