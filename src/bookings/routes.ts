import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { buildPersonalCopy } from '../calendar/ics';
import { calendarContext } from '../calendar/context';
import { subscribeFromBookingForm } from '../announcements/booking-box';
import { afterEventLinks } from '../certificates/after-event';
import type { ServiceContext } from '../context';
import { bookingTerms, toEventPage } from '../events/present';
import { contactEmailFor } from '../events/terms';
import { slugSchema } from '../events/schemas';
import { getPublicEvent } from '../events/service';
import { listTicketTypes } from '../events/queries';
import { AppError, NotFoundError, TooManyRequestsError, ValidationError } from '../lib/errors';
import { clientKey, limitBookings, limitDiscountCode, limitLinks, limitResend, prepareRefusal } from '../web/rate-limit';
import { parseInput, parseRequest } from '../web/validate';
import type { Views } from '../web/views';
import { eventUrl } from '../lib/links';
import { bookingNoteFor, toApiBooking, toBookPage, toCancelPage, toManagePage, type SeatChoice } from './present';
import { discountCodeText, modeSwitchSchema, referenceSchema, resendSchema, tokenSchema, type BookingRequest } from './schemas';
import { cancelAsHolder, previewHolderCancel } from './cancel';
import { createBooking } from './create';
import { resumePayment } from './pay';
import { invoicePayPath } from './pay-invoice';
import { bookingRequestFromForm, formErrorLinks, formErrors, membershipFormDetails, parseQuantities } from './paid-form';
import { switchSeatMode } from './mode-switch';
import { getSeatForHolder } from './seats';
import { manageOnlineParts } from '../online/manage';
import { findEventBySlug } from '../events/queries';
import { answersFromForm, questionFields, toApiQuestion } from './question-present';
import { listAnswers, listQuestions } from './questions';
import { parseBookingRequest, previewBookingDiscount, resendConfirmation, revealedTicketType } from './service';
import { unknownCode } from './discounts';
import { formatMoney } from '../lib/money';
import { bookingNotFound, getBookingForHolder, type BookingView } from './view';

function bearerOrQueryToken(req: Request): string | undefined {
  const header = req.get('authorization');
  const fromHeader = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const fromQuery = typeof req.query.token === 'string' ? req.query.token : undefined;
  const token = fromHeader ?? fromQuery;
  return token && tokenSchema.safeParse(token).success ? token : undefined;
}

const eventNotFound = () => new NotFoundError('event_not_found', 'No event with that address.');

function parseReference(req: Request): string {
  return parseRequest(req, { params: z.object({ reference: referenceSchema }), notFound: bookingNotFound }).params.reference;
}

/** Every email address a booking names: the buyer's and each attendee's (the per-email booking limit counts each). */
const emailsOf = (request: BookingRequest) => [request.buyer.email, ...request.items.map((item) => item.attendee.email)];

/**
 * Books, counting a discount code against the code-guessing limit first (outside any transaction); the attempt is
 * given back unless the code was refused.
 */
async function bookWithDiscountCode(ctx: ServiceContext, req: Request, res: Response, slug: string, request: BookingRequest, options: { freeOnly?: boolean } = {}) {
  const codeLimit = await limitDiscountCode(ctx, req, res, request.discountCode);
  try {
    const created = await createBooking(ctx, slug, request, { ...options, clientKey: clientKey(ctx.config, req) });
    await codeLimit.settle();
    return created;
  } catch (error) {
    await codeLimit.settle(error);
    throw error;
  }
}

/** The registration form's fields (one person), as the booking request's person; checked by the request's schema. */
function registrationFormFields(form: Record<string, unknown>) {
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { name: text(form.name) ?? '', email: text(form.email) ?? '', organisation: text(form.organisation), dietary: text(form.dietary), accessibility: text(form.accessibility), mode: text(form.mode) };
}

/** A refused registration's errors keyed by the registration form's field names (`name`, `email`, `answer_<id>`, …). */
function registrationErrors(error: ValidationError): Record<string, string> {
  const map: Record<string, string> = {};
  for (const d of error.details ?? []) {
    const answer = /^(?:items\.0\.)?answers\.(\d+)$/.exec(d.path);
    const key = answer ? (d.path.startsWith('items') ? `seat_0_answer_${answer[1]}` : `answer_${answer[1]}`) : d.path.replace(/^(?:items\.0\.attendee|buyer)\./, '');
    if (!(key in map)) map[key] = d.message;
  }
  return map;
}

function parseSlug(req: Request): string {
  return parseRequest(req, { params: z.object({ slug: slugSchema }), notFound: eventNotFound }).params.slug;
}

export function bookingPageRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();
  const links = limitLinks(ctx);

  /** Re-renders the event page with the visitor's input and what went wrong. */
  async function renderEventWithProblem(slug: string, form: object, error: AppError) {
    const item = await getPublicEvent(ctx, slug);
    const event = toEventPage(item, eventUrl(ctx.config, slug), ctx.clock.now(), ctx.config);
    // A refused code from the "place not listed here" form is that field's error (`code-place`), not a failed booking.
    const codeDetail = error.details?.find((d) => d.path === 'code' || d.path === 'discountCode');
    const errors: Record<string, string> = codeDetail ? { 'code-place': codeDetail.message } : error instanceof ValidationError ? registrationErrors(error) : {};
    const isFieldError = error instanceof ValidationError || codeDetail !== undefined;
    // The error summary links each message to its control: the quantity selectors are `qty-<id>`, the rest `field-<name>`.
    const errorLinks = Object.entries(errors).map(([key, message]) => ({
      href: key === 'quantity' ? event.firstPlaceSelector : /^qty_\d+$/.test(key) ? key.replace('_', '-') : `field-${key}`,
      message,
    }));
    const questions = item.event.id ? await listQuestions(ctx.db, item.event.id) : [];
    return views.render('events/show', {
      title: item.event.title,
      event,
      questions: { booking: questionFields(questions, 'booking', '', form as Record<string, unknown>, errors), attendee: questionFields(questions, 'attendee', 'seat_0_', form as Record<string, unknown>, errors) },
      form,
      errors,
      errorLinks,
      problem: isFieldError ? null : { code: error.code, message: error.message, isAlreadyBooked: error.code === 'already_booked', isRateLimited: error instanceof TooManyRequestsError },
      hasErrors: isFieldError,
    });
  }

  router.post('/events/:slug/register', async (req, res) => {
    const slug = parseSlug(req);
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      const fields = registrationFormFields(form);
      const request = await parseBookingRequest(ctx, slug, { buyer: fields, items: [{ attendee: fields, answers: answersFromForm(form, 'seat_0_') }], answers: answersFromForm(form, '') });
      const person = request.items[0].attendee;
      await limitBookings(ctx, req, res, [person.email]);
      const created = await createBooking(ctx, slug, request, { freeOnly: true, clientKey: clientKey(ctx.config, req) });
      await subscribeFromBookingForm(ctx, req, res, form, person.email);
      res.redirect(303, `/bookings/${created.booking.reference}?token=${encodeURIComponent(created.manageToken)}&new=1`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status === 404) throw error;
      prepareRefusal(res, error).status(error.status).type('html').send(await renderEventWithProblem(slug, form, error));
    }
  });

  router.post('/events/:slug/resend', async (req, res) => {
    const slug = parseSlug(req);
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      const { email } = parseInput(resendSchema, form);
      await limitResend(ctx, req, res, email);
      await resendConfirmation(ctx, slug, email);
      // Redirected, so a refresh asks for the page again instead of offering to send the form (and the email) again.
      res.redirect(303, `/events/${slug}/resent`);
    } catch (error) {
      if (!(error instanceof ValidationError) && !(error instanceof TooManyRequestsError)) throw error;
      prepareRefusal(res, error).status(error.status).type('html').send(await renderEventWithProblem(slug, form, error));
    }
  });

  /** Where a sent "resend my confirmation" form lands. It names no address: the page is public, the URL is logged. */
  router.get('/events/:slug/resent', async (req, res) => {
    const item = await getPublicEvent(ctx, parseSlug(req));
    res.type('html').send(views.render('bookings/resent', { title: 'Confirmation sent again', event: { title: item.event.title, slug: item.event.slug } }));
  });

  async function renderBookPage(slug: string, seats: SeatChoice[], form: Record<string, unknown>, errors: Record<string, string>, problem?: AppError, applied?: { code: string; discount: number; total: number; currency: string }) {
    const item = await withRevealedType(await getPublicEvent(ctx, slug), form);
    const questions = await listQuestions(ctx.db, item.event.id);
    const page = toBookPage(item, seats, form, errors, ctx.config.holdMinutes, ctx.clock.now(), questions);
    if (applied) {
      page.total = formatMoney(applied.total, applied.currency);
      page.discount = { ...page.discount, applied: `Code ${applied.code} applied: ${formatMoney(applied.discount, applied.currency)} off. The total below is after the discount.` };
    }
    return views.render('bookings/book', {
      title: `Book: ${item.event.title}`,
      page,
      terms: bookingTerms(item.event, ctx.config),
      hasErrors: Object.keys(errors).length > 0,
      errors,
      errorLinks: formErrorLinks(errors),
      problem: problem ? { code: problem.code, message: problem.message, isMembership: problem.code === 'membership_required', isCode: problem.code.startsWith('discount_code_') } : null,
      contactEmail: contactEmailFor(item.event, ctx.config),
      subscribeChecked: form.subscribe === 'on',
    });
  }

  /** The form's places may hold a hidden ticket type its code reveals (read only once that code has been counted). */
  async function withRevealedType(item: Awaited<ReturnType<typeof getPublicEvent>>, form: Record<string, unknown>) {
    if (!item.hasHiddenTicketTypes || typeof form.discount_code !== 'string' || !form.discount_code.trim()) return item;
    const revealed = await revealedTicketType(ctx, item.event.slug, form.discount_code);
    return revealed ? { ...item, ticketTypes: [...item.ticketTypes, { ...revealed, remaining: item.remaining }] } : item;
  }

  router.get('/events/:slug/book', async (req, res) => {
    const slug = parseSlug(req);
    // A code for a hidden ticket type (a speaker place), from the event page's small form: one place of that type.
    const typedCode = typeof req.query.code === 'string' ? req.query.code : '';
    if (typedCode.trim()) {
      try {
        const code = parseInput(z.object({ code: discountCodeText }), { code: typedCode }).code ?? '';
        const limit = await limitDiscountCode(ctx, req, res, code);
        const revealed = await revealedTicketType(ctx, slug, code);
        let refusal: AppError | undefined = revealed ? undefined : unknownCode(code);
        // The code is already known good for that place, so the form opens with the price after it (as "Apply code"
        // would show it): a speaker sees their free place, not the list price. A code with no uses left is refused here.
        let applied: Awaited<ReturnType<typeof previewBookingDiscount>> | undefined;
        if (revealed) {
          try {
            applied = await previewBookingDiscount(ctx, slug, { buyer: { name: '', email: '' }, items: [{ ticketTypeId: revealed.id, attendee: { name: '', email: '' } }], discountCode: code });
          } catch (error) {
            if (!(error instanceof AppError) || error.status !== 409) throw error;
            refusal = error;
          }
        }
        await limit.settle(refusal);
        if (refusal) throw refusal;
        res.type('html').send(await renderBookPage(slug, [{ ticketTypeId: revealed!.id }], { discount_code: code }, {}, undefined, applied));
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error;
        prepareRefusal(res, error).status(error.status).type('html').send(await renderEventWithProblem(slug, req.query, error));
      }
      return;
    }
    try {
      const wanted = parseQuantities(req.query as Record<string, unknown>);
      const seats = wanted.flatMap((w) => Array.from({ length: w.quantity }, () => ({ ticketTypeId: w.ticketTypeId })));
      res.type('html').send(await renderBookPage(slug, seats, {}, {}));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      res.status(422).type('html').send(await renderEventWithProblem(slug, req.query, error));
    }
  });

  router.post('/events/:slug/book', async (req, res) => {
    const slug = parseSlug(req);
    const form = (req.body ?? {}) as Record<string, unknown>;
    const request = bookingRequestFromForm(form);
    const seats = request.items.map((item) => ({ ticketTypeId: item.ticketTypeId ?? 0 }));
    // "Apply code": show the price after the code, keeping everything typed; nothing is booked. Counted like a booking
    // that names a code, so it cannot be used to guess codes faster.
    if (form.apply_code !== undefined) {
      try {
        request.discountCode = parseInput(z.object({ discountCode: discountCodeText }), { discountCode: request.discountCode }).discountCode;
        if (!request.discountCode) throw new ValidationError([{ path: 'discountCode', message: 'Type the code you were given, then choose Apply code' }]);
        const limit = await limitDiscountCode(ctx, req, res, request.discountCode);
        let applied: Awaited<ReturnType<typeof previewBookingDiscount>>;
        try {
          applied = await previewBookingDiscount(ctx, slug, request);
        } catch (error) {
          await limit.settle(error);
          throw error;
        }
        await limit.settle();
        res.type('html').send(await renderBookPage(slug, seats, form, {}, undefined, applied));
      } catch (error) {
        if (!(error instanceof AppError) || error.status === 404) throw error;
        const errors = formErrors(error instanceof ValidationError ? error : new ValidationError(error.details ?? []), form);
        prepareRefusal(res, error).status(error.status).type('html').send(await renderBookPage(slug, seats, form, errors, error instanceof ValidationError ? undefined : error));
      }
      return;
    }
    try {
      const input = await parseBookingRequest(ctx, slug, request);
      await limitBookings(ctx, req, res, emailsOf(input));
      const created = await bookWithDiscountCode(ctx, req, res, slug, input);
      await subscribeFromBookingForm(ctx, req, res, form, input.buyer.email);
      if (created.checkoutUrl) res.redirect(303, created.checkoutUrl);
      else res.redirect(303, `/bookings/${created.booking.reference}?token=${encodeURIComponent(created.manageToken)}&new=1`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status === 404) throw error;
      const details = error.code === 'membership_required' ? membershipFormDetails(error.details ?? []) : (error.details ?? []);
      const errors = formErrors(error instanceof ValidationError ? error : new ValidationError(details), form);
      prepareRefusal(res, error).status(error.status).type('html').send(await renderBookPage(slug, seats, form, errors, error instanceof ValidationError ? undefined : error));
    }
  });

  /** The private booking page; `flags` are one-off banners (just booked, just paid, just cancelled). */
  async function renderManagePage(view: BookingView, token: string, flags: { isNew?: boolean; paid?: boolean; justCancelled?: boolean; seatCancelled?: string; modeChanged?: boolean; problem?: string }) {
    const refunds = await ctx.payments.refunds(ctx.db, view.booking.id);
    const types = (await listTicketTypes(ctx.db, [view.event.id])).get(view.event.id) ?? [];
    const ticketNames = new Map(types.map((t) => [t.id, t.name]));
    // Certificates and feedback (issue 13), once the event has started: certificates/after-event.ts, views/partials/after-event.hbs.
    const afterEvent = await afterEventLinks(ctx, view, token);
    const answers = await listAnswers(ctx.db, [view.booking.id]);
    const page = toManagePage(view, token, ctx.clock.now(), { config: ctx.config, refunds, ticketNames, answers });
    // How each place takes part (hybrid events: switch while the other mode has room), the joining link, materials.
    const online = await manageOnlineParts(ctx, view, token);
    const attendees = page.attendees.map((a) => ({ ...a, ...(online.seats.get(a.id) ?? {}) }));
    // Each invoice, receipt and credit note, downloadable through the same private link.
    const documents = (await ctx.documents.ofBooking(view.booking.id)).map((d) => ({ ...d, url: `/bookings/${view.booking.reference}/documents/${d.number}.pdf?token=${encodeURIComponent(token)}` }));
    // "Pay by card instead" while a confirmed invoice booking's invoice still asks for something (pay-invoice.ts).
    const owed = view.booking.paymentMethod === 'invoice' && view.booking.status === 'confirmed' && ctx.payments.isAvailable ? await ctx.documents.invoiceOutstanding(ctx.db, view.booking.id) : 0;
    const payByCard = owed > 0 ? { url: invoicePayPath(view.booking.reference, token), amount: formatMoney(owed, view.booking.currency) } : null;
    return views.render('bookings/manage', { title: `Booking ${view.booking.reference}`, booking: { ...page, attendees }, afterEvent, online, documents, payByCard, ...flags });
  }

  const privatePage = (res: Response) => res.set('Referrer-Policy', 'no-referrer').set('Cache-Control', 'no-store').type('html');
  const managePath = (reference: string, token: string | undefined) => `/bookings/${reference}?token=${encodeURIComponent(token ?? '')}`;

  router.get('/bookings/:reference', links, async (req, res) => {
    const reference = parseReference(req);
    const token = bearerOrQueryToken(req);
    const view = await getBookingForHolder(ctx, reference, token);
    const isCancelledNow = req.query.cancelled === '1' && view.booking.status === 'cancelled';
    // After the buyer cancelled one place from its page: say whose, once (only a seat of this booking that is cancelled).
    const seatCancelled = view.attendees.find((a) => String(a.id) === req.query.seat_cancelled && a.status === 'cancelled')?.name;
    privatePage(res).send(await renderManagePage(view, token!, { isNew: req.query.new === '1', paid: req.query.paid === '1', justCancelled: isCancelledNow, seatCancelled, modeChanged: req.query.mode_changed === '1' }));
  });

  /** The payment link for a held place (an offer from the waitlist, or a buyer coming back to pay). */
  router.get('/bookings/:reference/pay', links, async (req, res) => {
    const reference = parseReference(req);
    const token = bearerOrQueryToken(req);
    try {
      res.redirect(303, await resumePayment(ctx, reference, token));
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      res.redirect(303, `/bookings/${reference}?token=${encodeURIComponent(token ?? '')}`);
    }
  });

  /** What cancelling does, before anything is done: "Keep my booking" first, then a form that confirms (no JavaScript). */
  router.get('/bookings/:reference/cancel', links, async (req, res) => {
    const reference = parseReference(req);
    const token = bearerOrQueryToken(req);
    try {
      const preview = await previewHolderCancel(ctx, reference, token);
      privatePage(res).send(views.render('bookings/cancel', { title: `Cancel booking ${reference}?`, page: toCancelPage(preview, token!) }));
    } catch (error) {
      // Already cancelled, or not cancellable here: the booking page says which, and what to do instead.
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      res.redirect(303, managePath(reference, token));
    }
  });

  router.post('/bookings/:reference/cancel', links, async (req, res) => {
    const reference = parseReference(req);
    const token = z.object({ token: tokenSchema }).safeParse(req.body ?? {}).data?.token;
    await cancelAsHolder(ctx, reference, token);
    res.redirect(303, `${managePath(reference, token)}&cancelled=1`);
  });

  /**
   * Moves one place of a hybrid event between the room and online (while the other mode has room), from the booking
   * page. The same request from a seat's own page (`from=seat`, or the seat's own token) is answered by seat-routes.ts.
   */
  router.post('/bookings/:reference/seats/:attendeeId/mode', links, async (req, res, next) => {
    const reference = parseReference(req);
    const form = modeSwitchSchema.safeParse(req.body ?? {});
    const attendeeId = z.coerce.number().int().positive().max(2_147_483_647).safeParse(req.params.attendeeId);
    const token = form.data?.token;
    if (!form.success || !attendeeId.success) throw new ValidationError([{ path: 'mode', message: 'Choose in person or online' }]);
    const seat = await getSeatForHolder(ctx, reference, attendeeId.data, token, { allowCancelled: true });
    if (form.data.from === 'seat' || seat.actor === 'holder') return next();
    try {
      await switchSeatMode(ctx, reference, token, attendeeId.data, form.data.mode);
      res.redirect(303, `${managePath(reference, token)}&mode_changed=1`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      const view = await getBookingForHolder(ctx, reference, token);
      prepareRefusal(res, error).status(409);
      privatePage(res).send(await renderManagePage(view, token!, { problem: error.message }));
    }
  });

  router.get('/bookings/:reference/attendees/:attendeeId/invite.ics', links, async (req, res) => {
    const reference = parseReference(req);
    const view = await getBookingForHolder(ctx, reference, bearerOrQueryToken(req));
    const attendee = view.attendees.find((a) => String(a.id) === req.params.attendeeId && a.status === 'active');
    if (!attendee || view.booking.status !== 'confirmed') throw new NotFoundError('not_found', 'There is no calendar entry for that place.');
    const booking = bookingNoteFor(ctx.config, view.booking, attendee);
    const body = buildPersonalCopy({ event: view.event, uid: attendee.icalUid, attendee, sequence: view.event.sequence, booking }, calendarContext(ctx));
    res.set('Cache-Control', 'no-store').type('text/calendar; charset=utf-8').set('Content-Disposition', `attachment; filename="${view.event.slug}.ics"`).send(body);
  });

  return router;
}

export function bookingApiRoutes(ctx: ServiceContext): Router {
  const router = Router();
  const links = limitLinks(ctx);

  router.post('/events/:slug/bookings', async (req, res) => {
    const { slug } = parseRequest(req, { params: z.object({ slug: slugSchema }), notFound: eventNotFound }).params;
    const request = await parseBookingRequest(ctx, slug, req.body ?? {});
    await limitBookings(ctx, req, res, emailsOf(request));
    const created = await bookWithDiscountCode(ctx, req, res, slug, request);
    res.status(201).json({ booking: toApiBooking(created, ctx.config, { checkoutUrl: created.checkoutUrl }) });
  });

  /** The event's registration questions, for a client building its own form (answers go in the booking's `answers`). */
  router.get('/events/:slug/questions', async (req, res) => {
    const event = await findEventBySlug(ctx.db, parseSlug(req));
    if (!event || (event.status !== 'published' && event.status !== 'cancelled')) throw eventNotFound();
    res.json({ questions: (await listQuestions(ctx.db, event.id)).map((q, _, all) => toApiQuestion(q, all)) });
  });

  router.get('/bookings/:reference', links, async (req, res) => {
    const view = await getBookingForHolder(ctx, parseReference(req), bearerOrQueryToken(req));
    // The holder's own answers, each with the wording it was given under (`attendeeId` null: a per-booking question).
    const answers = (await listAnswers(ctx.db, [view.booking.id])).map((a) => ({ questionId: a.questionId, attendeeId: a.attendeeId, question: a.label, answer: a.isRemoved ? null : a.text }));
    res.set('Cache-Control', 'no-store').json({ booking: { ...toApiBooking(view, ctx.config, { refunds: await ctx.payments.refunds(ctx.db, view.booking.id) }), answers } });
  });

  /** Cancels at once: an API client confirms on its own side. The answer's `booking.refund` says what comes back. */
  router.post('/bookings/:reference/cancel', links, async (req, res) => {
    const view = await cancelAsHolder(ctx, parseReference(req), bearerOrQueryToken(req));
    res.json({ booking: toApiBooking(view, ctx.config, { refunds: await ctx.payments.refunds(ctx.db, view.booking.id) }) });
  });

  return router;
}
