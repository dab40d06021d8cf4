import type { Request, Response } from 'express';
import { z } from 'zod';
import { walkInSchema } from '../../bookings';
import type { ServiceContext } from '../../context';
import { doorState } from '../../events/availability';
import type { EventRecord } from '../../events/types';
import { ConflictError, ValidationError } from '../../lib/errors';
import { singleLineText } from '../../lib/text';
import { formatDate, inZone } from '../../lib/time';
import { fieldErrors, parseInput } from '../../web/validate';
import type { Views } from '../../web/views';
import { listExpected } from '../attendees/queries';
import { staffOf } from '../auth/middleware';
import { findStaffEvent } from '../events/read';
import { formBody, idParam, queryText, slugParam } from '../params';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { addWalkIn, countAtDoor, listNotExpected, setCheckedIn } from './service';

const SHOWN = 100;
const searchSchema = z.preprocess((v) => (typeof v === 'string' ? v : ''), singleLineText(200, { tooLong: 'Search for at most 200 characters' }));
const doneSchema = z.object({ done: z.coerce.number().int().positive().max(2 ** 31 - 1), action: z.enum(['in', 'undo', 'walk_in']) });

const hhmm = (date: Date, event: EventRecord) => inZone(date, event.timezone).toFormat('HH:mm');

async function doorList(ctx: ServiceContext, event: EventRecord, q: string) {
  const people = await listExpected(ctx.db, event.id, q || undefined, SHOWN + 1);
  const others = q ? await listNotExpected(ctx.db, event.id, q) : [];
  return {
    people: people.slice(0, SHOWN).map((p) => ({
      id: p.id,
      name: p.name,
      organisation: p.organisation,
      ticketType: p.ticketTypeName,
      reference: p.reference,
      isWalkIn: p.isWalkIn,
      checkedInAt: p.checkedInAt ? hhmm(p.checkedInAt, event) : null,
    })),
    more: people.length > SHOWN,
    others: others.map((o) => ({
      name: o.name,
      reference: o.reference,
      why: o.state === 'cancelled'
        ? `cancelled${o.cancelledAt ? ` on ${formatDate(o.cancelledAt, event.timezone)} at ${hhmm(o.cancelledAt, event)}` : ''}`
        : o.state === 'waitlisted' ? 'on the waitlist, no place' : o.state === 'pending_payment' ? 'has not paid yet, no place' : 'did not pay in time, no place',
    })),
    counts: await countAtDoor(ctx.db, event.id),
  };
}

/** What the page says after a form was posted without JavaScript: who was just checked in, undone or added. */
async function doneNotice(ctx: ServiceContext, event: EventRecord, query: Record<string, unknown>): Promise<string | null> {
  const parsed = doneSchema.safeParse({ done: queryText(query.done), action: queryText(query.action) });
  if (!parsed.success) return null;
  const row = await ctx.db('attendees').select('name', 'checked_in_at').where({ id: parsed.data.done, event_id: event.id }).first();
  if (!row) return null;
  if (parsed.data.action === 'undo') return `Check-in undone for ${row.name}.`;
  const at = row.checked_in_at ? ` at ${hhmm(new Date(row.checked_in_at), event)}` : '';
  return parsed.data.action === 'walk_in' ? `${row.name} added as a walk-in and checked in${at}.` : `${row.name} checked in${at}.`;
}

const wantsJson = (req: Request) => (req.get('accept') ?? '').includes('application/json');

export function checkInRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  const renderDoor = async (res: Response, event: EventRecord, q: string, extra: Record<string, unknown> = {}, status = 200) => {
    const state = doorState(event, ctx.clock.now());
    renderAdmin(views, res, 'check-in', {
      title: `Check-in: ${event.title}`,
      event: { slug: event.slug, title: event.title },
      q,
      ...(await doorList(ctx, event, q)),
      isBefore: state === 'before',
      isAfter: state === 'after',
      opensOn: formatDate(event.startsAt, event.timezone),
      walkIn: { name: '', email: '' },
      walkInErrors: {},
      ...extra,
      pageScript: '/static/check-in.js',
    }, status);
  };

  routes.get('/events/:slug/check-in', 'checkin', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const q = parseInput(searchSchema, queryText(req.query.q));
    await renderDoor(res, event, q, { notice: await doneNotice(ctx, event, req.query as Record<string, unknown>) });
  });

  routes.get('/events/:slug/check-in.json', 'checkin', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const q = parseInput(searchSchema, queryText(req.query.q));
    res.set('Cache-Control', 'no-store').json(await doorList(ctx, event, q));
  });

  // Before /:attendeeId, which would otherwise take "walk-in" for an id.
  routes.post('/events/:slug/check-in/walk-in', 'checkin', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const body = formBody(req);
    const typed = { name: typeof body.name === 'string' ? body.name : '', email: typeof body.email === 'string' ? body.email : '' };
    try {
      const added = await addWalkIn(ctx, staffOf(res), event, parseInput(walkInSchema, body));
      res.redirect(303, `/admin/events/${event.slug}/check-in?done=${added.attendeeId}&action=walk_in`);
    } catch (error) {
      if (error instanceof ValidationError) return renderDoor(res, event, '', { walkIn: typed, walkInErrors: fieldErrors(error), hasWalkInErrors: true }, 422);
      if (!(error instanceof ConflictError)) throw error;
      await renderDoor(res, event, '', { walkIn: typed, walkInProblem: error.message }, 409);
    }
  });

  const mark = (arrived: boolean) => async (req: Request, res: Response) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const attendeeId = idParam(req, 'attendeeId');
    try {
      const result = await setCheckedIn(ctx, staffOf(res), event, attendeeId, arrived);
      if (wantsJson(req)) return res.json({ checkedInAt: result.checkedInAt ? hhmm(result.checkedInAt, event) : null, counts: result.counts, name: result.name });
      // Back to an empty search, ready for the next person, saying who was just done.
      res.redirect(303, `/admin/events/${event.slug}/check-in?done=${attendeeId}&action=${arrived ? 'in' : 'undo'}`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (wantsJson(req)) return res.status(409).json({ error: { code: error.code, message: error.message } });
      renderAdmin(views, res, 'problem', { title: 'Could not check in', message: error.message, back: `/admin/events/${event.slug}/check-in` }, 409);
    }
  };
  routes.post('/events/:slug/check-in/:attendeeId', 'checkin', mark(true));
  routes.post('/events/:slug/check-in/:attendeeId/undo', 'checkin', mark(false));
}
