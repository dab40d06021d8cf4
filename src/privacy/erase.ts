import type { Actor } from '../admin/audit/log';
import { recordAudit } from '../admin/audit/log';
import { suppressionHash } from '../announcements/tokens';
import { cancelBookingSeats } from '../bookings';
import type { ServiceContext } from '../context';
import { writeTransaction } from '../db/dialect';
import { normaliseEmail } from '../lib/email';
import { ConflictError } from '../lib/errors';
import { formatDate, toDbTime } from '../lib/time';
import type { Tx } from '../db/connect';
import { documentsScrubbedOn, firstKeptFinancialYear, scrubFinanceDocuments } from './retention';
import { REMOVED_NAME, removedAnswer, removedAttendee, removedBuyer, removedEmail } from './markers';

/** A place still to come, which an erasure cancels (free) or waits for staff to cancel under the refund policy (paid). */
export interface FuturePlace {
  attendeeId: number;
  bookingId: number;
  reference: string;
  eventTitle: string;
  paid: boolean;
}

/** What an erasure would do, shown before it is confirmed. */
export interface ErasurePreview {
  email: string;
  bookingsMade: number;
  places: number;
  emails: number;
  subscribed: boolean;
  member: boolean;
  staffAccount: boolean;
  futurePlaces: FuturePlace[];
  /**
   * Their finance documents (of bookings they made or hold a place on): `kept` stay exactly as issued while the finance
   * retention period runs (a legal obligation: tax records), until `keptUntil` (the latest day one of them is scrubbed);
   * `scrubbed` are past it and lose their personal details now.
   */
  financeDocuments: { kept: number; keptUntil: string | null; scrubbed: number };
  /** Why it cannot go ahead yet (a staff account, a place that was paid for); null when it can. */
  blocked: string | null;
}

const ACTIVE_BOOKING = ['confirmed', 'waitlisted', 'pending_payment'];

/** The finance documents that carry the person's details: those of bookings they made or hold a place on. */
async function personDocuments(db: Tx, email: string): Promise<Array<{ id: number; financialYear: number }>> {
  const bookingIds = db('bookings').select('id').where({ buyer_email_normalised: email }).union((q) => q.select('booking_id').from('attendees').where({ email_normalised: email }));
  const rows = (await db('finance_documents').whereIn('booking_id', bookingIds).orderBy('id').select('id', 'financial_year')) as Array<Record<string, unknown>>;
  return rows.map((r) => ({ id: Number(r.id), financialYear: Number(r.financial_year) }));
}

function documentsPlan(ctx: ServiceContext, docs: Array<{ financialYear: number }>): ErasurePreview['financeDocuments'] {
  const firstKept = firstKeptFinancialYear(ctx.clock.now(), ctx.config.retention);
  const kept = docs.filter((d) => d.financialYear >= firstKept);
  const last = kept.length ? Math.max(...kept.map((d) => d.financialYear)) : null;
  return { kept: kept.length, keptUntil: last === null ? null : formatDate(documentsScrubbedOn(last, ctx.config.retention), ctx.config.timezone), scrubbed: docs.length - kept.length };
}

export async function previewErasure(ctx: ServiceContext, rawEmail: string): Promise<ErasurePreview> {
  const email = normaliseEmail(rawEmail);
  const now = toDbTime(ctx.clock.now());
  const count = async (query: ReturnType<ServiceContext['db']>) => Number(((await query.count({ n: '*' }).first()) as { n: number | string } | undefined)?.n ?? 0);
  const future = (await ctx.db('attendees as a')
    .join('bookings as b', 'b.id', 'a.booking_id')
    .join('events as e', 'e.id', 'a.event_id')
    .where('a.status', 'active')
    .whereIn('b.status', ACTIVE_BOOKING)
    .where('e.ends_at', '>', now)
    .where((q) => q.where('a.email_normalised', email).orWhere('b.buyer_email_normalised', email))
    .select('a.id', 'a.booking_id', 'a.email_normalised', 'a.unit_price', 'b.reference', 'b.total', 'b.payment_method', 'e.title')) as Array<Record<string, unknown>>;
  // Only the person's own places are cancelled; places they bought for others stay (their details as buyer are removed).
  const futurePlaces = future
    .filter((a) => a.email_normalised === email)
    .map((a) => ({ attendeeId: Number(a.id), bookingId: Number(a.booking_id), reference: String(a.reference), eventTitle: String(a.title), paid: Number(a.unit_price) > 0 || (a.payment_method !== 'none' && Number(a.total) > 0) }));
  const staffAccount = !!(await ctx.db('users').where({ email_normalised: email }).first('id'));
  const paid = futurePlaces.filter((p) => p.paid);
  const blocked = staffAccount
    ? 'This address belongs to a staff account. Remove the account under Staff accounts first; staff records are kept apart.'
    : paid.length
      ? `This person holds paid places still to come (${[...new Set(paid.map((p) => p.reference))].join(', ')}). Cancel them first from the attendee list, choosing the refund, then erase.`
      : null;
  return {
    email,
    bookingsMade: await count(ctx.db('bookings').where({ buyer_email_normalised: email })),
    places: await count(ctx.db('attendees').where({ email_normalised: email })),
    emails: await count(ctx.db('outbox_emails').whereRaw('lower(trim(to_address)) = ?', [email])),
    subscribed: !!(await ctx.db('subscribers').where({ email }).first('id')),
    member: !!(await ctx.db('members').where({ email_normalised: email }).first('id')),
    staffAccount,
    futurePlaces,
    financeDocuments: documentsPlan(ctx, await personDocuments(ctx.db, email)),
    blocked,
  };
}

export interface ErasureReport {
  cancelledPlaces: number;
  places: number;
  bookingsMade: number;
  emails: number;
  subscription: boolean;
  membership: boolean;
  /** Finance documents left as issued while the finance period runs, until `documentsKeptUntil`; and those scrubbed now. */
  documentsKept: number;
  documentsKeptUntil: string | null;
  documentsScrubbed: number;
}

/**
 * Erases one person on request (UK GDPR Art. 17). Their free places still to come are cancelled first, with the usual
 * calendar cancellation and the waitlist moving up; then their name, email, organisation and needs are replaced by a
 * neutral marker everywhere, except what the law requires keeping: an invoice booking keeps the name, organisation and
 * billing contact its invoice is addressed to, and every amount, status and reference stays; their issued finance
 * documents stay exactly as issued while the finance retention period runs (tax records) and are scrubbed after it. Emails still queued to them
 * (the cancellations) go out, and their address is replaced once sent (retention job). Their subscription and member
 * record are deleted (an unsubscribed fingerprint is kept). The audit entry records the counts, not the data.
 * Throws 409 `erasure_blocked` for a staff account or paid places still to come.
 */
export async function erasePerson(ctx: ServiceContext, actor: Actor, rawEmail: string): Promise<ErasureReport> {
  const preview = await previewErasure(ctx, rawEmail);
  if (preview.blocked) throw new ConflictError('erasure_blocked', preview.blocked);
  const email = preview.email;
  let cancelledPlaces = 0;
  for (const [bookingId, places] of groupBy(preview.futurePlaces, (p) => p.bookingId)) {
    await cancelBookingSeats(ctx, bookingId, { attendeeIds: places.map((p) => p.attendeeId), refund: 'none', reason: 'Cancelled when the person asked for their data to be erased', initiatedBy: 'staff' });
    cancelledPlaces += places.length;
  }
  const now = ctx.clock.now();
  const report = await writeTransaction(ctx.db, async (trx) => {
    // Found before their addresses are replaced. Issued documents are tax records: kept as issued while the finance
    // period runs (the nightly retention scrubs them after it), scrubbed now when it has already run out.
    const documents = await personDocuments(trx, email);
    const plan = documentsPlan(ctx, documents);
    const documentsScrubbed = await scrubFinanceDocuments(trx, firstKeptFinancialYear(now, ctx.config.retention), toDbTime(now), documents.map((d) => d.id));
    // Staff actions recorded about them (a cancellation names the person) keep the action, not the name or address.
    const names = [
      ...(await trx('attendees').where({ email_normalised: email }).pluck('name')),
      ...(await trx('bookings').where({ buyer_email_normalised: email }).pluck('buyer_name')),
      // The name on a certificate, as they may have corrected it (issue 13).
      ...(await trx('certificates').whereIn('attendee_id', trx('attendees').where({ email_normalised: email }).select('id')).pluck('name')),
    ].filter((n: string) => n && n !== REMOVED_NAME && n.length >= 3);
    const secrets = [...new Set([email, ...names])].sort((a, b) => b.length - a.length);
    const mentioning = trx('audit_log').select('id', 'details').where((q) => {
      for (const value of secrets) q.orWhereRaw('lower(details) like ?', [`%${JSON.stringify(value.toLowerCase()).slice(1, -1)}%`]);
    });
    for (const row of (await mentioning) as Array<{ id: number; details: string | null }>) {
      if (!row.details) continue;
      const scrubbed = secrets.reduce((text, value) => text.replace(new RegExp(JSON.stringify(value).slice(1, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), REMOVED_NAME), row.details);
      if (scrubbed !== row.details) await trx('audit_log').where({ id: row.id }).update({ details: scrubbed });
    }
    // Issue 13: their certificates no longer name them (a verification then shows the marker), and their named survey
    // answers are kept as anonymous ones.
    const seats = trx('attendees').where({ email_normalised: email }).select('id');
    await trx('certificates').whereIn('attendee_id', seats).update({ name: REMOVED_NAME });
    await trx('survey_responses').whereIn('attendee_id', trx('attendees').where({ email_normalised: email }).select('id')).update({ attendee_id: null });
    // Their answers: to their own seats' questions, and to the booking's questions of the bookings they made.
    await trx('booking_answers')
      .where((q) => q.whereIn('attendee_id', trx('attendees').select('id').where({ email_normalised: email })).orWhere((b) => b.whereNull('attendee_id').whereIn('booking_id', trx('bookings').select('id').where({ buyer_email_normalised: email }))))
      .whereNull('removed_at')
      .update(removedAnswer(toDbTime(now)));
    const places = await trx('attendees')
      .where({ email_normalised: email })
      .update(removedAttendee(trx, toDbTime(now)));
    const invoiced = await trx('bookings').where({ buyer_email_normalised: email, payment_method: 'invoice' }).update(removedBuyer(trx, toDbTime(now), true));
    const others = await trx('bookings').where({ buyer_email_normalised: email }).update(removedBuyer(trx, toDbTime(now), false));
    const addressed = () => trx('outbox_emails').whereRaw('lower(trim(to_address)) = ?', [email]);
    const emails = await addressed()
      .whereNotIn('status', ['pending', 'sending'])
      .update({ ...removedEmail(trx), body_purged_at: toDbTime(now) });
    await addressed().whereIn('status', ['pending', 'sending']).update({ erase_address: true });
    const subscription = (await trx('subscribers').where({ email }).delete()) > 0;
    if (subscription) await trx('subscriber_suppressions').insert({ email_hash: suppressionHash(email), suppressed_at: toDbTime(now) }).onConflict('email_hash').merge();
    const membership = (await trx('members').where({ email_normalised: email }).delete()) > 0;
    const result = { cancelledPlaces, places, bookingsMade: invoiced + others, emails, subscription, membership, documentsKept: plan.kept, documentsKeptUntil: plan.keptUntil, documentsScrubbed };
    await recordAudit(trx, actor, { action: 'person_erased', targetType: 'person', details: result }, now);
    return result;
  });
  ctx.kickOutbox();
  return report;
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
