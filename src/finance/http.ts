import type { Request, Response } from 'express';
import { referenceSchema } from '../bookings/schemas';
import { NotFoundError } from '../lib/errors';

export function referenceParam(req: Request): string {
  const parsed = referenceSchema.safeParse(req.params.reference);
  if (!parsed.success) throw new NotFoundError('No booking with that reference.', 'booking_not_found');
  return parsed.data;
}

/** Financial records: a download, never cached. */
export function sendCsv(res: Response, filename: string, body: string): void {
  res
    .status(200)
    .set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"`, 'Cache-Control': 'no-store' })
    .send(body);
}
