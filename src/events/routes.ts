import { questionFields } from '../bookings/question-present';
import { listQuestionsForSlug } from '../bookings/questions';
import { Router } from 'express';
import { buildFeed } from '../calendar/ics';
import { calendarContext } from '../calendar/context';
import type { ServiceContext } from '../context';
import { tagBody, type TaggedBody } from '../lib/etag';
import { eventUrl, publicHost } from '../lib/links';
import { NotFoundError } from '../lib/errors';
import { parseDateBound } from '../lib/time';
import { sendCatalogueBody } from '../web/cached';
import { parseInput } from '../web/validate';
import type { Views } from '../web/views';
import { selectUpcoming, type Catalogue, type CatalogueSnapshot } from './catalogue';
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

function filterOptions(selected: { kind?: string; region?: string; mode?: string }) {
  return {
    modes: [
      { value: 'online', label: 'Online (and hybrid)', selected: selected.mode === 'online' },
      { value: 'in_person', label: 'In person (and hybrid)', selected: selected.mode === 'in_person' },
    ],
    kinds: EVENT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k], selected: selected.kind === k })),
    regions: REGIONS.map((r) => ({ value: r, label: REGION_LABELS[r], selected: selected.region === r })),
  };
}

/** What a calendar file says, leaving out DTSTAMP (when the file was made), so that a rebuilt feed keeps its ETag. */
const withoutStamps = (ics: string) => ics.replace(/^DTSTAMP:.*$/gm, '');

/**
 * One event's body under `key`: from the catalogue snapshot while the event is in it (upcoming, or ended in the past
 * week), otherwise read and rendered for this request. A draft or an unknown address is a 404 either way.
 */
async function eventBody(
  ctx: ServiceContext,
  catalogue: Catalogue,
  rawSlug: unknown,
  key: string,
  render: (item: EventWithAvailability, now: Date) => string,
  etagBasis?: (body: string) => string,
): Promise<TaggedBody> {
  const slug = slugSchema.safeParse(rawSlug);
  if (!slug.success) throw new NotFoundError('event_not_found', 'No event with that address.');
  const snapshot = await catalogue.current();
  const item = snapshot.bySlug.get(slug.data);
  if (item) return snapshot.cached(`${key}:${slug.data}`, () => render(item, snapshot.readAt), etagBasis);
  const body = render(await getPublicEvent(ctx, slug.data), ctx.clock.now());
  return tagBody(body, etagBasis?.(body));
}

/**
 * The public feed's address, and the same as a `webcal:` link (which asks the visitor's calendar program to subscribe)
 * and as Google Calendar's "add by URL" link (`cid`); plain URLs, nothing is fetched.
 */
export function feedLinks(publicUrl: string) {
  const feedUrl = `${publicUrl}/calendar.ics`;
  const webcalUrl = feedUrl.replace(/^https?:/, 'webcal:');
  return { feedUrl, webcalUrl, googleUrl: `https://calendar.google.com/calendar/render?${new URLSearchParams({ cid: webcalUrl }).toString()}` };
}

function feedOf(ctx: ServiceContext, snapshot: CatalogueSnapshot): string {
  const events = selectUpcoming(snapshot, { includeCancelled: false }).map((i) => i.event);
  return buildFeed(events, { ...calendarContext(ctx), now: snapshot.readAt }, publicHost(ctx.config), `${ctx.config.orgName} events`);
}

export function publicEventRoutes(ctx: ServiceContext, views: Views, catalogue: Catalogue): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const query = parseInput(listQuerySchema, req.query);
    const snapshot = await catalogue.current();
    const page = snapshot.cached(`home:${query.kind ?? ''}:${query.region ?? ''}:${query.mode ?? ''}`, () => {
      const months = groupByMonth(selectUpcoming(snapshot, { kind: query.kind, region: query.region, mode: query.mode }), snapshot.readAt);
      return views.render('events/list', { title: 'Upcoming events', months, isFiltered: !!(query.kind || query.region || query.mode), ...filterOptions(query) });
    });
    sendCatalogueBody(req, res, 'html', page);
  });

  router.get('/events/past', async (req, res) => {
    const query = parseInput(listQuerySchema, req.query);
    const now = ctx.clock.now();
    const items = await listPastEvents(ctx, { kind: query.kind, region: query.region, mode: query.mode });
    res.type('html').send(views.render('events/past', { title: 'Past events', events: items.map((i) => toEventCard(i, now)), ...filterOptions(query) }));
  });

  /** How to subscribe to `/calendar.ics`: a webcal link for calendar programs, and the steps for Google and Outlook. */
  router.get('/calendar', (_req, res) => {
    res.type('html').send(views.render('events/subscribe', { title: 'Subscribe to our calendar', orgName: ctx.config.orgName, ...feedLinks(ctx.config.publicUrl) }));
  });

  router.get('/calendar.ics', async (req, res) => {
    const snapshot = await catalogue.current();
    const feed = snapshot.cached('feed', () => feedOf(ctx, snapshot), withoutStamps);
    res.set('Content-Disposition', 'inline; filename="hsug-events.ics"');
    sendCatalogueBody(req, res, 'text/calendar; charset=utf-8', feed);
  });

  router.get('/events/:slug/event.ics', async (req, res) => {
    const ics = await eventBody(ctx, catalogue, req.params.slug, 'ics', ({ event }, now) => buildFeed([event], { ...calendarContext(ctx), now }, publicHost(ctx.config)), withoutStamps);
    res.set('Content-Disposition', `attachment; filename="${req.params.slug}.ics"`);
    sendCatalogueBody(req, res, 'text/calendar; charset=utf-8', ics);
  });

  router.get('/events/:slug', async (req, res) => {
    // The registration form asks the event's questions (a change to them bumps the catalogue version, so a cached page
    // is rebuilt). Read directly from bookings/questions.ts, which imports no feature: bookings/index would be a cycle.
    const questions = typeof req.params.slug === 'string' && slugSchema.safeParse(req.params.slug).success ? await listQuestionsForSlug(ctx.db, req.params.slug) : [];
    const page = await eventBody(ctx, catalogue, req.params.slug, 'page', (item, now) =>
      views.render('events/show', {
        title: item.event.title,
        event: toEventPage(item, eventUrl(ctx.config, item.event.slug), now, ctx.config),
        questions: { booking: questionFields(questions, 'booking', '', {}, {}), attendee: questionFields(questions, 'attendee', 'seat_0_', {}, {}) },
        form: {},
        errors: {},
      }),
    );
    sendCatalogueBody(req, res, 'html', page);
  });

  return router;
}

const apiBody = (ctx: ServiceContext, items: EventWithAvailability[]) =>
  JSON.stringify({ events: items.map((i) => toApiEvent(i, eventUrl(ctx.config, i.event.slug))) });

export function eventApiRoutes(ctx: ServiceContext, catalogue: Catalogue): Router {
  const router = Router();

  router.get('/events', async (req, res) => {
    const query = parseInput(listQuerySchema, req.query);
    const zone = ctx.config.timezone;
    const filter = {
      kind: query.kind,
      region: query.region,
      from: query.from ? parseDateBound(query.from, zone, 'start') : undefined,
      to: query.to ? parseDateBound(query.to, zone, 'end') : undefined,
    };
    const snapshot = await catalogue.current();
    // The snapshot holds the past week's events too; a "from" further back is read from the database.
    const list = filter.from && filter.from < snapshot.coversFrom
      ? tagBody(apiBody(ctx, await listUpcomingEvents(ctx, filter)))
      : snapshot.cached(`api:${filter.kind ?? ''}:${filter.region ?? ''}:${filter.from?.toISOString() ?? ''}:${filter.to?.toISOString() ?? ''}`, () => apiBody(ctx, selectUpcoming(snapshot, filter)));
    sendCatalogueBody(req, res, 'json', list);
  });

  router.get('/events/:slug', async (req, res) => {
    const event = await eventBody(ctx, catalogue, req.params.slug, 'api', (item) => JSON.stringify({ event: toApiEvent(item, eventUrl(ctx.config, item.event.slug)) }));
    sendCatalogueBody(req, res, 'json', event);
  });

  return router;
}
