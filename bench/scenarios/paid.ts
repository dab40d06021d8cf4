import { signatureHeader } from '../../sandbox/src';
import { measure, percentile } from '../lib/load';
import type { ServerProcess } from '../lib/processes';
import { round, skipped, type ScenarioResult } from '../lib/report';
import { BENCH_SLUGS } from '../lib/seed';
import { registrationBody, type BenchContext } from './context';

export interface PaymentsSandbox {
  /** The sandbox's own process (bench/sandbox-server.ts). */
  server: ServerProcess;
  webhookSecret: string;
}

async function control(sandbox: PaymentsSandbox, method: 'GET' | 'POST', path: string, body?: object): Promise<unknown> {
  const res = await fetch(`${sandbox.server.url}/_sandbox${path}`, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

const WEBHOOK_BATCH = 300;
const NO_TARGET = 'reported (no target yet)';

async function paidTicketTypeId(ctx: BenchContext): Promise<number | undefined> {
  const res = await fetch(`${ctx.app.url}/api/v1/events/${BENCH_SLUGS.paid}`);
  const body = (await res.json()) as { event?: { ticketTypes: Array<{ id: number; amount: number; membersOnly: boolean }> } };
  return body.event?.ticketTypes.find((t) => t.amount > 0 && !t.membersOnly)?.id;
}

/** Sends each event once, signed as Stripe signs, `concurrency` at a time; returns each request's time. */
async function deliver(url: string, secret: string, events: object[], concurrency: number): Promise<{ ms: number[]; statuses: Record<string, number>; elapsedS: number }> {
  const ms: number[] = [];
  const statuses: Record<string, number> = {};
  const queue = [...events];
  const started = Date.now();
  const worker = async () => {
    for (let event = queue.shift(); event; event = queue.shift()) {
      const payload = JSON.stringify(event, null, 2);
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', body: payload, headers: { 'content-type': 'application/json', 'stripe-signature': signatureHeader(payload, secret, Math.floor(Date.now() / 1000)) } });
      await res.arrayBuffer();
      ms.push(performance.now() - t0);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { ms: ms.sort((a, b) => a - b), statuses, elapsedS: (Date.now() - started) / 1000 };
}

/** Paid booking creation (a Checkout Session on the sandbox per booking) and webhook processing: reported, no target yet. */
export async function paidScenarios(ctx: BenchContext, payments: PaymentsSandbox): Promise<ScenarioResult[]> {
  const names = ['POST bookings (paid, Checkout Session on the sandbox)', 'POST /webhooks/stripe (payment events)'];
  const typeId = await paidTicketTypeId(ctx);
  const path = `/api/v1/events/${BENCH_SLUGS.paid}/bookings`;
  const body = () => registrationBody('paid', { ticketTypeId: typeId }, { paymentMethod: 'stripe' });
  const probe = await fetch(`${ctx.app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body() });
  const answer = (await probe.json()) as { booking?: { checkoutUrl?: string }; error?: { code: string } };
  if (probe.status !== 201 || !answer.booking?.checkoutUrl) {
    const why = `paid booking path not built yet (answered ${probe.status} ${answer.error?.code ?? ''})`.trim();
    return names.map((n) => skipped(n, NO_TARGET, why));
  }

  await control(payments, 'POST', '/delivery', { hold: true });
  ctx.log('app: POST bookings (paid)');
  const created = await measure({ url: ctx.app.url, path, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 20, durationS: ctx.durationS, warmupS: ctx.warmupS });

  const sessions = await ctx.db('bookings').join('events', 'events.id', 'bookings.event_id').where('events.slug', BENCH_SLUGS.paid)
    .where('bookings.status', 'pending_payment').whereNotNull('bookings.stripe_checkout_session_id').limit(WEBHOOK_BATCH).pluck('bookings.stripe_checkout_session_id');
  for (const id of sessions) await control(payments, 'POST', `/sessions/${id}/pay`, {});
  const events = (await control(payments, 'GET', '/held')) as object[];
  ctx.log(`app: ${events.length} webhook events for ${sessions.length} paid sessions`);
  const hooks = await deliver(`${ctx.app.url}/webhooks/stripe`, payments.webhookSecret, events, 10);
  const confirmed = await ctx.db('bookings').whereIn('stripe_checkout_session_id', sessions).where('status', 'confirmed').count({ n: '*' }).first();
  return [
    {
      name: names[0], reqPerSec: round(created.reqPerSec), p50Ms: round(created.p50Ms), p99Ms: round(created.p99Ms), baselineReqPerSec: null, ratio: null, target: NO_TARGET, met: null,
      notes: [`20 connections; answers by status ${JSON.stringify(created.statusCodes)}, ${created.errors} connection errors`],
    },
    {
      name: names[1], reqPerSec: round(events.length / hooks.elapsedS), p50Ms: round(percentile(hooks.ms, 50)), p99Ms: round(percentile(hooks.ms, 99)), baselineReqPerSec: null, ratio: null, target: NO_TARGET, met: null,
      notes: [`10 at a time; answers by status ${JSON.stringify(hooks.statuses)}; ${Number(confirmed?.n)} of ${sessions.length} paid bookings confirmed afterwards`],
    },
  ];
}
