import type { Request, Response } from 'express';
import { staffOf } from '../admin/auth/middleware';
import { formBody } from '../admin/params';
import { renderAdmin } from '../admin/render';
import type { GuardedRouter } from '../admin/route-table';
import type { ServiceContext } from '../context';
import { ConflictError, ValidationError } from '../lib/errors';
import { fieldErrors, parseInput } from '../web/validate';
import type { Views } from '../web/views';
import { getFinanceBooking } from './booking';
import { bookingPageModel } from './booking-page';
import type { FinanceFormName } from './booking-present';
import { todayIn } from './period';
import { referenceParam } from './http';
import { recordInvoicePayment, writeOffInvoice } from './invoices';
import { refreshBookingFromStripe, refundAsStaff } from './refund';
import { invoicePaymentFormSchema, refundFormSchema, writeOffFormSchema } from './schemas';
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

  routes.post('/finance/bookings/:reference/refund', 'finance:manage', async (req, res) => {
    const reference = referenceParam(req);
    try {
      await refundAsStaff(ctx, staffOf(res), reference, parseInput(refundFormSchema, formBody(req)));
      done(res, reference, 'refunded');
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      await rerender(req, res, 'refundForm', error);
    }
  });

  routes.post('/finance/bookings/:reference/invoice-payment', 'finance:manage', async (req, res) => {
    const reference = referenceParam(req);
    try {
      const { outstanding } = await recordInvoicePayment(ctx, staffOf(res), reference, parseInput(invoicePaymentFormSchema, formBody(req)));
      done(res, reference, outstanding === 0 ? 'invoice_paid' : 'invoice_part_paid');
    } catch (error) {
      if (!isFormProblem(error)) throw error;
      await rerender(req, res, 'invoiceForm', error);
    }
  });

  routes.post('/finance/bookings/:reference/write-off', 'finance:manage', async (req, res) => {
    const reference = referenceParam(req);
    try {
      await writeOffInvoice(ctx, staffOf(res), reference, parseInput(writeOffFormSchema, formBody(req)).reason);
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

  routes.post('/finance/sync', 'finance:manage', async (_req, res) => {
    if (!ctx.stripe) throw new ConflictError('stripe_not_configured', 'Stripe is not configured on this server, so there is nothing to sync.');
    const report = await syncStripe({ db: ctx.db, clock: ctx.clock, stripe: ctx.stripe, logger: ctx.logger });
    res.redirect(303, `/admin/finance?notice=${report.skipped ? 'sync_running' : 'synced'}`);
  });
}
