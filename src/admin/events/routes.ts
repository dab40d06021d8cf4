import type { Response } from 'express';
import type { ServiceContext } from '../../context';
import { AppError, ConflictError, ValidationError, type ErrorDetail } from '../../lib/errors';
import { fieldErrors, parseInput } from '../../web/validate';
import { toEventPage } from '../../events/present';
import { getEventForPreview } from '../../events/service';
import { eventUrl } from '../../lib/links';
import type { Logger } from '../../lib/logger';
import type { Views } from '../../web/views';
import { staffOf } from '../auth/middleware';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { formBody, idParam, slugParam } from '../params';
import { cancelEvent } from './cancel';
import { findMeeting } from '../../online';
import { noticeText } from './notices';
import { renderEventPage as renderEventPageFor, renderPublishRefusal } from './page';
import { choiceLists, copyFormValues, eventFormValues, ticketFormValues, toStaffEventPage, toStaffEventRow } from './present';
import { findStaffEvent, getStaffEvent, listEventsForStaff } from './read';
import { cancelFormSchema, eventFormSchema, ticketFormSchema, type EventInput, type TicketInput } from './schemas';
import { checkEventFormAgainstData, checkTicketFormAgainstData, copyEvent, createEvent, createTicketType, planEventUpdate, publishEvent, unpublishEvent, updateEvent, updateTicketType } from './service';

/** The first ticket type's fields on the new-event form are named ticket_<field>. */
function ticketPart(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k]) => k.startsWith('ticket_')).map(([k, v]) => [k.slice('ticket_'.length), v]));
}

/** Both halves of the new-event form are checked, so every mistake is shown at once. */
function parseNewEvent(body: Record<string, unknown>, defaultZone: string): { input: EventInput; ticket: TicketInput } {
  const details: ErrorDetail[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      details.push(...(error.details ?? []));
      return undefined;
    }
  };
  const input = attempt(() => parseInput(eventFormSchema, body));
  const zone = input?.timezone ?? (typeof body.timezone === 'string' && body.timezone ? body.timezone : defaultZone);
  const ticket = attempt(() => parseInput(ticketFormSchema(zone), { ...ticketPart(body), isActive: 'on' }, ['ticket']));
  if (!input || !ticket) throw new ValidationError(details);
  return { input, ticket };
}

/** The form's own mistakes and, when there are some, those only the database can tell (`checkEventFormAgainstData`). */
async function allEventFormErrors(ctx: ServiceContext, error: ValidationError, body: Record<string, unknown>, slug?: string): Promise<Record<string, string>> {
  // A field named twice (the service already found the same thing) keeps its first message.
  return fieldErrors(new ValidationError([...(error.details ?? []), ...(await checkEventFormAgainstData(ctx, body, slug))]));
}

export function eventRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter, logger: Logger): void {
  const renderEventForm = (res: Response, model: Record<string, unknown>, status = 200) => {
    const form = model.form as Record<string, unknown>;
    renderAdmin(views, res, 'event-form', { ...choiceLists(form), defaultZone: ctx.config.timezone, ...model, hasErrors: status === 422 }, status);
  };

  const renderEventPage = (res: Response, slug: string, extra: Record<string, unknown> = {}, status = 200) => renderEventPageFor(ctx, views, res, slug, extra, status);

  routes.get('/', 'events:read', async (_req, res) => {
    const { upcoming, past } = await listEventsForStaff(ctx);
    renderAdmin(views, res, 'events', { title: 'Events', upcoming: upcoming.map(toStaffEventRow), past: past.map(toStaffEventRow) });
  });

  routes.get('/events/new', 'events:manage', (_req, res) => {
    const form = { timezone: ctx.config.timezone, kind: 'evening_meeting', region: 'london', capacity: '80', refundFee: '0.00', ticket_name: 'Free registration', ticket_price: '0.00' };
    renderEventForm(res, { title: 'New event', isNew: true, form, errors: {} });
  });

  routes.post('/events', 'events:manage', async (req, res) => {
    const body = formBody(req);
    try {
      const { input, ticket } = parseNewEvent(body, ctx.config.timezone);
      const event = await createEvent(ctx, staffOf(res), input, ticket);
      res.redirect(303, `/admin/events/${event.slug}?notice=created`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      renderEventForm(res, { title: 'New event', isNew: true, form: body, errors: await allEventFormErrors(ctx, error, body) }, 422);
    }
  });

  const renderCopyForm = async (res: Response, sourceSlug: string, form: Record<string, unknown> | null, errors: Record<string, string> = {}, status = 200) => {
    const detail = await getStaffEvent(ctx, sourceSlug);
    const page = toStaffEventPage(detail);
    const copyFrom = { slug: page.slug, title: page.title, ticketTypes: page.ticketTypes };
    renderEventForm(res, { title: `Copy ${detail.event.title} as a new event`, isNew: true, copyFrom, form: form ?? copyFormValues(detail.event, await findMeeting(ctx.db, detail.event.id)), errors }, status);
  };

  routes.get('/events/:slug/copy', 'events:manage', async (req, res) => {
    await renderCopyForm(res, slugParam(req), null);
  });

  routes.post('/events/:slug/copy', 'events:manage', async (req, res) => {
    const slug = slugParam(req);
    const body = formBody(req);
    try {
      const event = await copyEvent(ctx, staffOf(res), slug, parseInput(eventFormSchema, body));
      res.redirect(303, `/admin/events/${event.slug}?notice=copied`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await renderCopyForm(res, slug, body, await allEventFormErrors(ctx, error, body), 422);
    }
  });

  routes.get('/events/:slug', 'events:read', async (req, res) => {
    await renderEventPage(res, slugParam(req), { notice: noticeText(req.query as Record<string, unknown>) });
  });

  // The public page as it will look, for signed-in staff only (the public address of a draft is a 404), in the public
  // layout with a banner saying it is not published; the booking form is left out, since a draft takes no bookings.
  routes.get('/events/:slug/preview', 'events:read', async (req, res) => {
    const item = await getEventForPreview(ctx, slugParam(req));
    const event = toEventPage(item, eventUrl(ctx.config, item.event.slug), ctx.clock.now(), ctx.config);
    res.set('X-Robots-Tag', 'noindex');
    res.type('html').send(views.render('events/show', { title: `Preview: ${item.event.title}`, event, preview: { slug: item.event.slug, isDraft: item.event.status === 'draft' }, form: {}, errors: {} }));
  });

  routes.get('/events/:slug/edit', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    renderEventForm(res, { title: `Edit ${event.title}`, slug: event.slug, form: eventFormValues(event, await findMeeting(ctx.db, event.id)), errors: {} });
  });

  routes.post('/events/:slug', 'events:manage', async (req, res) => {
    const slug = slugParam(req);
    const body = formBody(req);
    try {
      // "Back to edit" on the confirmation: the form again, as typed.
      if (body._back === 'yes') {
        const event = await findStaffEvent(ctx, slug);
        return renderEventForm(res, { title: `Edit ${event.title}`, slug, form: body, errors: {} });
      }
      const input = parseInput(eventFormSchema, body);
      // Mistakes that need the data (capacity below the places taken, an address in use) come before the confirmation.
      const dataProblems = await checkEventFormAgainstData(ctx, body, slug);
      if (dataProblems.length > 0) throw new ValidationError(dataProblems);
      const plan = await planEventUpdate(ctx, slug, input);
      const isConfirmed = body.confirmed === 'yes' && String(body.confirmedEmails) === String(plan.emails);
      if (!isConfirmed && (plan.emails > 0 || plan.warnings.length > 0)) {
        const event = await findStaffEvent(ctx, slug);
        return renderAdmin(views, res, 'event-change-confirm', {
          title: `Check before saving: ${event.title}`,
          slug,
          eventTitle: event.title,
          plan,
          peopleLabel: `${plan.emails} ${plan.emails === 1 ? 'person' : 'people'}`,
          countChanged: body.confirmed === 'yes',
          fields: Object.entries(body).filter(([k, v]) => typeof v === 'string' && !['_csrf', 'confirmed', 'confirmedEmails', '_back'].includes(k)).map(([name, value]) => ({ name, value })),
        });
      }
      const result = await updateEvent(ctx, staffOf(res), slug, input);
      res.redirect(303, `/admin/events/${result.event.slug}?notice=updated&notified=${result.notified}&promoted=${result.promoted}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const event = await findStaffEvent(ctx, slug);
      renderEventForm(res, { title: `Edit ${event.title}`, slug, form: body, errors: await allEventFormErrors(ctx, error, body, slug) }, 422);
    }
  });

  for (const [action, run] of [['publish', publishEvent], ['unpublish', unpublishEvent]] as const) {
    routes.post(`/events/:slug/${action}`, 'events:manage', async (req, res) => {
      const slug = slugParam(req);
      try {
        await run(ctx, staffOf(res), slug);
        res.redirect(303, `/admin/events/${slug}?notice=${action}ed`);
      } catch (error) {
        // An online or hybrid event without its meeting address: 422 beside "Taking part", nothing published.
        if (!(error instanceof ValidationError || error instanceof ConflictError)) throw error;
        await renderPublishRefusal(ctx, views, res, slug, error);
      }
    });
  }

  routes.get('/events/:slug/cancel', 'events:manage', async (req, res) => {
    const detail = await getStaffEvent(ctx, slugParam(req));
    renderAdmin(views, res, 'event-cancel', { title: `Cancel ${detail.event.title}`, event: toStaffEventPage(detail), form: {}, errors: {} });
  });

  routes.post('/events/:slug/cancel', 'events:manage', async (req, res) => {
    const slug = slugParam(req);
    const body = formBody(req);
    try {
      const { reason } = parseInput(cancelFormSchema, body);
      const outcome = await cancelEvent(ctx, staffOf(res), slug, reason, logger);
      renderAdmin(views, res, 'event-cancelled', { title: `Cancelled: ${outcome.event.title}`, slug: outcome.event.slug, eventTitle: outcome.event.title, outcome });
    } catch (error) {
      if (error instanceof AppError && error.code === 'already_cancelled') return renderEventPage(res, slug, { problem: error.message }, 409);
      if (!(error instanceof ValidationError)) throw error;
      const detail = await getStaffEvent(ctx, slug);
      renderAdmin(views, res, 'event-cancel', { title: `Cancel ${detail.event.title}`, event: toStaffEventPage(detail), form: body, errors: fieldErrors(error) }, 422);
    }
  });

  routes.get('/events/:slug/tickets/new', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    renderAdmin(views, res, 'ticket-form', { title: 'New ticket type', slug: event.slug, eventTitle: event.title, isNew: true, timezone: event.timezone, form: { price: '0.00', isActive: true }, errors: {} });
  });

  routes.post('/events/:slug/tickets', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const body = formBody(req);
    try {
      await createTicketType(ctx, staffOf(res), event.slug, parseInput(ticketFormSchema(event.timezone), body));
      res.redirect(303, `/admin/events/${event.slug}?notice=ticket_saved`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      renderAdmin(views, res, 'ticket-form', { title: 'New ticket type', slug: event.slug, eventTitle: event.title, isNew: true, timezone: event.timezone, form: body, errors: fieldErrors(error), hasErrors: true }, 422);
    }
  });

  routes.get('/events/:slug/tickets/:id/edit', 'events:manage', async (req, res) => {
    const detail = await getStaffEvent(ctx, slugParam(req));
    const type = detail.ticketTypes.find((t) => t.id === idParam(req, 'id'));
    if (!type) throw new AppError('not_found', 'No such ticket type for this event.');
    const model = { title: `Edit ${type.name}`, slug: detail.event.slug, eventTitle: detail.event.title, ticketId: type.id, timezone: detail.event.timezone, form: ticketFormValues(type, detail.event.timezone), errors: {} };
    renderAdmin(views, res, 'ticket-form', model);
  });

  routes.post('/events/:slug/tickets/:id', 'events:manage', async (req, res) => {
    const event = await findStaffEvent(ctx, slugParam(req));
    const id = idParam(req, 'id');
    const body = formBody(req);
    try {
      await updateTicketType(ctx, staffOf(res), event.slug, id, parseInput(ticketFormSchema(event.timezone), body));
      res.redirect(303, `/admin/events/${event.slug}?notice=ticket_saved`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const errors = fieldErrors(new ValidationError([...(error.details ?? []), ...(await checkTicketFormAgainstData(ctx, event, id, body))]));
      const model = { title: 'Edit ticket type', slug: event.slug, eventTitle: event.title, ticketId: id, timezone: event.timezone, form: body, errors, hasErrors: true };
      renderAdmin(views, res, 'ticket-form', model, 422);
    }
  });
}
