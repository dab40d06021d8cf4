import { measureTogether } from '../lib/load';
import { ratioResult } from '../lib/report';
import { BENCH_SLUGS, OPEN_EVENTS } from '../lib/seed';
import { registrationBody, whenSettled, type BenchContext } from './context';

const openSlugs = Array.from({ length: OPEN_EVENTS }, (_, i) => `${BENCH_SLUGS.open}-${i + 1}`);
let turn = 0;

/** The next open event's booking path and a fresh registration: consecutive requests go to different events. */
function nextRegistration(prefix: string) {
  turn += 1;
  return { path: `/api/v1/events/${openSlugs[turn % OPEN_EVENTS]}/bookings`, body: registrationBody(prefix) };
}

async function countsFor(ctx: BenchContext) {
  const rows = await ctx.db('bookings').join('events', 'events.id', 'bookings.event_id').whereIn('events.slug', openSlugs).select('bookings.status').count({ n: '*' }).groupBy('bookings.status');
  const counts = Object.fromEntries((rows as Array<{ status: string; n: string | number }>).map((r) => [r.status, Number(r.n)]));
  const emails = await ctx.db('outbox_emails').join('events', 'events.id', 'outbox_emails.event_id').whereIn('events.slug', openSlugs).count({ n: '*' }).first();
  return { counts, emails: Number(emails?.n ?? 0) };
}

/** Free registration at 100 connections: validation, the write transaction and the outbox row, against one raw INSERT. */
export async function registrationScenarios(ctx: BenchContext) {
  const common = { path: `/api/v1/events/${openSlugs[0]}/bookings`, method: 'POST' as const, headers: { 'content-type': 'application/json' }, connections: 100, durationS: ctx.durationS, warmupS: ctx.warmupS };
  ctx.log(`baseline POST bookings (one INSERT in a transaction) and app POST /api/v1/events/:slug/bookings (free registration, rotating over ${OPEN_EVENTS} events), in turns`);
  const [baseline, app] = await measureTogether([
    { ...common, url: ctx.baseline.url, next: () => nextRegistration('baseline') },
    { ...common, url: ctx.app.url, next: () => nextRegistration('register') },
  ]);

  const { counts, emails } = await whenSettled(() => countsFor(ctx));
  const booked = Object.values(counts).reduce((a, b) => a + b, 0);
  const non201 = Object.entries(app.statusCodes).filter(([code]) => code !== '201').reduce((n, [, c]) => n + c, 0);
  const ok = non201 === 0 && app.errors === 0 && booked === (counts.confirmed ?? 0) && emails === booked;
  return [
    ratioResult('POST bookings (free registration, 100 conn.)', app, baseline, 0.4, {
      met: ok,
      target: '≥ 0.4 × baseline insert, zero errors',
      notes: [`${booked} bookings stored (${JSON.stringify(counts)}) over ${OPEN_EVENTS} events, ${emails} outbox rows, ${non201} non-201 answers, ${app.errors} connection errors`],
    }),
  ];
}
