import { publicHost } from '../../lib/links';
import type { ServiceContext } from '../../context';
import { writeTransaction } from '../../db/dialect';
import { findEventBySlug } from '../../events/queries';
import { NotFoundError } from '../../lib/errors';
import { enqueueEmail } from '../../mail/outbox';
import { recordAudit, type Actor } from '../audit/log';
import { insertStaffMessage, listRecipients, setRecipientCount } from './queries';
import type { MessageInput } from './schemas';
import { STAFF_MESSAGE_TEMPLATE, type StaffMessagePayload } from './template';

/**
 * Emails everyone in the audience, one email each, through the outbox in one transaction: either the
 * whole message is queued and recorded, or none of it. Each email is rendered when it is sent, from the
 * recorded message. The dedupe key (message, person) means a person booked twice under one address gets
 * it once.
 */
export async function sendStaffMessage(ctx: ServiceContext, actor: Actor, slug: string, input: MessageInput): Promise<{ recipients: number }> {
  const now = ctx.clock.now();
  const result = await writeTransaction(ctx.db, async (trx) => {
    const event = await findEventBySlug(trx, slug);
    if (!event) throw new NotFoundError('event_not_found', 'No event with that address.');
    const id = await insertStaffMessage(trx, { eventId: event.id, userId: actor.id, sentBy: actor.email, ...input }, now);
    const people = await listRecipients(trx, event.id, input.audience);
    for (const person of people) {
      const payload: StaffMessagePayload = { messageId: id, name: person.name };
      await enqueueEmail(
        trx,
        { dedupeKey: `staff-message:${id}:${person.key}`, kind: 'staff_message', eventId: event.id, to: person.email, toName: person.name, subject: input.subject, deferred: { template: STAFF_MESSAGE_TEMPLATE, payload } },
        now,
        publicHost(ctx.config),
      );
    }
    await setRecipientCount(trx, id, people.length);
    await recordAudit(trx, actor, { action: 'message_sent', targetType: 'event', targetId: event.id, details: { messageId: id, audience: input.audience, subject: input.subject, recipients: people.length } }, now);
    return { recipients: people.length };
  });
  ctx.kickOutbox();
  return result;
}
