import type { Knex } from 'knex';
import type { ServerProcess } from '../lib/processes';
import type { ScenarioResult } from '../lib/report';

export interface BenchContext {
  app: ServerProcess;
  baseline: ServerProcess;
  /** The app's database, for checking outcomes after a scenario (never written to during one). */
  db: Knex;
  durationS: number;
  warmupS: number;
  /** The app's environment, for running its CLI against the same database. */
  appEnv: Record<string, string>;
  tmpDir: string;
  log(message: string): void;
}

export type Scenario = (ctx: BenchContext) => Promise<ScenarioResult[]>;

let counter = 0;

/** A registration body with an email no other request in the run uses. */
export function registrationBody(prefix: string, item: Record<string, unknown> = {}, top: Record<string, unknown> = {}): string {
  counter += 1;
  const person = { name: `Bench Person ${counter}`, email: `${prefix}-${process.pid}-${counter}@example.org`, organisation: 'NHS Bench Trust' };
  return JSON.stringify({ buyer: { name: person.name, email: person.email }, items: [{ ...item, attendee: person }], ...top });
}

export async function statusCounts(db: Knex, slug: string): Promise<Record<string, number>> {
  const rows = await db('bookings').join('events', 'events.id', 'bookings.event_id').where('events.slug', slug).select('bookings.status').count({ n: '*' }).groupBy('bookings.status');
  return Object.fromEntries((rows as Array<{ status: string; n: number | string }>).map((r) => [r.status, Number(r.n)]));
}

/**
 * Waits until `read` gives the same answer twice in a row, 300 ms apart: requests that were in flight when the
 * load generator stopped still finish on the server, and counting before they do would mismatch.
 */
export async function whenSettled<T>(read: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = JSON.stringify(await read());
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const value = await read();
    const now = JSON.stringify(value);
    if (now === last || Date.now() > deadline) return value;
    last = now;
  }
}
