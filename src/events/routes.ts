import { Router } from 'express';
import { buildFeed } from '../calendar/ics';
import { calendarContext } from '../calendar/context';
import type { ServiceContext } from '../context';
import { eventUrl, publicHost } from '../lib/links';
import { NotFoundError } from '../lib/errors';
import { parseDateBound } from '../lib/time';
import { parseInput } from '../web/validate';
import type { Views } from '../web/views';
import { eventDates } from './dates';
import { toApiEvent, toEventCard, toEventPage } from './present';
import { listQuerySchema, slugSchema } from './schemas';
import { getPublicEvent, listPastEvents, listUpcomingEvents, type EventWithAvailability } from './service';
import { EVENT_KINDS, KIND_LABELS, REGIONS, REGION_LABELS } from './types';

function groupByMonth(items: EventWithAvailability[], now: Date) {
  const months: Array<{ key: string; label: string; events: ReturnType<typeof toEventCard>[] }> = [];
  for (const item of items) {
    const { monthKey: key, monthLabel: label } = eventDates(item.event.startsAt, item.event.endsAt, item.event.timezone);
    let month = months.find((m) => m.key === key);
    if (!month) months.push((month = { key, label, events: [] }));
    month.events.push(toEventCard(item, now));
  }
  return months;
}

function filterOptions(selected: { kind?: string; region?: string }) {
  return {
    kinds: EVENT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k], selected: selected.kind === k })),
    regions: REGIONS.map((r) => ({ value: r, label: REGION_LABELS[r], selected: selected.region === r })),
  };
}

export function publicEventRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const query = parseInput(listQuerySchema, req.query);
    const items = await listUpcomingEvents(ctx, { kind: query.kind, region: query.region });
    const now = ctx.clock.now();
    res.type('html').send(
      views.render('events/list', { title: 'Upcoming events', months: groupByMonth(items, now), isFiltered: !!(query.kind || query.region), ...filterOptions(query) }),
    );
  });

  router.get('/events/past', async (req, res) => {
    const query = parseInput(listQuerySchema, req.query);
    const now = ctx.clock.now();
    const items = await listPastEvents(ctx, { kind: query.kind, region: query.region });
    res.type('html').send(views.render('events/past', { title: 'Past events', events: items.map((i) => toEventCard(i, now)), ...filterOptions(query) }));
  });

  router.get('/calendar.ics', async (_req, res) => {
    const items = await listUpcomingEvents(ctx, {}, false);
    const body = buildFeed(items.map((i) => i.event), calendarContext(ctx), publicHost(ctx.config), `${ctx.config.orgName} events`);
    res.type('text/calendar; charset=utf-8').set('Content-Disposition', 'inline; filename="hsug-events.ics"').send(body);
  });

  router.get('/events/:slug/event.ics', async (req, res) => {
    const slug = slugSchema.safeParse(req.params.slug);
    if (!slug.success) throw new NotFoundError('No event with that address.', 'event_not_found');
    const { event } = await getPublicEvent(ctx, slug.data);
    const body = buildFeed([event], calendarContext(ctx), publicHost(ctx.config));
    res.type('text/calendar; charset=utf-8').set('Content-Disposition', `attachment; filename="${event.slug}.ics"`).send(body);
  });

  router.get('/events/:slug', async (req, res) => {
    const slug = slugSchema.safeParse(req.params.slug);
    if (!slug.success) throw new NotFoundError('No event with that address.', 'event_not_found');
    const item = await getPublicEvent(ctx, slug.data);
    const page = toEventPage(item, eventUrl(ctx.config, item.event.slug), ctx.clock.now());
    res.type('html').send(views.render('events/show', { title: item.event.title, event: page, form: {}, errors: {} }));
  });

  return router;
}

export function eventApiRoutes(ctx: ServiceContext): Router {
  const router = Router();

  router.get('/events', async (req, res) => {
    const query = parseInput(listQuerySchema, req.query);
    const zone = ctx.config.timezone;
    const items = await listUpcomingEvents(ctx, {
      kind: query.kind,
      region: query.region,
      from: query.from ? parseDateBound(query.from, zone, 'start') : undefined,
      to: query.to ? parseDateBound(query.to, zone, 'end') : undefined,
    });
    res.json({ events: items.map((i) => toApiEvent(i, eventUrl(ctx.config, i.event.slug))) });
  });

  router.get('/events/:slug', async (req, res) => {
    const slug = slugSchema.safeParse(req.params.slug);
    if (!slug.success) throw new NotFoundError('No event with that address.', 'event_not_found');
    const item = await getPublicEvent(ctx, slug.data);
    res.json({ event: toApiEvent(item, eventUrl(ctx.config, item.event.slug)) });
  });

  return router;
}
