import type { Request, Response } from 'express';
import { staffOf } from '../admin/auth/middleware';
import { formBody } from '../admin/params';
import { renderAdmin } from '../admin/render';
import type { GuardedRouter } from '../admin/route-table';
import type { ServiceContext } from '../context';
import { ConflictError, ValidationError } from '../lib/errors';
import { fieldErrors, parseInput } from '../web/validate';
import type { Views } from '../web/views';
import { getFinanceBooking, type FinanceBooking } from './booking';
import { findCardLast4 } from './booking-queries';
import { bookingPageModel } from './booking-page';
import type { FinanceFormName } from './booking-present';
import { todayIn } from './period';
import { referenceParam } from './http';
import { checkInvoicePayment, recordInvoicePayment, writeOffInvoice } from './invoices';
import { amountText, checkRefund, invoicePaymentReview, refundReview, writeOffReview, type Review } from './reviews';
import { refreshBookingFromStripe, refundAsStaff } from './refund';
import { invoicePaymentFormSchema, refundFormSchema, syncBackSchema, writeOffFormSchema } from './schemas';
import { syncStripe } from './sync';

/** The treasurer's changes. Each form that fails comes back at 422 with its errors beside the fields and what was typed. */
export function financeActionRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  const zone = ctx.config.timezone;

  /** A form's own problem: re-rendered beside the form. Anything else goes to the error handler. */
  const isFormProblem = (error: unknown): error is ValidationError | ConflictError => error instanceof ValidationError || error instanceof ConflictError;
  const rerender = async (req: Request, res: Response, form: FinanceFormName, error: ValidationError | ConflictError) => {
    const view = await getFinanceBooking(ctx, referenceParam(req));
    const posted = { form, body: formBody(req), errors: error instanceof ValidationError ? fieldErrors(error) : {}, problem: error instanceof ConflictError ? error.message : null };
    renderAdmin(views, res, 'finance/booking', bookingPageModel(view, zone, todayIn(ctx.clock.now(), zone), posted, true), error.status);
  };

  const done = (res: Response, reference: string, notice: 'refunded' | 'invoice_paid' | 'invoice_part_paid' | 'written_off' | 'refreshed') => res.redirect(303, `/admin/finance/bookings/${reference}?notice=${notice}`);

  type ReviewKind = 'refund' | 'invoice' | 'writeOff';
  /** The review page: what will happen, the values still editable, and the confirm button (reviews.ts). */
  const showReview = (req: Request, res: Response, kind: ReviewKind, view: FinanceBooking, review: Review, form: Record<string, unknown>) => {
    const posted = formBody(req).reviewed;
    const attendeeIds = ([] as unknown[]).concat(form.attendeeIds ?? []).map(String);
    renderAdmin(views, res, 'finance/review', {
      title: review.heading,
      nav: {},
      kind: { [kind]: true },
      reference: view.booking.reference,
      action: `/admin/finance/bookings/${view.booking.reference}/${kind === 'refund' ? 'refund' : kind === 'invoice' ? 'invoice-payment' : 'write-off'}`,
      review,
      changed: typeof posted === 'string' && posted !== '' && posted !== review.reviewed,
      form: { ...form, attendeeIds },
      canManage: true,
    });
  };

  routes.post('/finance/bookings/:reference/refund', 'finance:manage', async (req, res) => {
    const reference = referenceParam(req);
    const body = formBody(req);
    try {
      const input = parseInput(refundFormSchema, body);
      const view = await getFinanceBooking(ctx, reference);
      checkRefund(view, input);
      const chargeId = view.payments.filter((p) => p.method === 'card').at(-1)?.chargeId;
      const review = refundReview(view, input, chargeId ? await findCardLast4(ctx.db, chargeId) : null);
      if (body.reviewed !== review.reviewed) return showReview(req, res, 'refund', view, review, { amount: amountText(input.amount), reason: input.reason, attendeeIds: input.attendeeIds });
      await refundAsStaff(ctx, staffOf(res), reference, input);
      done(res, reference, 'refunded');
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      await rerender(req, res, 'refundForm', error);
    }
  });

  routes.post('/finance/bookings/:reference/invoice-payment', 'finance:manage', async (req, res) => {
    const reference = referenceParam(req);
    const body = formBody(req);
    try {
      const input = parseInput(invoicePaymentFormSchema, body);
      const view = await getFinanceBooking(ctx, reference);
      checkInvoicePayment(ctx, view, input);
      const review = invoicePaymentReview(view, input, zone);
      if (body.reviewed !== review.reviewed) return showReview(req, res, 'invoice', view, review, { paidOn: input.paidOn, amount: amountText(input.amount), bankReference: input.bankReference });
      const { outstanding } = await recordInvoicePayment(ctx, staffOf(res), reference, input);
      done(res, reference, outstanding === 0 ? 'invoice_paid' : 'invoice_part_paid');
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      await rerender(req, res, 'invoiceForm', error);
    }
  });

  routes.post('/finance/bookings/:reference/write-off', 'finance:manage', async (req, res) => {
    const reference = referenceParam(req);
    const body = formBody(req);
    try {
      const input = parseInput(writeOffFormSchema, body);
      const view = await getFinanceBooking(ctx, reference);
      if (!view.invoice.outstanding) throw new ConflictError('invoice_not_outstanding', 'This invoice is no longer outstanding: it has been paid, credited or written off already.');
      const review = writeOffReview(view);
      if (body.reviewed !== review.reviewed) return showReview(req, res, 'writeOff', view, review, { reason: input.reason });
      await writeOffInvoice(ctx, staffOf(res), reference, input.reason);
      done(res, reference, 'written_off');
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      await rerender(req, res, 'writeOffForm', error);
    }
  });

  routes.post('/finance/bookings/:reference/refresh', 'finance:manage', async (req, res) => {
    const reference = referenceParam(req);
    try {
      await refreshBookingFromStripe(ctx, staffOf(res), reference);
      done(res, reference, 'refreshed');
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      await rerender(req, res, 'refundForm', error);
    }
  });

  routes.post('/finance/sync', 'finance:manage', async (req, res) => {
    if (!ctx.stripe) throw new ConflictError('stripe_not_configured', 'Stripe is not configured on this server, so there is nothing to sync.');
    const report = await syncStripe({ db: ctx.db, clock: ctx.clock, stripe: ctx.stripe, logger: ctx.logger });
    // Back to the finance page the button was on (a path of ours only), with the notice.
    const back = syncBackSchema.catch('/admin/finance').parse(formBody(req).back);
    res.redirect(303, `${back}?notice=${report.skipped ? 'sync_running' : 'synced'}`);
  });
}
