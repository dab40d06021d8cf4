import { answerLines } from './question-present';
import { listAnswers } from './questions';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../context';
import { listTicketTypes } from '../events/queries';
import { AppError, ConflictError, ValidationError } from '../lib/errors';
import { formatRange } from '../lib/time';
import { limitLinks } from '../web/rate-limit';
import { fieldErrors, parseInput, parseRequest } from '../web/validate';
import type { Views } from '../web/views';
import type { InvoiceCreditHook } from './cancel';
import { modeSwitchSchema, referenceSchema, seatDetailsSchema, tokenSchema } from './schemas';
import { switchSeatMode } from './mode-switch';
import { seatOnlineParts } from '../online/manage';
import { toSeatCancelledPage, toSeatCancelPage, toSeatPage } from './seat-present';
import { cancelSeatAsHolder, changeSeatDetails, getSeatForHolder, previewSeatCancel, seatCancelRefusal, seatChangeRefusal, type SeatView } from './seats';
import { bookingNotFound } from './view';
import { afterEventLinks } from '../certificates/after-event';

export interface SeatRouteOptions {
  /** How an invoice booking's invoice is credited when one of its places is cancelled (finance/ provides it); `by` names who cancelled. */
  invoiceCredit?: (by: string) => InvoiceCreditHook;
}

const seatParams = z.object({ reference: referenceSchema, attendeeId: z.coerce.number().int().positive().max(2_147_483_647) });

function parseSeat(req: Request): { reference: string; attendeeId: number } {
  return parseRequest(req, { params: seatParams, notFound: bookingNotFound }).params;
}

const queryToken = (req: Request) => (typeof req.query.token === 'string' && tokenSchema.safeParse(req.query.token).success ? req.query.token : undefined);
const bodyToken = (req: Request) => z.object({ token: tokenSchema }).safeParse(req.body ?? {}).data?.token;

/**
 * A seat's own pages (issue 15, "Seats of their own"): `/bookings/:reference/seats/:attendeeId?token=…`, opened with the
 * seat's own link or the booking's. An unknown or cancelled seat and a wrong token are refused alike (404
 * `booking_not_found`), as a booking link is.
 */
export function seatPageRoutes(ctx: ServiceContext, views: Views, options: SeatRouteOptions = {}): Router {
  const router = Router();
  const links = limitLinks(ctx);
  const privatePage = (res: Response) => res.set('Referrer-Policy', 'no-referrer').set('Cache-Control', 'no-store').type('html');
  // Who cancelled, for the credit's record and the audit log: a role and an id, never an email (short, and no copy of it).
  const creditFor = (view: SeatView) => options.invoiceCredit?.(view.actor === 'holder' ? `attendee of seat ${view.seat.id}` : `buyer of booking ${view.booking.reference}`);

  async function renderSeat(view: SeatView, token: string, extra: { form?: Record<string, unknown>; errors?: Record<string, string>; problem?: string; saved?: boolean; passedOn?: boolean; modeChanged?: boolean } = {}) {
    const now = ctx.clock.now();
    const types = (await listTicketTypes(ctx.db, [view.event.id])).get(view.event.id) ?? [];
    const page = toSeatPage(
      view,
      token,
      {
        config: ctx.config,
        now,
        ticketName: types.find((t) => t.id === view.seat.ticketTypeId)?.name ?? 'Place',
        refusal: seatChangeRefusal(ctx, view, now)?.message ?? null,
        cancelRefusal: seatCancelRefusal(ctx, view, now)?.message ?? null,
      },
      extra.form ?? null,
      extra.errors ?? {},
    );
    // This place's certificate and feedback links (issue 13), once the event has started.
    const afterEvent = await afterEventLinks(ctx, { ...view, attendees: [view.seat] }, token);
    // This place's own answers (a per-booking answer is the buyer's, who may be someone else).
    const answers = answerLines((await listAnswers(ctx.db, [view.booking.id])).filter((a) => a.attendeeId === view.seat.id), { showSensitive: true });
    // How this place takes part (hybrid: the switch), the holder's own joining link, materials (online/manage.ts).
    const online = await seatOnlineParts(ctx, view, token);
    return views.render('bookings/seat', { title: `Place at ${view.event.title}`, page, afterEvent, answers, online, problem: extra.problem, saved: extra.saved, passedOn: extra.passedOn, modeChanged: extra.modeChanged });
  }

  router.get('/bookings/:reference/seats/:attendeeId', links, async (req, res) => {
    const { reference, attendeeId } = parseSeat(req);
    const token = queryToken(req);
    const view = await getSeatForHolder(ctx, reference, attendeeId, token);
    privatePage(res).send(await renderSeat(view, token!, { saved: req.query.saved === '1', passedOn: req.query.passed === '1', modeChanged: req.query.mode_changed === '1' }));
  });

  /** A hybrid place moving to the other mode from its own page (routes.ts passes it here; the buyer's page is there). */
  router.post('/bookings/:reference/seats/:attendeeId/mode', links, async (req, res) => {
    const { reference, attendeeId } = parseSeat(req);
    const form = modeSwitchSchema.safeParse(req.body ?? {});
    if (!form.success) throw new ValidationError([{ path: 'mode', message: 'Choose in person or online' }]);
    const { token, mode } = form.data;
    try {
      await switchSeatMode(ctx, reference, token, attendeeId, mode);
      res.redirect(303, `/bookings/${reference}/seats/${attendeeId}?token=${encodeURIComponent(token)}&mode_changed=1`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      const view = await getSeatForHolder(ctx, reference, attendeeId, token);
      privatePage(res).status(409).send(await renderSeat(view, token, { problem: error.message }));
    }
  });

  router.post('/bookings/:reference/seats/:attendeeId', links, async (req, res) => {
    const { reference, attendeeId } = parseSeat(req);
    const token = bodyToken(req);
    const view = await getSeatForHolder(ctx, reference, attendeeId, token);
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      const details = parseInput(seatDetailsSchema, form);
      const outcome = await changeSeatDetails(ctx, reference, attendeeId, token, details);
      if (outcome.isPassedOn && view.actor === 'holder') {
        // The link used belongs to the old email and no longer opens the place: say what happened, here, once.
        const { event } = outcome.view;
        const page = { event: { title: event.title, when: formatRange(event.startsAt, event.endsAt, event.timezone) }, newEmail: outcome.view.seat.email };
        privatePage(res).send(views.render('bookings/seat-passed-on', { title: 'Your place has been passed on', page }));
        return;
      }
      res.redirect(303, `/bookings/${reference}/seats/${attendeeId}?token=${encodeURIComponent(token!)}&saved=1${outcome.isPassedOn ? '&passed=1' : ''}`);
    } catch (error) {
      if (!(error instanceof ValidationError) && !(error instanceof ConflictError)) throw error;
      const errors = error instanceof ValidationError ? fieldErrors(error) : Object.fromEntries((error.details ?? []).map((d) => [d.path, d.message]));
      const problem = error instanceof ConflictError && !error.details?.length ? error.message : undefined;
      privatePage(res).status(error.status).send(await renderSeat(view, token!, { form, errors, problem }));
    }
  });

  router.get('/bookings/:reference/seats/:attendeeId/cancel', links, async (req, res) => {
    const { reference, attendeeId } = parseSeat(req);
    const token = queryToken(req);
    const view = await getSeatForHolder(ctx, reference, attendeeId, token);
    try {
      const preview = await previewSeatCancel(ctx, reference, attendeeId, token, creditFor(view));
      privatePage(res).send(views.render('bookings/seat-cancel', { title: `Cancel ${preview.view.seat.name}'s place?`, page: toSeatCancelPage(preview, token!) }));
    } catch (error) {
      // Past the cut-off, or not cancellable on its own: the seat page says why.
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      res.redirect(303, `/bookings/${reference}/seats/${attendeeId}?token=${encodeURIComponent(token!)}`);
    }
  });

  router.post('/bookings/:reference/seats/:attendeeId/cancel', links, async (req, res) => {
    const { reference, attendeeId } = parseSeat(req);
    const token = bodyToken(req);
    const view = await getSeatForHolder(ctx, reference, attendeeId, token, { allowCancelled: true });
    const t = encodeURIComponent(token!);
    const after = await cancelSeatAsHolder(ctx, reference, attendeeId, token, creditFor(view)).catch((error: unknown) => {
      // Past the cut-off meanwhile: the seat page says why, and what to do instead.
      if (error instanceof AppError && error.status === 409) return null;
      throw error;
    });
    if (!after) {
      res.redirect(303, `/bookings/${reference}/seats/${attendeeId}?token=${t}`);
      return;
    }
    res.redirect(303, after.actor === 'buyer' ? `/bookings/${reference}?token=${t}&seat_cancelled=${attendeeId}` : `/bookings/${reference}/seats/${attendeeId}/cancelled?token=${t}`);
  });

  /** After its holder cancelled it: the seat's link opens this page only, which shows nothing more than what happened. */
  router.get('/bookings/:reference/seats/:attendeeId/cancelled', links, async (req, res) => {
    const { reference, attendeeId } = parseSeat(req);
    const token = queryToken(req);
    const view = await getSeatForHolder(ctx, reference, attendeeId, token, { allowCancelled: true });
    if (view.seat.status === 'active') {
      res.redirect(303, `/bookings/${reference}/seats/${attendeeId}?token=${encodeURIComponent(token!)}`);
      return;
    }
    const refunds = await ctx.payments.refunds(ctx.db, view.booking.id);
    privatePage(res).send(views.render('bookings/seat-cancelled', { title: 'Place cancelled', page: toSeatCancelledPage(view, refunds) }));
  });

  return router;
}
