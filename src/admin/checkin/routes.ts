import type { Request, Response } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../../context';
import type { EventRecord } from '../../events/types';
import { ConflictError } from '../../lib/errors';
import { singleLineText } from '../../lib/text';
import { inZone } from '../../lib/time';
import { parseInput } from '../../web/validate';
import type { Views } from '../../web/views';
import { listExpected } from '../attendees/queries';
import { staffOf } from '../auth/middleware';
import { findStaffEvent } from '../events/read';
import { formBody, idParam, queryText, slugParam } from '../params';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { countAtDoor, setCheckedIn } from './service';

const SHOWN = 100;
const searchSchema = z.preprocess((v) => (typeof v === 'string' ? v : ''), singleLineText(200, { tooLong: 'Search for at most 200 characters' }));

async function doorList(ctx: ServiceContext, event: EventRecord, q: string) {
  const people = await listExpected(ctx.db, event.id, q || undefined, SHOWN + 1);
  return {
    people: people.slice(0, SHOWN).map((p) => ({
      id: p.id,
      name: p.name,
      organisation: p.organisation,
      ticketType: p.ticketTypeName,
      reference: p.reference,
      checkedInAt: p.checkedInAt ? inZone(p.checkedInAt, event.timezone).toFormat('HH:mm') : null,
    })),
    more: people.length > SHOWN,
    counts: await countAtDoor(ctx.db, event.id),
  };
}

const wantsJson = (req: Request) => (req.get('accept') ?? '').includes('application/json');

export function checkInRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  routes.get('/events/:slug/check-in', 'checkin', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const q = parseInput(searchSchema, queryText(req.query.q));
    const list = await doorList(ctx, event, q);
    renderAdmin(views, res, 'check-in', { title: `Check-in: ${event.title}`, event: { slug: event.slug, title: event.title }, q, ...list, pageScript: '/static/check-in.js' });
  });

  routes.get('/events/:slug/check-in.json', 'checkin', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const q = parseInput(searchSchema, queryText(req.query.q));
    res.set('Cache-Control', 'no-store').json(await doorList(ctx, event, q));
  });

  const mark = (arrived: boolean) => async (req: Request, res: Response) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const q = parseInput(searchSchema, formBody(req).q);
    try {
      const result = await setCheckedIn(ctx, staffOf(res), event, idParam(req, 'attendeeId'), arrived);
      if (wantsJson(req)) return res.json({ checkedInAt: result.checkedInAt ? inZone(result.checkedInAt, event.timezone).toFormat('HH:mm') : null, counts: result.counts });
      res.redirect(303, `/admin/events/${event.slug}/check-in${q ? `?q=${encodeURIComponent(q)}` : ''}#attendee-${idParam(req, 'attendeeId')}`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (wantsJson(req)) return res.status(409).json({ error: { code: error.code, message: error.message } });
      renderAdmin(views, res, 'problem', { title: 'Could not check in', message: error.message, back: `/admin/events/${event.slug}/check-in` }, 409);
    }
  };
  routes.post('/events/:slug/check-in/:attendeeId', 'checkin', mark(true));
  routes.post('/events/:slug/check-in/:attendeeId/undo', 'checkin', mark(false));
}
