import request from 'supertest';
import type Stripe from 'stripe';
import { syncStripe, type SyncOptions } from '../../src/finance/sync';
import { buildEvent, person } from '../support/factories';
import { paidEvent, sessionIdOf, type PaymentsTestApp } from '../support/payments';

let counter = 0;

/** A seminar with one £95 ticket (and invoices allowed), optionally titled. */
export async function financeEvent(t: PaymentsTestApp, title?: string, price = 9500) {
  return buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price }]), title: title ?? `Finance seminar ${++counter}` });
}

/** Books places and pays by card through the sandbox's hosted checkout; webhooks are delivered before it returns. */
export async function paidBooking(t: PaymentsTestApp, event: { slug: string; ticketTypeIds: number[] }, places = 1) {
  const names = Array.from({ length: places }, () => `fin-${++counter}`);
  const buyer = person(names[0]);
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .send({ buyer: { name: buyer.name, email: buyer.email }, items: names.map((n) => ({ ticketTypeId: event.ticketTypeIds[0], attendee: person(n) })) });
  if (res.status !== 201) throw new Error(`booking failed: ${res.status} ${JSON.stringify(res.body)}`);
  t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
  await t.sandbox.flush();
  const booking = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
  const payment = await t.db('payments').where({ booking_id: booking.id }).first();
  return { reference: booking.reference as string, bookingId: Number(booking.id), chargeId: String(payment.stripe_charge_id), paymentIntentId: String(payment.stripe_payment_intent_id), buyerEmail: buyer.email };
}

export async function invoiceBooking(t: PaymentsTestApp, event: { slug: string; ticketTypeIds: number[] }) {
  const p = person(`inv-${++counter}`);
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .send({ buyer: { ...p, organisation: 'NHS Test Trust' }, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: p }], paymentMethod: 'invoice', purchaseOrder: 'PO-1', billingContact: 'Accounts, accounts@nhs.test', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
  if (res.status !== 201) throw new Error(`invoice booking failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { reference: res.body.booking.reference as string };
}

export function sync(t: PaymentsTestApp, options: SyncOptions = {}) {
  return syncStripe({ db: t.db, clock: t.clock, stripe: t.stripe, logger: t.ctx.logger }, options);
}

/** Everything Stripe's balance holds, read back through the SDK. */
export async function stripeBalance(stripe: Stripe) {
  const all: Stripe.BalanceTransaction[] = [];
  for await (const txn of stripe.balanceTransactions.list({ limit: 100 })) all.push(txn);
  const moving = all.filter((t) => t.type !== 'payout');
  const sum = (list: Stripe.BalanceTransaction[], f: (t: Stripe.BalanceTransaction) => number) => list.reduce((s, t) => s + f(t), 0);
  return {
    all,
    gross: sum(moving.filter((t) => t.reporting_category === 'charge'), (t) => t.amount),
    refunds: -sum(moving.filter((t) => t.reporting_category === 'refund'), (t) => t.amount),
    disputes: -sum(moving.filter((t) => t.reporting_category.startsWith('dispute')), (t) => t.amount),
    fees: sum(moving, (t) => t.fee),
    net: sum(moving, (t) => t.net),
  };
}

/** The rows the sync keeps, in a stable order, for comparing two runs. */
export async function mirrorRows(t: PaymentsTestApp) {
  const txns = await t.db('balance_transactions').select('id', 'amount', 'fee', 'net', 'type', 'reporting_category', 'source_id', 'charge_id', 'payout_id', 'status').orderBy('id');
  const payouts = await t.db('payouts').select('id', 'amount', 'status', 'reconciliation_status').orderBy('id');
  const payments = await t.db('payments').select('id', 'fee', 'net', 'stripe_payout_id', 'stripe_balance_transaction_id').orderBy('id');
  const refunds = await t.db('refunds').select('id', 'stripe_payout_id', 'stripe_balance_transaction_id').orderBy('id');
  return { txns, payouts, payments, refunds };
}

/** "-1234.50" from a CSV cell back into pence, by string. */
export function pence(cell: string): number {
  const match = /^(-?)(\d+)\.(\d{2})$/.exec(cell);
  if (!match) throw new Error(`not a decimal amount: ${JSON.stringify(cell)}`);
  return (match[1] ? -1 : 1) * (Number(match[2]) * 100 + Number(match[3]));
}

/** Parses a CSV document (after its BOM) into objects keyed by the header row. */
export function csvRecords(text: string): Array<Record<string, string>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('csv-parse/sync') as { parse: (input: string, options: object) => Array<Record<string, string>> };
  if (!text.startsWith('\uFEFF')) throw new Error('CSV has no BOM');
  return parse(text.slice(1), { columns: true });
}

export const sumOf = <T>(rows: T[], f: (row: T) => number) => rows.reduce((s, r) => s + f(r), 0);

/** The fingerprint a review page asks to be posted back with its confirm button. */
export function reviewedFrom(html: string): string {
  const match = /name="reviewed" value="([^"]*)"/.exec(html);
  if (!match) throw new Error(`no review step on the page: ${html.slice(0, 300)}`);
  return match[1].replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
}

/**
 * A finance form as a person uses it: the first post shows the review page (200, nothing done yet); pressing its
 * confirm button posts the same values with `reviewed`. Returns both answers.
 */
export async function confirmThroughReview(agent: { post(url: string): request.Test }, url: string, body: Record<string, unknown>) {
  const review = await agent.post(url).type('form').send(body);
  if (review.status !== 200) return { review, done: review };
  const done = await agent.post(url).type('form').send({ ...body, reviewed: reviewedFrom(review.text) });
  return { review, done };
}
