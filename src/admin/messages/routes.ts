import type { Response } from 'express';
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
import { messageFormSchema, messageSendSchema, type MessageInput } from './schemas';
import { previewStaffMessage, sendStaffMessage, sendTestMessage } from './service';

/** What the organiser typed, kept as typed (strings only) to show again. */
function typedForm(body: Record<string, unknown>): Record<string, string> {
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string) : '');
  return { audience: body.audience === 'waitlist' ? 'waitlist' : 'attendees', subject: text('subject'), body: text('body') };
}

/**
 * Emailing an event's people in three steps, each a plain POST form that works without JavaScript: write, preview
 * (the real subject, greeting and manage link, the number of people, and "send a test to me"), then "Send to N people".
 */
export function messageRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  const renderForm = async (res: Response, slug: string, form: Record<string, unknown>, errors: Record<string, string>, status = 200) => {
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

  const renderPreview = async (res: Response, slug: string, input: MessageInput, extra: Record<string, unknown> = {}, status = 200) => {
    const event = await findStaffEvent(ctx, slug);
    const preview = await previewStaffMessage(ctx, slug, input);
    renderAdmin(views, res, 'message-preview', {
      title: `Check your message: ${event.title}`,
      event: { slug: event.slug, title: event.title },
      form: input,
      preview,
      audienceLabel: input.audience === 'waitlist' ? 'everyone on the waitlist' : 'everyone with a confirmed place',
      peopleLabel: `${preview.recipients} ${preview.recipients === 1 ? 'person' : 'people'}`,
      me: staffOf(res).email,
      ...extra,
    }, status);
  };

  /** Parses the message; on a mistake shows the form again with the mistakes and what was typed, and answers null. */
  const parsedOrForm = async (res: Response, slug: string, body: Record<string, unknown>): Promise<MessageInput | null> => {
    try {
      return parseInput(messageFormSchema, body);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderForm(res, slug, typedForm(body), fieldErrors(error), 422);
      return null;
    }
  };

  routes.get('/events/:slug/messages/new', 'messages:send', async (req, res) => {
    await renderForm(res, slugParam(req), { audience: req.query.audience === 'waitlist' ? 'waitlist' : 'attendees' }, {});
  });

  // "Back to edit" on the preview posts here: the form again with the message as typed.
  routes.post('/events/:slug/messages/edit', 'messages:send', async (req, res) => {
    await renderForm(res, slugParam(req), typedForm(formBody(req)), {});
  });

  routes.post('/events/:slug/messages/preview', 'messages:send', async (req, res) => {
    const slug = slugParam(req);
    const input = await parsedOrForm(res, slug, formBody(req));
    if (input) await renderPreview(res, slug, input);
  });

  routes.post('/events/:slug/messages/test', 'messages:send', async (req, res) => {
    const slug = slugParam(req);
    const input = await parsedOrForm(res, slug, formBody(req));
    if (!input) return;
    const to = await sendTestMessage(ctx, staffOf(res), slug, input);
    await renderPreview(res, slug, input, { testSentTo: to });
  });

  routes.post('/events/:slug/messages', 'messages:send', async (req, res) => {
    const slug = slugParam(req);
    const body = formBody(req);
    const input = await parsedOrForm(res, slug, body);
    if (!input) return;
    const confirmed = messageSendSchema.safeParse(body);
    // Not from the preview's Send button (no send key, or no count agreed): show the preview, send nothing.
    if (!confirmed.success) return renderPreview(res, slug, input);
    const outcome = await sendStaffMessage(ctx, staffOf(res), slug, confirmed.data);
    if (outcome.status === 'count_changed') {
      const was = confirmed.data.expected;
      return renderPreview(res, slug, input, { countChanged: `The list has changed since you looked: it was ${was} ${was === 1 ? 'person' : 'people'}. Nothing has been sent. Check the number below and send again.` }, 409);
    }
    res.redirect(303, `/admin/events/${slug}?notice=${outcome.status === 'sent' ? 'message_sent' : 'message_already_sent'}&recipients=${outcome.recipients}#messages`);
  });
}
