import type { Knex } from 'knex';
import type { ServiceContext } from '../context';
import { listTicketTypes } from '../events/queries';
import { publicHost } from '../lib/links';
import { enqueueEmail } from '../mail/outbox';
import { bookingEmails, type BookingNotice, type NoticeMoney, type PreviousSchedule } from './notifications';
import { paymentNotice, type PaymentNoticeKind } from './payment-notices';
import { priceLineLabel, priceLines } from './rules';
import type { AttendeeRecord } from './types';
import { loadBookingView, type BookingView } from './view';

/** What a notice says beyond the booking itself. */
export interface NoticeExtra {
  note?: string;
  hadPlace?: boolean;
  dedupeSuffix?: string;
  attendees?: AttendeeRecord[];
  payUrl?: string;
  holdUntil?: string;
  waitlistPosition?: number;
  onlyAttendees?: boolean;
  former?: { name: string; email: string };
  previous?: PreviousSchedule;
  money?: NoticeMoney;
}

/** Queues the emails for a booking change inside the caller's transaction, from what the caller already holds. */
export async function queueNoticeFor(trx: Knex.Transaction, ctx: ServiceContext, notice: BookingNotice, view: BookingView, extra: NoticeExtra = {}): Promise<void> {
  const attendees = extra.attendees ?? view.attendees.filter((a) => a.status === 'active');
  const now = ctx.clock.now();
  const host = publicHost(ctx.config);
  for (const email of bookingEmails(notice, view.event, view.booking, attendees, { waitlistPosition: view.waitlistPosition, ...extra })) {
    await enqueueEmail(trx, email, now, host);
  }
}

/** Queues the emails for a booking change inside the caller's transaction. Throws NotFoundError when the booking is gone. */
export async function queueBookingNotice(trx: Knex.Transaction, ctx: ServiceContext, notice: BookingNotice, bookingId: number, extra: NoticeExtra = {}): Promise<void> {
  await queueNoticeFor(trx, ctx, notice, await loadBookingView(trx, bookingId), extra);
}

/** Price lines of the booking's active seats, one per ticket type ("3 × Non-member"). */
async function moneyLines(trx: Knex.Transaction, view: BookingView): Promise<Array<{ label: string; amount: number }>> {
  const seats = view.attendees.filter((a) => a.status === 'active');
  return priceLines(seats, (await listTicketTypes(trx, [view.event.id])).get(view.event.id) ?? []).map((l) => ({ label: `${l.quantity} × ${priceLineLabel(l, view.booking.currency, view.booking.discountCode)}`, amount: l.amount }));
}

/**
 * The receipt (a card payment) or pro-forma (an invoice booking) that the buyer's confirmation carries, so the buyer
 * gets one email when the booking is confirmed, not a confirmation and a receipt at once.
 */
export async function receiptFor(trx: Knex.Transaction, kind: NoticeMoney['kind'], bookingId: number): Promise<NoticeMoney> {
  const view = await loadBookingView(trx, bookingId);
  return { kind, lines: await moneyLines(trx, view), total: view.booking.total };
}

/**
 * Queues an email to the buyer about money (a receipt, a pro-forma, a refund), with one line per ticket type of the
 * booking's active seats ("3 × Non-member"), inside the caller's transaction.
 */
export async function queueMoneyNotice(
  trx: Knex.Transaction,
  ctx: ServiceContext,
  kind: PaymentNoticeKind,
  bookingId: number,
  options: { amount?: number; feeKept?: number; dedupeSuffix?: string; withLines?: boolean } = {},
): Promise<void> {
  const view = await loadBookingView(trx, bookingId);
  const lines = options.withLines === false ? [] : await moneyLines(trx, view);
  const email = paymentNotice(ctx, { kind, event: view.event, booking: view.booking, lines, amount: options.amount, feeKept: options.feeKept, dedupeSuffix: options.dedupeSuffix });
  await enqueueEmail(trx, email, ctx.clock.now(), publicHost(ctx.config));
}
