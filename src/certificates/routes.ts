import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { referenceSchema, tokenSchema } from '../bookings/schemas';
import { getSeatForHolder, type SeatView } from '../bookings/seats';
import { bookingNotFound } from '../bookings/view';
import type { ServiceContext } from '../context';
import { contactEmailFor } from '../events/terms';
import { AppError, ValidationError } from '../lib/errors';
import { singleLineText } from '../lib/text';
import { formatDate, formatRange } from '../lib/time';
import { attendeeSurveyUrl } from '../feedback/links';
import { limitLinks } from '../web/rate-limit';
import { fieldErrors, parseInput, parseRequest } from '../web/validate';
import type { Views } from '../web/views';
import { formatCode } from './codes';
import { cpdHoursText, certificateWhen } from './pdf';
import { certificateForSeat, correctNameOnCertificate, downloadCertificate, unprintableNameMessage, verifyCertificate } from './service';

const seatParams = z.object({ reference: referenceSchema, attendeeId: z.coerce.number().int().positive().max(2_147_483_647) });
const parseSeat = (req: Request) => parseRequest(req, { params: seatParams, notFound: bookingNotFound }).params;
const queryToken = (req: Request) => (typeof req.query.token === 'string' && tokenSchema.safeParse(req.query.token).success ? req.query.token : undefined);
const bodyToken = (req: Request) => z.object({ token: tokenSchema }).safeParse(req.body ?? {}).data?.token;

const nameSchema = z.object({
  name: singleLineText(200, { tooLong: 'Write the name in at most 200 characters' })
    .min(1, 'Enter the name as it should appear on the certificate')
    .superRefine((name, c) => {
      const unprintable = unprintableNameMessage(name);
      if (unprintable) c.addIssue({ code: 'custom', message: unprintable });
    }),
});
const codeSchema = z.preprocess((v) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : ''), singleLineText(60, { tooLong: 'A verification code is 20 letters and digits' }));

/**
 * The attendee's certificate pages, opened with the seat's own link or the booking's (as every seat page is), and the
 * public verification page. Every route is counted against the private-link limit (web/rate-limit.ts `limitLinks`), so
 * codes and tokens cannot be tried in bulk.
 */
export function certificateRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();
  const links = limitLinks(ctx);
  const privatePage = (res: Response) => res.set('Referrer-Policy', 'no-referrer').set('Cache-Control', 'no-store').type('html');
  // A cancelled place is found too, so that it is told why it has no certificate (403) rather than "no such booking".
  const seatOf = (req: Request, token: string | undefined) => getSeatForHolder(ctx, parseSeat(req).reference, parseSeat(req).attendeeId, token, { allowCancelled: true });

  async function renderPage(view: SeatView, token: string, extra: { errors?: Record<string, string>; typedName?: string; saved?: boolean; problem?: string } = {}) {
    const found = await certificateForSeat(ctx, view);
    const base = `/bookings/${view.booking.reference}/seats/${view.seat.id}`;
    const certificate = found.state === 'available'
      ? {
          name: found.certificate.name,
          hours: cpdHoursText(found.settings.cpdMinutes),
          topics: found.settings.topics,
          when: certificateWhen(view.event),
          code: formatCode(found.certificate.code),
          verifyPath: `/certificates/verify?code=${formatCode(found.certificate.code)}`,
          downloadUrl: `${base}/certificate.pdf?token=${encodeURIComponent(token)}`,
          canCorrect: found.certificate.firstDownloadedAt === null,
          unprintable: found.certificate.firstDownloadedAt === null ? unprintableNameMessage(found.certificate.name) : null,
          downloadedOn: found.certificate.firstDownloadedAt ? formatDate(found.certificate.firstDownloadedAt, view.event.timezone) : null,
          nameField: { id: 'field-name', name: 'name', value: extra.typedName ?? found.certificate.name, error: extra.errors?.name ?? (extra.typedName === undefined && found.certificate.firstDownloadedAt === null ? (unprintableNameMessage(found.certificate.name) ?? undefined) : undefined) },
        }
      : null;
    const surveyUrl = view.seat.status === 'active' ? await attendeeSurveyUrl(ctx, { event: view.event, reference: view.booking.reference, seat: view.seat }) : null;
    return views.render('certificates/certificate', {
      title: `Certificate of attendance: ${view.event.title}`,
      page: {
        event: { title: view.event.title, when: formatRange(view.event.startsAt, view.event.endsAt, view.event.timezone) },
        refusal: found.state === 'refused' ? found.message : null,
        certificate,
        action: `${base}/certificate`,
        token,
        surveyPath: surveyUrl ? surveyUrl.slice(ctx.config.publicUrl.length) : null,
        seatPath: view.seat.status === 'active' ? `${base}?token=${encodeURIComponent(token)}` : null,
        contactEmail: contactEmailFor(view.event, ctx.config),
        hasErrors: Boolean(extra.errors && Object.keys(extra.errors).length > 0),
        errors: extra.errors ?? {},
      },
      saved: extra.saved,
      problem: extra.problem,
    });
  }

  router.get('/bookings/:reference/seats/:attendeeId/certificate', links, async (req, res) => {
    const token = queryToken(req);
    const view = await seatOf(req, token);
    privatePage(res).send(await renderPage(view, token!, { saved: req.query.saved === '1' }));
  });

  router.get('/bookings/:reference/seats/:attendeeId/certificate.pdf', links, async (req, res) => {
    const view = await seatOf(req, queryToken(req));
    const { pdf, filename } = await downloadCertificate(ctx, view);
    res.set('Cache-Control', 'no-store').set('Referrer-Policy', 'no-referrer').type('application/pdf').set('Content-Disposition', `attachment; filename="${filename}"`).send(pdf);
  });

  /** Correcting the spelling of the name printed, until the first download. */
  router.post('/bookings/:reference/seats/:attendeeId/certificate', links, async (req, res) => {
    const token = bodyToken(req);
    const view = await seatOf(req, token);
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      const { name } = parseInput(nameSchema, form);
      await correctNameOnCertificate(ctx, view, name);
      res.redirect(303, `/bookings/${view.booking.reference}/seats/${view.seat.id}/certificate?token=${encodeURIComponent(token!)}&saved=1`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status === 404 || error.status === 401) throw error;
      const typedName = typeof form.name === 'string' ? form.name : '';
      const extra = error instanceof ValidationError ? { errors: fieldErrors(error), typedName } : { problem: error.message, typedName };
      privatePage(res).status(error.status).send(await renderPage(view, token!, extra));
    }
  });

  /** Public: anyone with a code (typed, or from the link printed on the certificate) sees whose certificate it is. */
  router.get('/certificates/verify', links, async (req, res) => {
    // Text that is not even a code (too long, control characters) is answered as any unknown code is: not valid.
    const parsed = codeSchema.safeParse(req.query.code);
    const typed = parsed.success ? parsed.data.trim() : String(req.query.code ?? '').slice(0, 60);
    const found = parsed.success && typed ? await verifyCertificate(ctx, typed) : null;
    res.set('Referrer-Policy', 'no-referrer').set('Cache-Control', 'no-store').type('html').send(
      views.render('certificates/verify', { title: typed ? (found ? 'Certificate verified' : 'Certificate not valid') : 'Check a certificate of attendance', typed, found, isInvalid: Boolean(typed) && !found }),
    );
  });

  return router;
}
