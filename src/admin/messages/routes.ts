import type { ServiceContext } from '../../context';
import { ValidationError } from '../../lib/errors';
import { fieldErrors, parseInput } from '../../web/validate';
import type { Views } from '../../web/views';
import { staffOf } from '../auth/middleware';
import { findStaffEvent } from '../events/read';
import { formBody, slugParam } from '../params';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { listRecipients } from './queries';
import { messageFormSchema } from './schemas';
import { sendStaffMessage } from './service';

export function messageRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  const renderForm = async (res: Parameters<typeof renderAdmin>[1], slug: string, form: Record<string, unknown>, errors: Record<string, string>, status = 200) => {
    const event = await findStaffEvent(ctx, slug);
    const [attendees, waitlist] = await Promise.all([listRecipients(ctx.db, event.id, 'attendees'), listRecipients(ctx.db, event.id, 'waitlist')]);
    const audience = form.audience === 'waitlist' ? 'waitlist' : 'attendees';
    renderAdmin(views, res, 'message-form', {
      title: `Email people: ${event.title}`,
      event: { slug: event.slug, title: event.title },
      form: { ...form, isWaitlist: audience === 'waitlist' },
      counts: { attendees: attendees.length, waitlist: waitlist.length },
      errors,
      hasErrors: Object.keys(errors).length > 0,
    }, status);
  };

  routes.get('/events/:slug/messages/new', 'messages:send', async (req, res) => {
    await renderForm(res, slugParam(req), { audience: req.query.audience === 'waitlist' ? 'waitlist' : 'attendees' }, {});
  });

  routes.post('/events/:slug/messages', 'messages:send', async (req, res) => {
    const slug = slugParam(req);
    const body = formBody(req);
    try {
      const { recipients } = await sendStaffMessage(ctx, staffOf(res), slug, parseInput(messageFormSchema, body));
      res.redirect(303, `/admin/events/${slug}?notice=message_sent&recipients=${recipients}#messages`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderForm(res, slug, body, fieldErrors(error), 422);
    }
  });
}
