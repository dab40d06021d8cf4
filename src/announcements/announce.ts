import type { Actor } from '../admin/audit/log';
import { recordAudit } from '../admin/audit/log';
import type { ServiceContext } from '../context';
import type { Tx } from '../db/connect';
import { lockRow, writeTransaction } from '../db/dialect';
import { findEventById } from '../events/queries';
import type { EventRecord } from '../events/types';
import { ConflictError } from '../lib/errors';
import { publicHost } from '../lib/links';
import { toDbTime } from '../lib/time';
import { enqueueEmail } from '../mail/outbox';
import { audienceFor, findAnnouncements, remainingRecipients, type AnnouncementRecord } from './queries';
import { ANNOUNCEMENT_TEMPLATE, newEventSubject } from './templates';
import type { Subscriber } from './types';

/**
 * When the i-th email of an announcement may leave: ANNOUNCEMENTS_PER_MINUTE per minute from now, so a relay's limit is
 * not hit. The outbox sender (on any instance) sends each row when its time comes.
 */
export function sendAt(now: Date, index: number, perMinute: number): Date {
  return new Date(now.getTime() + Math.floor(index / perMinute) * 60_000);
}

interface AnnouncementInput {
  kind: 'new' | 'update';
  subject: string;
  message: string;
  /** The form's one-time key: the same key pressed twice sends once. */
  requestKey: string;
}

/**
 * Records one announcement and queues one email per subscriber in the caller's transaction. The dedupe key of a first
 * announcement is per event and subscriber, so an event reaches each subscriber once, however often (or on however
 * many instances) "announce" is pressed. Returns the announcement's id and how many were queued.
 */
async function queueAnnouncement(trx: Tx, ctx: ServiceContext, actor: Actor, event: EventRecord, input: AnnouncementInput, audience: Subscriber[], now: Date): Promise<{ id: number; count: number } | null> {
  const inserted = await trx('announcements')
    .insert({
      event_id: event.id,
      kind: input.kind,
      new_for_event: input.kind === 'new' ? event.id : null,
      request_key: input.requestKey,
      subject: input.subject,
      message: input.message,
      recipient_count: audience.length,
      user_id: actor.id,
      created_at: toDbTime(now),
    })
    .onConflict()
    .ignore()
    .returning('id');
  const first = inserted[0] as { id: number } | number | undefined;
  if (first === undefined) return null;
  const id = Number(typeof first === 'object' ? first.id : first);
  // Batched to stay under SQLite's bound-variable limit, whatever the size of the list.
  for (let i = 0; i < audience.length; i += 400) {
    await trx('announcement_recipients').insert(audience.slice(i, i + 400).map((subscriber) => ({ announcement_id: id, subscriber_id: subscriber.id })));
  }
  for (const [index, subscriber] of audience.entries()) {
    await enqueueEmail(
      trx,
      {
        dedupeKey: input.kind === 'new' ? `announcement:event:${event.id}:subscriber:${subscriber.id}` : `announcement:${id}:subscriber:${subscriber.id}`,
        kind: 'announcement',
        eventId: event.id,
        to: subscriber.email,
        subject: input.subject,
        sendAt: sendAt(now, index, ctx.config.announcementsPerMinute),
        deferred: { template: ANNOUNCEMENT_TEMPLATE, payload: { announcementId: id, subscriberId: subscriber.id } },
      },
      now,
      publicHost(ctx.config),
    );
  }
  await recordAudit(trx, actor, { action: input.kind === 'new' ? 'event_announced' : 'announcement_update_sent', targetType: 'event', targetId: event.id, details: { slug: event.slug, recipients: audience.length, subject: input.subject } }, now);
  return { id, count: audience.length };
}

async function lockedEvent(trx: Tx, eventId: number): Promise<EventRecord> {
  await lockRow(trx as Parameters<typeof lockRow>[0], 'events', eventId);
  const event = await findEventById(trx, eventId);
  if (!event) throw new Error(`event ${eventId} is gone`);
  return event;
}

/**
 * Announces a published event to the confirmed subscribers who follow its kind or region (or everything). Once per
 * event: a second call throws 409 `already_announced`; a draft or cancelled event throws 409 `not_published`.
 * Returns how many emails were queued.
 */
export async function announceEvent(ctx: ServiceContext, actor: Actor, eventId: number, requestKey: string): Promise<number> {
  const now = ctx.clock.now();
  const result = await writeTransaction(ctx.db, async (trx) => {
    const event = await lockedEvent(trx, eventId);
    if (event.status !== 'published') throw new ConflictError('not_published', 'Only a published event can be announced to subscribers.');
    if ((await findAnnouncements(trx, event.id)).some((a) => a.kind === 'new')) throw new ConflictError('already_announced', 'This event has already been announced to subscribers; send an update to the same people instead.');
    const audience = await audienceFor(trx, event);
    return queueAnnouncement(trx, ctx, actor, event, { kind: 'new', subject: newEventSubject(ctx, event), message: '', requestKey }, audience, now);
  });
  ctx.kickOutbox();
  return result?.count ?? 0;
}

/**
 * Sends an organiser's update about an event to the people its first announcement went to who are still subscribed.
 * The subject is prefixed with the event's title. Throws 409 `not_announced` before a first announcement. A repeated
 * request key (the same form sent twice) sends nothing more and returns null.
 */
export async function sendAnnouncementUpdate(ctx: ServiceContext, actor: Actor, eventId: number, input: { subject: string; message: string; requestKey: string }): Promise<number | null> {
  const now = ctx.clock.now();
  const result = await writeTransaction(ctx.db, async (trx) => {
    const event = await lockedEvent(trx, eventId);
    const first = (await findAnnouncements(trx, event.id)).find((a) => a.kind === 'new');
    if (!first) throw new ConflictError('not_announced', 'This event has not been announced yet, so there is no audience to send an update to; announce it first.');
    const audience = await remainingRecipients(trx, first.id);
    return queueAnnouncement(trx, ctx, actor, event, { kind: 'update', subject: updateSubject(event, input.subject), message: input.message, requestKey: input.requestKey }, audience, now);
  });
  ctx.kickOutbox();
  return result ? result.count : null;
}

export const updateSubject = (event: EventRecord, subject: string) => `${event.title}: ${subject}`;

/** What the staff pages show about an event's announcements, and the audience each action would reach now. */
export async function announcementState(ctx: ServiceContext, event: EventRecord): Promise<{ announcements: AnnouncementRecord[]; first: AnnouncementRecord | null; audienceNow: number; updateAudience: number }> {
  const announcements = await findAnnouncements(ctx.db, event.id);
  const first = announcements.find((a) => a.kind === 'new') ?? null;
  return {
    announcements,
    first,
    audienceNow: (await audienceFor(ctx.db, event)).length,
    updateAudience: first ? (await remainingRecipients(ctx.db, first.id)).length : 0,
  };
}
