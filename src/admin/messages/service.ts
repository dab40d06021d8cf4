import { manageUrl, publicHost } from '../../lib/links';
import type { ServiceContext } from '../../context';
import { writeTransaction } from '../../db/dialect';
import { isUniqueViolation } from '../../db/errors/index';
import { findEventBySlug } from '../../events/queries';
import type { EventRecord } from '../../events/types';
import { NotFoundError } from '../../lib/errors';
import { newSecretToken } from '../../lib/tokens';
import { enqueueEmail } from '../../mail/outbox';
import { recordAudit, type Actor } from '../audit/log';
import { findStaffMessageBySendKey, insertStaffMessage, listRecipients } from './queries';
import { setRecipientCount } from './queries';
import type { MessageInput, MessageSendInput } from './schemas';
import { messageSubject, recipientLink, STAFF_MESSAGE_TEMPLATE, staffMessageModel, type StaffMessagePayload } from './template';

export interface MessagePreview {
  /** The subject as people will see it (the event's title first). */
  subject: string;
  /** The plain-text email the first person on the list will get, greeting and manage link included. */
  text: string;
  /** Who that first person is; null when nobody would get it. */
  exampleName: string | null;
  recipients: number;
  /** A fresh key for the Send button (one send however often it is pressed). */
  sendKey: string;
}

async function eventOrThrow(ctx: ServiceContext, slug: string): Promise<EventRecord> {
  const event = await findEventBySlug(ctx.db, slug);
  if (!event) throw new NotFoundError('event_not_found', 'No event with that address.');
  return event;
}

/** What the message will look like and how many people it goes to, before anything is sent. */
export async function previewStaffMessage(ctx: ServiceContext, slug: string, input: MessageInput): Promise<MessagePreview> {
  const event = await eventOrThrow(ctx, slug);
  const people = await listRecipients(ctx.db, event.id, input.audience);
  const first = people[0];
  const link = first ? await recipientLink(ctx, first.reference, first.seatId) : manageUrl(ctx.config, 'HSUG-XXXX-XXXX');
  const model = staffMessageModel(ctx, event, input.body, first?.name ?? 'Firstname Lastname', link, { isPreview: true });
  return {
    subject: messageSubject(event.title, input.subject),
    text: ctx.emails.render('staff-message', model).text,
    exampleName: first?.name ?? null,
    recipients: people.length,
    sendKey: newSecretToken(),
  };
}

/**
 * Sends the message to the signed-in staff member only, marked "[TEST]" in the subject, greeting them by name; nobody
 * else gets anything and nothing is recorded as sent to the event. Returns the address it went to.
 */
export async function sendTestMessage(ctx: ServiceContext, actor: Actor & { name?: string }, slug: string, input: MessageInput): Promise<string> {
  const event = await eventOrThrow(ctx, slug);
  const content = ctx.emails.render('staff-message', staffMessageModel(ctx, event, input.body, actor.name ?? actor.email, null, { isTest: true }));
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    await enqueueEmail(trx, { dedupeKey: `staff-message-test:${newSecretToken()}`, kind: 'staff_message_test', eventId: event.id, to: actor.email, toName: actor.name, subject: messageSubject(event.title, input.subject, true), ...content }, now, publicHost(ctx.config));
    await recordAudit(trx, actor, { action: 'message_test_sent', targetType: 'event', targetId: event.id, details: { subject: input.subject, to: actor.email } }, now);
  });
  ctx.kickOutbox();
  return actor.email;
}

export type SendOutcome = { status: 'sent' | 'already_sent'; recipients: number } | { status: 'count_changed'; recipients: number };

/**
 * Emails everyone in the audience, one email each, through the outbox in one transaction: either the whole message is
 * queued and recorded, or none of it. Each email is rendered when it is sent, from the recorded message, with the
 * person's own manage link. The dedupe key (message, person) means a person booked twice under one address gets it
 * once; the send key (unique) means the same preview sent twice, or a retried request, sends once (`already_sent`).
 * When the number of people differs from the number the organiser confirmed, nothing is sent (`count_changed`).
 */
export async function sendStaffMessage(ctx: ServiceContext, actor: Actor, slug: string, input: MessageSendInput): Promise<SendOutcome> {
  const now = ctx.clock.now();
  const run = () =>
    writeTransaction(ctx.db, async (trx): Promise<SendOutcome> => {
      const done = await findStaffMessageBySendKey(trx, input.sendKey);
      if (done) return { status: 'already_sent', recipients: done.recipients };
      const event = await findEventBySlug(trx, slug);
      if (!event) throw new NotFoundError('event_not_found', 'No event with that address.');
      const people = await listRecipients(trx, event.id, input.audience);
      if (people.length !== input.expected) return { status: 'count_changed', recipients: people.length };
      const id = await insertStaffMessage(trx, { eventId: event.id, userId: actor.id, sentBy: actor.email, audience: input.audience, subject: input.subject, body: input.body, sendKey: input.sendKey }, now);
      const subject = messageSubject(event.title, input.subject);
      for (const person of people) {
        const payload: StaffMessagePayload = { messageId: id, name: person.name, reference: person.reference, ...(person.seatId !== null ? { seatId: person.seatId } : {}) };
        await enqueueEmail(
          trx,
          { dedupeKey: `staff-message:${id}:${person.key}`, kind: 'staff_message', eventId: event.id, to: person.email, toName: person.name, subject, deferred: { template: STAFF_MESSAGE_TEMPLATE, payload } },
          now,
          publicHost(ctx.config),
        );
      }
      await setRecipientCount(trx, id, people.length);
      await recordAudit(trx, actor, { action: 'message_sent', targetType: 'event', targetId: event.id, details: { messageId: id, audience: input.audience, subject: input.subject, recipients: people.length } }, now);
      return { status: 'sent', recipients: people.length };
    });
  let outcome: SendOutcome;
  try {
    outcome = await run();
  } catch (error) {
    // Two presses at the same moment: the second insert meets the first's send key. Its answer is the first's.
    if (!isUniqueViolation(error, 'send_key')) throw error;
    const done = await findStaffMessageBySendKey(ctx.db, input.sendKey);
    if (!done) throw error;
    outcome = { status: 'already_sent', recipients: done.recipients };
  }
  ctx.kickOutbox();
  return outcome;
}
