import { measureTogether } from '../lib/load';
import { ratioResult } from '../lib/report';
import { BENCH_SLUGS, UPCOMING_EVENTS } from '../lib/seed';
import type { BenchContext } from './context';

const AGGREGATING_LIST = '/reference/aggregating/api/v1/events';

async function fetchText(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

/** The baselines must give the app's very answer, or the ratio means nothing; the pages must be the real ones. */
async function checkAnswers(ctx: BenchContext): Promise<string[]> {
  const [app, ceiling, aggregating, page, feed] = await Promise.all([
    fetchText(`${ctx.app.url}/api/v1/events`),
    fetchText(`${ctx.baseline.url}/api/v1/events`),
    fetchText(`${ctx.baseline.url}${AGGREGATING_LIST}`),
    fetchText(`${ctx.app.url}/events/${BENCH_SLUGS.page}`),
    fetchText(`${ctx.app.url}/calendar.ics`),
  ]);
  const listed = (JSON.parse(app.body) as { events: unknown[] }).events.length;
  const notes = [`${listed} events listed (expected ${UPCOMING_EVENTS}), ${app.body.length} bytes`];
  if (listed !== UPCOMING_EVENTS) notes.push('the app did not list every upcoming event');
  if (ceiling.body !== app.body) notes.push('the ceiling baseline\'s body differs from the app\'s: the comparison is not like for like');
  if (aggregating.body !== app.body) notes.push('the aggregating baseline\'s body differs from the app\'s');
  notes.push(`event page /events/${BENCH_SLUGS.page}: ${page.status}, ${page.body.length} bytes; calendar feed: ${feed.status}, ${(feed.body.match(/BEGIN:VEVENT/g) ?? []).length} events`);
  return notes;
}

/**
 * The public catalogue, each against the ceiling's events list (the same JSON as the app's, from one prepared
 * statement over rows needing no aggregation), with the aggregating list beside it for reference.
 */
export async function catalogueScenarios(ctx: BenchContext) {
  const notes = await checkAnswers(ctx);
  const common = { connections: 10, durationS: ctx.durationS, warmupS: ctx.warmupS };
  ctx.log('ceiling and aggregating baselines GET /api/v1/events; app GET /api/v1/events, /, an event page and /calendar.ics; in turns');
  const [ceiling, aggregating, list, home, page, feed] = await measureTogether([
    { ...common, url: ctx.baseline.url, path: '/api/v1/events' },
    { ...common, url: ctx.baseline.url, path: AGGREGATING_LIST },
    { ...common, url: ctx.app.url, path: '/api/v1/events' },
    { ...common, url: ctx.app.url, path: '/' },
    { ...common, url: ctx.app.url, path: `/events/${BENCH_SLUGS.page}` },
    { ...common, url: ctx.app.url, path: '/calendar.ics' },
  ]);
  const reference = { name: 'aggregating events list', result: aggregating };
  const vsList = (ratio: number) => `≥ ${ratio} × baseline list`;
  return [
    ratioResult('GET /api/v1/events', list, ceiling, 0.7, { notes, reference, target: vsList(0.7) }),
    ratioResult('GET / (home page HTML)', home, ceiling, 0.5, { reference, target: vsList(0.5) }),
    ratioResult('GET /events/:slug (event page HTML)', page, ceiling, 0.5, { reference, target: vsList(0.5) }),
    ratioResult('GET /calendar.ics (feed)', feed, ceiling, 0.5, { reference, target: vsList(0.5) }),
  ];
}
