import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../context';
import { ConflictError } from '../lib/errors';
import { formatMoney } from '../lib/money';
import { limitLinks } from '../web/rate-limit';
import { parseRequest } from '../web/validate';
import type { Views } from '../web/views';
import { getInvoicePayment, payInvoiceByCard } from './pay-invoice';
import { referenceSchema, tokenSchema } from './schemas';
import { bookingNotFound } from './view';

/**
 * "Pay by card instead" (issue 11): `GET /bookings/:reference/pay-invoice?token=…` shows what the invoice still asks for
 * and a button; `POST` (the token in the form) starts the card checkout for exactly that and answers 303 to the
 * provider's payment page. The token is the invoice's pay token (on the invoice PDF and email) or the manage token.
 */
export function invoicePaymentRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();
  const links = limitLinks(ctx);
  const privatePage = (res: Response) => res.set('Referrer-Policy', 'no-referrer').set('Cache-Control', 'no-store').type('html');
  const referenceOf = (req: Request) => parseRequest(req, { params: z.object({ reference: referenceSchema }), notFound: bookingNotFound }).params.reference;

  /** A refusal a payer can act on (nothing to pay, cancelled, not an invoice): 409 with a page that says why. */
  const refused = (res: Response, reference: string, error: ConflictError) =>
    privatePage(res.status(409)).send(views.render('bookings/pay-invoice', { title: 'Nothing to pay by card', reference, problem: error.message, code: error.code }));

  router.get('/bookings/:reference/pay-invoice', links, async (req, res) => {
    const reference = referenceOf(req);
    const token = tokenSchema.safeParse(req.query.token).data;
    try {
      const pay = await getInvoicePayment(ctx, reference, token);
      const amount = formatMoney(pay.outstanding, pay.booking.currency);
      privatePage(res).send(
        views.render('bookings/pay-invoice', {
          title: `Pay ${amount} by card`,
          reference,
          token,
          amount,
          invoiceNumber: pay.invoiceNumber,
          event: { title: pay.event.title },
          organisation: pay.booking.buyerOrganisation,
          purchaseOrder: pay.booking.purchaseOrder,
          isReturning: req.query.paid === '1',
        }),
      );
    } catch (error) {
      // Back from the provider with the invoice now paid: say thank you, not "nothing to pay".
      if (error instanceof ConflictError && error.code === 'nothing_outstanding' && req.query.paid === '1') {
        return privatePage(res).send(views.render('bookings/pay-invoice', { title: 'Payment received', reference, isPaid: true }));
      }
      if (error instanceof ConflictError) return refused(res, reference, error);
      throw error;
    }
  });

  router.post('/bookings/:reference/pay-invoice', links, async (req, res) => {
    const reference = referenceOf(req);
    const token = z.object({ token: tokenSchema }).safeParse(req.body ?? {}).data?.token;
    try {
      res.redirect(303, await payInvoiceByCard(ctx, reference, token));
    } catch (error) {
      if (error instanceof ConflictError) return refused(res, reference, error);
      throw error;
    }
  });

  return router;
}
