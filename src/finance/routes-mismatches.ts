import type { Request, Response } from 'express';
import { staffOf } from '../admin/auth/middleware';
import { formBody } from '../admin/params';
import type { GuardedRouter } from '../admin/route-table';
import type { ServiceContext } from '../context';
import { NotFoundError, ValidationError } from '../lib/errors';
import { fieldErrors, parseInput } from '../web/validate';
import type { Views } from '../web/views';
import { attachToBooking, explainMismatch, findExplainable, withdrawStatement } from './explanations';
import type { Mismatch } from './mismatches';
import { dateTime, mismatchView, money } from './present';
import { attachFormSchema, explainFormSchema, stripeObjectIdSchema } from './schemas';

type Page = (res: Response, name: string, model: Record<string, unknown>, status?: number) => Promise<void>;

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** Mark as explained, attach to a booking, undo: each a page that says what it will do, then a form post. */
export function financeMismatchRoutes(ctx: ServiceContext, _views: Views, routes: GuardedRouter, page: Page): void {
  const zone = ctx.config.timezone;
  const objectId = (req: Request) => {
    const id = stripeObjectIdSchema.safeParse(req.params.id);
    if (!id.success) throw new NotFoundError('mismatch_not_found', 'There is no open mismatch about that Stripe object.');
    return id.data;
  };
  const back = (res: Response, notice: 'explained' | 'attached' | 'withdrawn') => res.redirect(303, `/admin/finance/mismatches?notice=${notice}`);

  const explainPage = (res: Response, mismatch: Mismatch, form: { note: string }, errors: Record<string, string> = {}, status = 200) =>
    page(res, 'explain', { title: 'Mark as explained', nav: { mismatches: true }, mismatch: mismatchView(mismatch, zone, false), stripeId: mismatch.explainableId, form, errors, hasErrors: Object.keys(errors).length > 0 }, status);

  const attachPage = (res: Response, mismatch: Mismatch, form: { booking: string; note: string }, errors: Record<string, string> = {}, status = 200) =>
    page(
      res,
      'attach',
      {
        title: 'Attach to a booking',
        nav: { mismatches: true },
        mismatch: mismatchView(mismatch, zone, false),
        stripeId: mismatch.explainableId,
        candidates: mismatch.attachCandidates.map((b) => ({ reference: b.reference, eventTitle: b.eventTitle, amount: money(b.amount, b.currency), since: dateTime(b.at, zone), isChosen: b.reference === form.booking })),
        form,
        errors,
        hasErrors: Object.keys(errors).length > 0,
      },
      status,
    );

  routes.get('/finance/mismatches/:id/explain', 'finance:manage', async (req, res) => {
    await explainPage(res, await findExplainable(ctx, objectId(req)), { note: '' });
  });

  routes.post('/finance/mismatches/:id/explain', 'finance:manage', async (req, res) => {
    const id = objectId(req);
    const body = formBody(req);
    try {
      await explainMismatch(ctx, staffOf(res), id, parseInput(explainFormSchema, body));
      back(res, 'explained');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await explainPage(res, await findExplainable(ctx, id), { note: text(body.note) }, fieldErrors(error), 422);
    }
  });

  routes.get('/finance/mismatches/:id/attach', 'finance:manage', async (req, res) => {
    await attachPage(res, await findExplainable(ctx, objectId(req)), { booking: '', note: '' });
  });

  routes.post('/finance/mismatches/:id/attach', 'finance:manage', async (req, res) => {
    const id = objectId(req);
    const body = formBody(req);
    try {
      await attachToBooking(ctx, staffOf(res), id, parseInput(attachFormSchema, body));
      back(res, 'attached');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await attachPage(res, await findExplainable(ctx, id), { booking: text(body.booking), note: text(body.note) }, fieldErrors(error), 422);
    }
  });

  routes.post('/finance/mismatches/:id/withdraw', 'finance:manage', async (req, res) => {
    await withdrawStatement(ctx, staffOf(res), objectId(req));
    back(res, 'withdrawn');
  });
}
