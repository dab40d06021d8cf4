import { Router } from 'express';
import { z } from 'zod';
import { bookingNotFound, getBookingForHolder, referenceSchema, tokenSchema } from '../bookings';
import type { ServiceContext } from '../context';
import { manageUrl } from '../lib/links';
import { errorFields } from '../lib/logger';
import { formatInstant } from '../lib/time';
import { limitLinks } from '../web/rate-limit';
import type { Views } from '../web/views';
import { findOurSession } from './checkout-sessions';
import { syncSessionWithStripe } from './sync';

const returnSchema = z.object({
  session_id: z.string().regex(/^cs_[A-Za-z0-9_]{8,200}$/).optional(),
  reference: referenceSchema,
  token: tokenSchema,
});

/** The booking named in a Stripe return URL, for the holder of its manage token; unknown and wrong alike answer 404. */
async function holderOf(ctx: ServiceContext, query: unknown) {
  const parsed = returnSchema.safeParse(query);
  if (!parsed.success) throw bookingNotFound();
  const view = await getBookingForHolder(ctx, parsed.data.reference, parsed.data.token);
  return { view, sessionId: parsed.data.session_id, token: parsed.data.token };
}

export function checkoutPageRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();
  // Pages behind a private link, like the manage page; the success page also asks Stripe, which a flood must not reach.
  const links = limitLinks(ctx);

  /**
   * Stripe sends the buyer here after paying, with the booking's manage token in the return URL. The page confirms
   * from Stripe's own record of that session (ours, for this booking), so a buyer who arrives before the webhook
   * still sees "confirmed"; a second payment for a booking already paid shows the booking too.
   */
  router.get('/checkout/success', links, async (req, res) => {
    const { view, sessionId } = await holderOf(ctx, req.query);
    const ours = sessionId ? await findOurSession(ctx.db, sessionId) : undefined;
    if (ours && ours.bookingId === view.booking.id) {
      try {
        await syncSessionWithStripe(ctx, ours.sessionId);
      } catch (error) {
        // Stripe unreachable: the webhook and the sweeper will confirm it; the manage page says we are confirming.
        ctx.logger.warn('success page could not read the session from Stripe', { requestId: res.locals.requestId, booking: view.booking.reference, ...errorFields(error) });
      }
    }
    const manage = new URL(manageUrl(ctx.config, view.booking.reference));
    res.set('Cache-Control', 'no-store').redirect(303, `${manage.pathname}${manage.search}&paid=1`);
  });

  /** The buyer left the payment page without paying: say what happens to their held places. */
  router.get('/checkout/cancelled', links, async (req, res) => {
    const { view, token } = await holderOf(ctx, req.query);
    const { booking, event } = view;
    const isProcessing = booking.status === 'pending_payment' && booking.paymentProcessingSince !== null;
    const isHeld = booking.status === 'pending_payment' && !isProcessing;
    res
      .set('Cache-Control', 'no-store')
      .set('Referrer-Policy', 'no-referrer')
      .type('html')
      .send(
        views.render('bookings/checkout-cancelled', {
          title: 'Payment not completed',
          event: { title: event.title, slug: event.slug },
          reference: booking.reference,
          isHeld,
          isProcessing,
          isConfirmed: booking.status === 'confirmed',
          heldUntil: booking.holdExpiresAt ? formatInstant(booking.holdExpiresAt, event.timezone) : null,
          resumeUrl: isHeld ? `/bookings/${booking.reference}/pay?token=${encodeURIComponent(token)}` : null,
          // "Release these places" posts the holder's cancel, which closes our Checkout Session and releases the hold once.
          releaseUrl: `/bookings/${booking.reference}/cancel`,
          token,
          manageUrl: `/bookings/${booking.reference}?token=${encodeURIComponent(token)}`,
        }),
      );
  });

  return router;
}
