import { Router } from 'express';
import type { ServiceContext } from '../context';
import { tokenSchema } from '../bookings';
import { eventDates } from '../events/dates';
import { noteRefusal } from '../web/security-log';
import { limitLinks } from '../web/rate-limit';
import type { Views } from '../web/views';
import { openJoinLink } from './join';
import { inEventZone } from './meetings';

const REFUSED = {
  title: 'This joining link does not work',
  message: 'This link does not lead to a meeting: it may be mistyped, or it belongs to a place that is cancelled, on the waitlist or in person. Use the link in your latest email about the event, or the link on your booking page.',
};

/**
 * The personal joining link, `/join/<token>`: limited like every private link (`limitLinks`), never cached, and sent
 * with no Referer to the meeting. Unknown tokens (404) and places that cannot join (403) get one page.
 */
export function joinRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();
  router.get('/join/:token', limitLinks(ctx), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer');
    res.set('X-Robots-Tag', 'noindex');
    const token = tokenSchema.safeParse(req.params.token);
    const outcome = token.success ? await openJoinLink(ctx, token.data, { isVisit: req.method === 'GET' }) : ({ kind: 'refused', status: 404 } as const);
    if (outcome.kind === 'redirect') return res.redirect(302, outcome.url);
    if (outcome.kind === 'refused') {
      noteRefusal(res, outcome.status === 404 ? 'booking_not_found' : 'forbidden', { reason: 'joining link' });
      return res.status(outcome.status).type('html').send(views.render('online/join-refused', REFUSED));
    }
    const { event } = outcome;
    const model = {
      title: event.title,
      eventTitle: event.title,
      when: eventDates(event.startsAt, event.endsAt, event.timezone).range,
      slug: event.slug,
      isNotYet: outcome.kind === 'not_yet',
      isNoLink: outcome.kind === 'no_link_yet',
      isEnded: outcome.kind === 'ended',
      opensAt: outcome.kind === 'not_yet' ? inEventZone(outcome.opensAt, event.timezone) : null,
    };
    res.type('html').send(views.render('online/join', model));
  });
  return router;
}
