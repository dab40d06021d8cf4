import { Router } from 'express';
import { z } from 'zod';
import { manageUrl } from '../lib/links';
import { referenceSchema } from '../bookings/schemas';
import { findBookingByReference } from '../bookings/queries';
import type { ServiceContext } from '../context';
import { NotFoundError } from '../lib/errors';
import { formatInstant } from '../lib/time';
import { findEventById } from '../events/queries';
import type { Views } from '../web/views';
import { stripeOf, syncBookingWithStripe } from './sync';

const sessionIdSchema = z.string().regex(/^cs_[A-Za-z0-9_]{8,200}$/);

export function checkoutPageRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();

  /**
   * Stripe sends the buyer here after paying. The page confirms from Stripe's own record, so a buyer
   * who arrives before the webhook still sees "confirmed". Knowing the session id is the proof: only
   * the buyer's browser and Stripe have it.
   */
  router.get('/checkout/success', async (req, res) => {
    const parsed = sessionIdSchema.safeParse(req.query.session_id);
    if (!parsed.success) throw new NotFoundError('We could not find that payment.', 'session_not_found');
    const row = await ctx.db('bookings').where({ stripe_checkout_session_id: parsed.data }).first('id', 'reference');
    if (!row) throw new NotFoundError('We could not find a booking for that payment. If you were charged, please contact us.', 'session_not_found');
    try {
      await syncBookingWithStripe(ctx, Number(row.id));
    } catch {
      // Stripe unreachable: the webhook and the sweeper will confirm it; the manage page says so.
    }
    const manage = new URL(manageUrl(ctx.config, row.reference));
    res.redirect(303, `${manage.pathname}${manage.search}&paid=1`);
  });

  /** The buyer left the payment page without paying: say what happens to their held places. */
  router.get('/checkout/cancelled', async (req, res) => {
    const reference = referenceSchema.safeParse(req.query.reference);
    const booking = reference.success ? await findBookingByReference(ctx.db, reference.data) : undefined;
    if (!booking) throw new NotFoundError('We could not find that booking.', 'booking_not_found');
    const event = (await findEventById(ctx.db, booking.eventId))!;
    let resumeUrl: string | null = null;
    if (booking.status === 'pending_payment' && booking.stripeCheckoutSessionId) {
      const session = await stripeOf(ctx).checkout.sessions.retrieve(booking.stripeCheckoutSessionId).catch(() => null);
      resumeUrl = session?.status === 'open' ? session.url : null;
    }
    res.type('html').send(
      views.render('bookings/checkout-cancelled', {
        title: 'Payment not completed',
        event: { title: event.title, slug: event.slug },
        reference: booking.reference,
        isHeld: booking.status === 'pending_payment',
        isConfirmed: booking.status === 'confirmed',
        heldUntil: booking.holdExpiresAt ? formatInstant(booking.holdExpiresAt, event.timezone) : null,
        resumeUrl,
      }),
    );
  });

  return router;
}
