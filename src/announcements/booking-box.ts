import type { Request, Response } from 'express';
import type { ServiceContext } from '../context';
import { AppError } from '../lib/errors';
import { limitSubscribe } from '../web/rate-limit';
import { requestSubscription } from './subscribe';

/**
 * The booking forms' unticked "Tell me about future HSUG events" box (`subscribe=on`), after the booking was made:
 * asks the buyer's address to confirm a subscription to all events (double opt-in, as the subscribe form). The booking
 * is made whatever happens here: a refusal (the subscribe limit) or a fault is logged with the request id, not shown.
 */
export async function subscribeFromBookingForm(ctx: ServiceContext, req: Request, res: Response, form: Record<string, unknown>, email: string): Promise<void> {
  if (form.subscribe !== 'on') return;
  try {
    await limitSubscribe(ctx, req, res, email);
    await requestSubscription(ctx, { email, choices: { allEvents: true, kinds: [], regions: [] }, source: 'booking form' });
  } catch (error) {
    const extra = { requestId: res.locals.requestId, error: error instanceof Error ? error.message : String(error) };
    if (error instanceof AppError) ctx.logger.warn('subscription from a booking form was not made', extra);
    else ctx.logger.error('subscription from a booking form failed', extra);
  }
}
