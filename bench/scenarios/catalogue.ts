import { measureTogether } from '../lib/load';
import { ratioResult } from '../lib/report';
import { UPCOMING_EVENTS } from '../lib/seed';
import type { BenchContext } from './context';

interface ListedEvent {
  slug: string;
  remaining: number;
}

/** The baseline must answer the same list, or the ratio means nothing. */
async function compareLists(ctx: BenchContext): Promise<string[]> {
  const fetchList = async (url: string) => ((await (await fetch(`${url}/api/v1/events`)).json()) as { events: ListedEvent[] }).events;
  const [app, baseline] = await Promise.all([fetchList(ctx.app.url), fetchList(ctx.baseline.url)]);
  const key = (events: ListedEvent[]) => events.map((e) => `${e.slug}:${e.remaining}`).join(',');
  const notes = [`${app.length} events listed (expected ${UPCOMING_EVENTS})`];
  if (app.length !== UPCOMING_EVENTS || key(app) !== key(baseline)) notes.push('the app and the baseline list differ: the comparison is not like for like');
  return notes;
}

export async function catalogueScenarios(ctx: BenchContext) {
  const notes = await compareLists(ctx);
  const common = { connections: 10, durationS: ctx.durationS, warmupS: ctx.warmupS };
  ctx.log('baseline GET /api/v1/events, app GET /api/v1/events and app GET /, in turns');
  const [baseline, list, home] = await measureTogether([
    { ...common, url: ctx.baseline.url, path: '/api/v1/events' },
    { ...common, url: ctx.app.url, path: '/api/v1/events' },
    { ...common, url: ctx.app.url, path: '/' },
  ]);
  return [
    ratioResult('GET /api/v1/events', list, baseline, 0.7, { notes }),
    ratioResult('GET / (home page HTML)', home, baseline, 0.5, { target: '≥ 0.5 × baseline list' }),
  ];
}
