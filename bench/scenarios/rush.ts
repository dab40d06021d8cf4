import { burst, percentile } from '../lib/load';
import { round, type ScenarioResult } from '../lib/report';
import { BENCH_SLUGS, RUSH_CAPACITY } from '../lib/seed';
import { registrationBody, statusCounts, type BenchContext } from './context';

export const RUSH_SIZE = 2000;

/** 2,000 people registering in the same instant for 100 places: exact counts, no 5xx, a bounded tail. */
export async function rushScenario(ctx: BenchContext): Promise<ScenarioResult[]> {
  ctx.log(`app: rush of ${RUSH_SIZE} concurrent registrations for ${RUSH_CAPACITY} places`);
  const bodies = Array.from({ length: RUSH_SIZE }, () => registrationBody('rush'));
  const started = Date.now();
  const answers = await burst(ctx.app.url, `/api/v1/events/${BENCH_SLUGS.rush}/bookings`, bodies);
  const elapsedS = (Date.now() - started) / 1000;

  const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  const byStatus: Record<string, number> = {};
  for (const a of answers) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
  const answered = { confirmed: 0, waitlisted: 0 };
  for (const a of answers.filter((x) => x.status === 201)) {
    const status = (JSON.parse(a.body) as { booking: { status: 'confirmed' | 'waitlisted' } }).booking.status;
    answered[status] += 1;
  }
  const stored = await statusCounts(ctx.db, BENCH_SLUGS.rush);
  const fiveXx = answers.filter((a) => a.status >= 500 || a.status === 0).length;
  const exact = stored.confirmed === RUSH_CAPACITY && stored.waitlisted === RUSH_SIZE - RUSH_CAPACITY && answered.confirmed === RUSH_CAPACITY;
  const met = exact && fiveXx === 0 && p99 < 10 * p50;
  return [
    {
      name: `rush: ${RUSH_SIZE} at once for ${RUSH_CAPACITY} places`,
      reqPerSec: round(RUSH_SIZE / elapsedS),
      p50Ms: round(p50),
      p99Ms: round(p99),
      baselineReqPerSec: null,
      ratio: null,
      target: `exactly ${RUSH_CAPACITY} confirmed, rest waitlisted, no 5xx, p99 < 10 × p50`,
      met,
      notes: [
        `stored ${JSON.stringify(stored)}; answers by HTTP status ${JSON.stringify(byStatus)}; answered ${JSON.stringify(answered)}; p99/p50 = ${round(p99 / p50, 2)}; all answered in ${round(elapsedS, 2)} s`,
      ],
      details: { stored, byStatus, answered, elapsedS },
    },
  ];
}
