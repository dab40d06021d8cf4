import type { Response } from 'express';
import type { ServiceContext } from '../../context';
import { ConflictError, ValidationError } from '../../lib/errors';
import { formatDate } from '../../lib/time';
import { removalDates } from '../../privacy/retention';
import type { Views } from '../../web/views';
import { renderAdmin } from '../render';
import { toStaffEventPage } from './present';
import { getStaffEvent } from './read';

/** The staff event page (`/admin/events/:slug`), with `extra` (a notice, a problem) on top. */
export async function renderEventPage(ctx: ServiceContext, views: Views, res: Response, slug: string, extra: Record<string, unknown> = {}, status = 200): Promise<void> {
  const detail = await getStaffEvent(ctx, slug);
  const removal = removalDates(detail.event.endsAt, ctx.config.retention);
  const retention = { needsOn: formatDate(removal.needs, detail.event.timezone), contactsOn: formatDate(removal.contacts, detail.event.timezone), needsGone: removal.needs <= ctx.clock.now(), contactsGone: removal.contacts <= ctx.clock.now() };
  renderAdmin(views, res, 'event', { title: detail.event.title, event: toStaffEventPage(detail), retention, ...extra }, status);
}

/**
 * Why an event could not be published, on its page, whichever step asked (Publish, or Publish and announce): a 409
 * in the banner; a 422 (an online or hybrid event without its meeting address) in the banner, linked to the same
 * message beside "Taking part", whose link leads to the meeting's fields.
 */
export async function renderPublishRefusal(ctx: ServiceContext, views: Views, res: Response, slug: string, error: ValidationError | ConflictError): Promise<void> {
  if (error instanceof ValidationError) {
    const messages = (error.details ?? []).map((d) => d.message);
    const meeting = error.details?.find((d) => d.path === 'meetingUrl')?.message;
    return renderEventPage(ctx, views, res, slug, { problem: messages.join(' '), problemAnchor: meeting ? '#meeting-problem' : null, meetingProblem: meeting ?? null }, 422);
  }
  return renderEventPage(ctx, views, res, slug, { problem: error.message }, 409);
}
