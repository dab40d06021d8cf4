import { z } from 'zod';
import type { ServiceContext } from '../context';
import { eventDates } from '../events/dates';
import { findEventById } from '../events/queries';
import { KIND_LABELS, REGION_LABELS, placeLine, type EventRecord } from '../events/types';
import { eventUrl } from '../lib/links';
import { toDbTime } from '../lib/time';
import type { EmailContent, SkippedEmail } from '../mail/outbox';
import { defineTemplate } from '../mail/templates';
import { findAnnouncement, findSubscriberBy, type AnnouncementRecord } from './queries';
import { confirmUrl, subscriptionUrl, unsubscribeUrl } from './tokens';
import { CONFIRM_DAYS, describeChoices, type Choices } from './types';

export const CONFIRMATION_TEMPLATE = 'subscription_confirm';
export const ANNOUNCEMENT_TEMPLATE = 'announcement';

/** A refusal by the relay (SMTP 5xx) counts against the address; after REFUSALS_BEFORE_STOPPING it gets no more announcements. */
async function recordRefusal(ctx: ServiceContext, subscriberId: number, reason: string): Promise<void> {
  const now = ctx.clock.now();
  await ctx.db('subscribers')
    .where({ id: subscriberId })
    .update({ refusals: ctx.db.raw('refusals + 1'), last_refusal_at: toDbTime(now), last_refusal: reason.slice(0, 500), updated_at: toDbTime(now) });
}

const confirmationPayload = z.object({ subscriberId: z.number().int(), nonce: z.string().nullable() });

/**
 * The double opt-in email: for a pending subscription, the confirmation link (to a page whose button confirms); for an
 * address already confirmed, the link to its page. Skipped when the subscription is gone or was confirmed meanwhile.
 */
const confirmationTemplate = defineTemplate<ServiceContext, z.infer<typeof confirmationPayload>>({
  name: CONFIRMATION_TEMPLATE,
  schema: confirmationPayload,
  async render(ctx, payload): Promise<EmailContent | SkippedEmail> {
    const subscriber = await findSubscriberBy(ctx.db, { id: payload.subscriberId });
    if (!subscriber) return { skip: 'the subscription was removed before this email was sent' };
    const pending = payload.nonce !== null;
    if (pending && subscriber.status === 'confirmed') return { skip: 'the subscription was confirmed before this email was sent' };
    return ctx.emails.render('subscription-confirm', {
      pending,
      confirmUrl: pending ? confirmUrl(ctx.config, payload.nonce!) : null,
      pageUrl: subscriptionUrl(ctx.config, subscriber.tokenSalt),
      days: CONFIRM_DAYS,
      follows: describeChoices(subscriber),
      footer: `You are receiving this because this address was entered to hear about ${ctx.config.orgName} events.`,
    });
  },
  refused: (ctx, payload, reason) => recordRefusal(ctx, payload.subscriberId, reason),
});

/** What an announcement says about its event; `pageUrl` is the recipient's own page (a placeholder in the preview). */
export function announcementModel(ctx: ServiceContext, announcement: Pick<AnnouncementRecord, 'kind' | 'message'>, event: EventRecord, choices: Choices, pageUrl: string) {
  return {
    isUpdate: announcement.kind === 'update',
    message: announcement.message,
    event: {
      title: event.title,
      kind: KIND_LABELS[event.kind],
      region: REGION_LABELS[event.region],
      summary: event.summary,
      when: eventDates(event.startsAt, event.endsAt, event.timezone).range,
      where: placeLine(event),
      url: eventUrl(ctx.config, event.slug),
      isCancelled: event.status === 'cancelled',
    },
    follows: describeChoices(choices),
    pageUrl,
    footer: `You are receiving this because you subscribed to ${ctx.config.orgName} event announcements.`,
  };
}

/** The subject line of a first announcement; an update's subject is the organiser's, prefixed with the event's title. */
export const newEventSubject = (_ctx: ServiceContext, event: EventRecord) => `New HSUG event: ${event.title}`;

const announcementPayload = z.object({ announcementId: z.number().int(), subscriberId: z.number().int() });

/**
 * One subscriber's copy of an announcement, rendered when sent from the event as it is then. Carries RFC 8058 one-click
 * unsubscribe (List-Unsubscribe with an HTTPS URI, List-Unsubscribe-Post: List-Unsubscribe=One-Click) and a visible
 * link to the subscriber's page. Skipped when the subscriber unsubscribed or is no longer confirmed.
 */
const announcementTemplate = defineTemplate<ServiceContext, z.infer<typeof announcementPayload>>({
  name: ANNOUNCEMENT_TEMPLATE,
  schema: announcementPayload,
  async render(ctx, payload): Promise<EmailContent | SkippedEmail> {
    const subscriber = await findSubscriberBy(ctx.db, { id: payload.subscriberId });
    if (!subscriber || subscriber.status !== 'confirmed') return { skip: 'the subscriber unsubscribed before this announcement was sent' };
    const announcement = await findAnnouncement(ctx.db, payload.announcementId);
    const event = announcement && (await findEventById(ctx.db, announcement.eventId));
    if (!announcement || !event) throw new Error(`announcement ${payload.announcementId} or its event is gone: it cannot be rendered`);
    const content = ctx.emails.render('announcement', announcementModel(ctx, announcement, event, subscriber, subscriptionUrl(ctx.config, subscriber.tokenSalt)));
    return { ...content, headers: { 'List-Unsubscribe': `<${unsubscribeUrl(ctx.config, subscriber.tokenSalt)}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } };
  },
  refused: (ctx, payload, reason) => recordRefusal(ctx, payload.subscriberId, reason),
});

export const announcementTemplates = [confirmationTemplate, announcementTemplate];
