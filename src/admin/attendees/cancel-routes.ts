import type { Request, Response } from 'express';
import { z } from 'zod';
import { referenceSchema, toApiBooking } from '../../bookings';
import type { ServiceContext } from '../../context';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { fieldErrors, parseRequest } from '../../web/validate';
import type { Views } from '../../web/views';
import { staffOf } from '../auth/middleware';
import { formBody } from '../params';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { cancelAsStaff, previewStaffCancel } from './cancel';
import { cancelNoticeQuery, cancelPageView } from './cancel-present';
import { cancelPageQuerySchema, staffCancelApiSchema, staffCancelFormSchema } from './schemas';

const bookingParams = z.object({ reference: referenceSchema });
const noBooking = () => new NotFoundError('booking_not_found', 'No booking with that reference.');

function referenceParam(req: Request): string {
  return parseRequest(req, { params: bookingParams, notFound: noBooking }).params.reference;
}

/** "Cancel this booking" / "Cancel this seat": a confirmation page with the refund choices and their amounts, then the form. */
export function cancelRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  const renderPage = async (res: Response, reference: string, seatId: number | undefined, form: { refund?: string; reason?: string }, errors: Record<string, string> = {}, status = 200) => {
    const preview = await previewStaffCancel(ctx, staffOf(res), reference, seatId);
    const page = cancelPageView(preview, form, seatId);
    const title = preview.isWhole ? `Cancel booking ${reference}` : `Cancel ${preview.seats[0]?.name ?? 'a place'} (${reference})`;
    renderAdmin(views, res, 'booking-cancel', { title, page, errors, hasErrors: Object.keys(errors).length > 0 }, status);
  };

  const renderProblem = (res: Response, reference: string, error: ConflictError | ValidationError) => {
    const message = error instanceof ValidationError ? (error.details ?? []).map((d) => d.message).join(' ') || error.message : error.message;
    renderAdmin(views, res, 'problem', { title: `Could not cancel ${reference}`, message, back: '/admin' }, error.status);
  };

  routes.get('/bookings/:reference/cancel', 'bookings:cancel', async (req, res) => {
    const reference = referenceParam(req);
    try {
      const { seat } = parseRequest(req, { query: cancelPageQuerySchema }).query;
      await renderPage(res, reference, seat, {});
    } catch (error) {
      if (!(error instanceof ConflictError) && !(error instanceof ValidationError)) throw error;
      renderProblem(res, reference, error);
    }
  });

  /** A form that fails its own checks comes back with the errors beside the fields; any other refusal is a problem page. */
  const answerRefusal = async (res: Response, reference: string, body: Record<string, unknown>, error: unknown) => {
    if (!(error instanceof ConflictError) && !(error instanceof ValidationError)) throw error;
    const isFormError = error instanceof ValidationError && (error.details ?? []).every((d) => ['refund', 'reason'].includes(d.path));
    if (!isFormError) return renderProblem(res, reference, error);
    const seat = typeof body.seat === 'string' && /^\d{1,9}$/.test(body.seat) ? Number(body.seat) : undefined;
    const typed = { refund: typeof body.refund === 'string' ? body.refund : undefined, reason: typeof body.reason === 'string' ? body.reason : undefined };
    try {
      await renderPage(res, reference, seat, typed, fieldErrors(error), 422);
    } catch (pageError) {
      if (!(pageError instanceof ConflictError) && !(pageError instanceof ValidationError)) throw pageError;
      renderProblem(res, reference, pageError);
    }
  };

  routes.post('/bookings/:reference/cancel', 'bookings:cancel', async (req, res) => {
    const reference = referenceParam(req);
    const body = formBody(req);
    try {
      const input = parseRequest(req, { body: staffCancelFormSchema }).body;
      const { view, outcome } = await cancelAsStaff(ctx, staffOf(res), reference, { attendeeIds: input.seat === undefined ? undefined : [input.seat], refund: input.refund, reason: input.reason });
      res.redirect(303, cancelNoticeQuery(view, outcome));
    } catch (error) {
      if (!(error instanceof ConflictError) && !(error instanceof ValidationError)) throw error;
      await answerRefusal(res, reference, body, error);
    }
  });
}

/** POST /api/v1/admin/bookings/:reference/cancel: the same for scripts; answers the booking as it now stands. */
export function cancelApiRoutes(ctx: ServiceContext, routes: GuardedRouter): void {
  routes.post('/bookings/:reference/cancel', 'bookings:cancel', async (req, res) => {
    const { params, body: input } = parseRequest(req, { params: bookingParams, body: staffCancelApiSchema, notFound: noBooking });
    const { view, outcome } = await cancelAsStaff(ctx, staffOf(res), params.reference, input);
    res.json({
      booking: toApiBooking(view, ctx.config),
      cancellation: {
        attendeeIds: outcome.cancelled.map((a) => a.id),
        refund: input.refund,
        refundAmount: outcome.refundAmount,
        creditAmount: outcome.creditAmount,
        feeKept: outcome.feeKept,
      },
    });
  });
}
