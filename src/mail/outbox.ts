import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Tx } from '../db/connect';
import { skipLocked, writeTransaction } from '../db/dialect';
import { fromDbTime, toDbTime } from '../lib/time';

export interface EmailContent {
  text: string;
  html: string;
  ical?: { method: 'REQUEST' | 'CANCEL' | 'PUBLISH'; content: string };
  /** Extra header fields, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058) on announcements. */
  headers?: Record<string, string>;
  /**
   * Files sent with the message (a finance document's PDF). Made by the renderer when the email is sent, never stored
   * in the outbox; never on an email with a calendar invitation (`ical`), which some clients then stop showing.
   */
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
}

/**
 * What a renderer answers when the email should no longer go at all (an announcement whose subscriber unsubscribed
 * after it was queued): the row is marked `skipped` with the reason, and nothing is sent.
 */
export interface SkippedEmail {
  skip: string;
}

/** An email rendered only when it is sent, by the renderer registered for its template, from its payload. */
export interface DeferredContent {
  template: string;
  payload: Record<string, unknown>;
}

interface EmailHeader {
  /** Unique per message we mean to send once, e.g. "booking:12:invite:34". A repeat is ignored. */
  dedupeKey: string;
  kind: string;
  eventId?: number;
  bookingId?: number;
  to: string;
  toName?: string;
  subject: string;
  /** Not before this instant (default: at once); announcements are spread out so a relay's rate limit is not hit. */
  sendAt?: Date;
}

/** Either rendered already, or deferred: rendered by the sender from a template and payload (booking, payment and staff emails). */
export type OutgoingEmail = EmailHeader & (EmailContent | { deferred: DeferredContent });

export type QueuedEmail = OutgoingEmail & {
  id: number;
  attempts: number;
  messageId: string;
};

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

/** Queues an email in the caller's transaction; it is sent only if that transaction commits. */
export async function enqueueEmail(trx: Tx, email: OutgoingEmail, now: Date, host: string): Promise<void> {
  const content: Partial<EmailContent> = 'deferred' in email ? {} : email;
  await trx('outbox_emails')
    .insert({
      dedupe_key: email.dedupeKey,
      kind: email.kind,
      event_id: email.eventId ?? null,
      booking_id: email.bookingId ?? null,
      to_address: email.to,
      to_name: email.toName ?? null,
      subject: email.subject,
      text_body: content.text ?? '',
      html_body: content.html ?? '',
      ical_method: content.ical?.method ?? null,
      ical_content: content.ical?.content ?? null,
      template: 'deferred' in email ? email.deferred.template : null,
      template_payload: 'deferred' in email ? JSON.stringify(email.deferred.payload) : null,
      status: 'pending',
      attempts: 0,
      next_attempt_at: toDbTime(email.sendAt ?? now),
      message_id: `<${randomUUID()}@${host}>`,
      created_at: toDbTime(now),
    })
    .onConflict('dedupe_key')
    .ignore();
}

function toQueued(row: Record<string, unknown>): QueuedEmail {
  const content: EmailContent | { deferred: DeferredContent } = row.template
    ? { deferred: { template: String(row.template), payload: JSON.parse(String(row.template_payload)) as Record<string, unknown> } }
    : {
        text: String(row.text_body),
        html: String(row.html_body),
        ical: row.ical_method ? { method: row.ical_method as 'REQUEST', content: String(row.ical_content) } : undefined,
      };
  return {
    ...content,
    id: Number(row.id),
    dedupeKey: String(row.dedupe_key),
    kind: String(row.kind),
    eventId: row.event_id === null ? undefined : Number(row.event_id),
    bookingId: row.booking_id === null ? undefined : Number(row.booking_id),
    to: String(row.to_address),
    toName: (row.to_name as string | null) ?? undefined,
    subject: String(row.subject),
    attempts: Number(row.attempts),
    messageId: String(row.message_id),
  };
}

/**
 * Claims due emails for this sender: pending ones whose time has come, and ones another sender claimed
 * but did not finish within its lease (it crashed). Row locks keep two instances from claiming the same row.
 */
export async function claimDueEmails(db: Knex, now: Date, limit: number, leaseMs: number): Promise<QueuedEmail[]> {
  return writeTransaction(db, async (trx) => {
    const due = trx('outbox_emails')
      .select('id')
      .where((q) =>
        q
          .where((p) => p.where('status', 'pending').where('next_attempt_at', '<=', toDbTime(now)))
          .orWhere((p) => p.where('status', 'sending').where('locked_until', '<', toDbTime(now))),
      )
      .orderBy('id')
      .limit(limit);
    const ids = (await skipLocked(trx, due)).map((r: { id: number }) => r.id);
    if (ids.length === 0) return [];
    await trx('outbox_emails')
      .whereIn('id', ids)
      .update({ status: 'sending', locked_until: toDbTime(new Date(now.getTime() + leaseMs)), attempts: trx.raw('attempts + 1') });
    const rows = await trx('outbox_emails').select('*').whereIn('id', ids).orderBy('id');
    return rows.map(toQueued);
  });
}

/**
 * The row as this sender claimed it: still 'sending' and not claimed again since (each claim counts an attempt).
 * A sender whose lease lapsed must not overwrite the outcome of the instance that took the email over.
 */
function stillClaimed(db: Tx, id: number, attempt?: number) {
  const query = db('outbox_emails').where({ id, status: 'sending' });
  return attempt === undefined ? query : query.where('attempts', attempt);
}

/**
 * Renews this sender's claim on one email just before it goes to the relay, and says whether the claim still holds:
 * false when the lease lapsed and another instance took the email over (it sends it, not us). With the claim renewed
 * per email, only a single send slower than the whole lease could overlap another instance's.
 */
export async function renewClaim(db: Tx, id: number, now: Date, leaseMs: number, attempt: number): Promise<boolean> {
  const changed = await stillClaimed(db, id, attempt)
    .where('locked_until', '>', toDbTime(now))
    .update({ locked_until: toDbTime(new Date(now.getTime() + leaseMs)) });
  return changed === 1;
}

export async function markSent(db: Tx, id: number, now: Date, attempt?: number): Promise<void> {
  await stillClaimed(db, id, attempt).update({ status: 'sent', sent_at: toDbTime(now), locked_until: null, last_error: null });
}

/** The renderer said this email should no longer go (SkippedEmail): nothing is sent, the reason is kept. */
export async function markSkipped(db: Tx, id: number, reason: string, attempt?: number): Promise<void> {
  await stillClaimed(db, id, attempt).update({ status: 'skipped', locked_until: null, last_error: reason.slice(0, 2000) });
}

export async function markFailedAttempt(db: Tx, id: number, error: string, nextAttemptAt: Date | null, attempt?: number): Promise<void> {
  await stillClaimed(db, id, attempt)
    .update({
      status: nextAttemptAt ? 'pending' : 'failed',
      next_attempt_at: nextAttemptAt ? toDbTime(nextAttemptAt) : db.raw('next_attempt_at'),
      locked_until: null,
      last_error: error.slice(0, 2000),
    });
}

export async function countByStatus(db: Tx): Promise<Record<OutboxStatus, number>> {
  const rows = await db('outbox_emails').select('status').count({ n: '*' }).groupBy('status');
  const counts: Record<OutboxStatus, number> = { pending: 0, sending: 0, sent: 0, failed: 0, skipped: 0 };
  for (const row of rows as Array<{ status: OutboxStatus; n: number | string }>) counts[row.status] = Number(row.n);
  return counts;
}

export async function nextDueAt(db: Tx): Promise<Date | null> {
  const row = await db('outbox_emails').where('status', 'pending').min({ at: 'next_attempt_at' }).first();
  return row?.at ? fromDbTime(row.at) : null;
}
