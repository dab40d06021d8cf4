import type { Response } from 'express';
import { z } from 'zod';
import { staffOf } from '../admin/auth/middleware';
import { formBody } from '../admin/params';
import { renderAdmin } from '../admin/render';
import type { GuardedRouter } from '../admin/route-table';
import { recordAudit } from '../admin/audit/log';
import type { ServiceContext } from '../context';
import { ConflictError, ValidationError } from '../lib/errors';
import { emailText } from '../lib/text';
import { fieldErrors, parseInput } from '../web/validate';
import type { Views } from '../web/views';
import { collectPersonalData } from './collect';
import { erasePerson, previewErasure } from './erase';
import { writePersonalDataZip } from './export';

const emailForm = z.object({ email: emailText('Enter the email address the person used, like name@example.org') });
const eraseForm = emailForm.extend({ confirm: z.literal('on', { message: 'Tick the box to confirm you have checked who is asking' }) });

/** The file name of an export: the address's safe characters and the date (no path, no quote). */
const exportName = (email: string, now: Date) => `personal-data-${email.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}-${now.toISOString().slice(0, 10)}.zip`;

/**
 * The administrators' Personal data page: download everything held about one address (a ZIP with JSON and a readable
 * page), and erase a person on request after a review of what will happen. Both are audited without the data.
 */
export function privacyRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  /** The page, with either form's input and errors (`exportErrors` or `eraseErrors`), each linked from the summary. */
  const page = (res: Response, extra: { exportForm?: object; exportErrors?: Record<string, string>; eraseForm?: object; eraseErrors?: Record<string, string>; [key: string]: unknown } = {}, status = 200) => {
    const links = [
      ...Object.entries(extra.exportErrors ?? {}).map(([, message]) => ({ href: '#field-email', message })),
      ...Object.entries(extra.eraseErrors ?? {}).map(([key, message]) => ({ href: key === 'confirm' ? '#field-confirm' : '#field-erase-email', message })),
    ];
    renderAdmin(views, res, 'privacy/index', { title: 'Personal data', exportForm: {}, exportErrors: {}, eraseForm: {}, eraseErrors: {}, ...extra, errorLinks: links, hasErrors: links.length > 0 }, status);
  };

  routes.get('/privacy', 'privacy:manage', (_req, res) => page(res));

  routes.post('/privacy/export', 'privacy:manage', async (req, res) => {
    const body = formBody(req);
    let email: string;
    try {
      email = parseInput(emailForm, body).email;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return page(res, { exportForm: body, exportErrors: fieldErrors(error) }, 422);
    }
    const now = ctx.clock.now();
    const data = await collectPersonalData(ctx.db, email, now);
    await recordAudit(ctx.db, staffOf(res), { action: 'personal_data_exported', targetType: 'person', details: { bookingsMade: data.bookingsMade.length, places: data.places.length, emails: data.emails.length } }, now);
    res.set({ 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${exportName(data.email, now)}"`, 'Cache-Control': 'no-store' });
    await writePersonalDataZip(data, views, res);
  });

  routes.post('/privacy/erase', 'privacy:manage', async (req, res) => {
    const body = formBody(req);
    try {
      if (body.step !== 'erase') {
        const { email } = parseInput(emailForm, body);
        return page(res, { eraseForm: body, preview: await previewErasure(ctx, email) });
      }
      const { email } = parseInput(eraseForm, body);
      const report = await erasePerson(ctx, staffOf(res), email);
      page(res, { erased: report });
    } catch (error) {
      if (error instanceof ValidationError) {
        const preview = body.step === 'erase' && typeof body.email === 'string' && emailForm.safeParse(body).success ? await previewErasure(ctx, body.email) : undefined;
        return page(res, { eraseForm: body, eraseErrors: fieldErrors(error), preview }, 422);
      }
      if (error instanceof ConflictError) return page(res, { eraseForm: body, problem: error.message }, 409);
      throw error;
    }
  });
}
