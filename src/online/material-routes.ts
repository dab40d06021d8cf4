import { timingSafeEqual } from 'node:crypto';
import { Router, type Response } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../context';
import { hasAttended } from '../certificates/attendance';
import { findEventById, findEventBySlug } from '../events/queries';
import { NotFoundError } from '../lib/errors';
import { limitLinks } from '../web/rate-limit';
import { findMaterial, materialToken, readMaterialData, type Material } from './materials';

const id = z.coerce.number().int().positive().max(2_147_483_647);
const notFound = () => new NotFoundError('not_found', 'Nothing at that address: the slides or recording may have been removed, or the link is not yours.');

/** A file is always a download (never shown in the browser under our origin); a link leads to where it lives. */
async function sendMaterial(ctx: ServiceContext, res: Response, material: Material): Promise<void> {
  if (material.url) return void res.redirect(302, material.url);
  const data = await readMaterialData(ctx.db, material.id);
  if (!data) throw notFound();
  const name = (material.fileName ?? 'slides').replace(/[^\w.\- ]+/g, '_');
  res.set('Content-Type', material.contentType ?? 'application/octet-stream');
  res.set('Content-Disposition', `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(material.fileName ?? 'slides')}`);
  res.set('X-Content-Type-Options', 'nosniff');
  res.send(data);
}

async function attendedEvent(ctx: ServiceContext, eventId: number, attendeeId: number): Promise<boolean> {
  const event = await findEventById(ctx.db, eventId);
  return event !== undefined && (await hasAttended(ctx.db, event, attendeeId));
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Materials: a public one at `/events/:slug/materials/:id`; one for registrants or attendees only at the person's own
 * link `/materials/:id/:attendeeId/:token` (in their thank-you or "sorry we missed you" email and on their booking
 * page), checked each time against who they are now: a confirmed place, and for attendees only, having attended.
 */
export function materialRoutes(ctx: ServiceContext): Router {
  const router = Router();
  router.get('/events/:slug/materials/:id', async (req, res) => {
    const materialId = id.safeParse(req.params.id);
    const event = await findEventBySlug(ctx.db, String(req.params.slug));
    const material = materialId.success && event && event.status !== 'draft' ? await findMaterial(ctx.db, materialId.data) : undefined;
    if (!material || !event || material.eventId !== event.id || material.visibility !== 'public') throw notFound();
    await sendMaterial(ctx, res, material);
  });

  router.get('/materials/:id/:attendeeId/:token', limitLinks(ctx), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    const materialId = id.safeParse(req.params.id);
    const attendeeId = id.safeParse(req.params.attendeeId);
    if (!materialId.success || !attendeeId.success || !sameToken(String(req.params.token), materialToken(ctx.config, materialId.data, attendeeId.data))) throw notFound();
    const material = await findMaterial(ctx.db, materialId.data);
    const seat = await ctx.db('attendees')
      .join('bookings', 'bookings.id', 'attendees.booking_id')
      .select('attendees.event_id', 'attendees.checked_in_at', 'attendees.joined_at')
      .where('attendees.id', attendeeId.data)
      .where('attendees.status', 'active')
      .where('bookings.status', 'confirmed')
      .first();
    if (!material || !seat || Number(seat.event_id) !== material.eventId) throw notFound();
    // Attended by the certificates' one definition (door, joining link, or an uploaded attendance report), as the thank-you that links it.
    if (material.visibility === 'attendees' && !(await attendedEvent(ctx, material.eventId, attendeeId.data))) throw notFound();
    await sendMaterial(ctx, res, material);
  });
  return router;
}
