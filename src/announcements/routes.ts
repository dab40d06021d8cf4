import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../context';
import { AppError, NotFoundError, ValidationError } from '../lib/errors';
import { limitLinks, limitSubscribe, prepareRefusal } from '../web/rate-limit';
import { fieldErrors, parseInput, parseRequest } from '../web/validate';
import type { Views } from '../web/views';
import { choiceOptions, choicesAsForm, choicesFormSchema, subscribeFormSchema, subscriptionTokenSchema } from './schemas';
import { changeChoices, confirmSubscription, findByConfirmToken, findByToken, requestSubscription, unsubscribe } from './subscribe';
import { describeChoices } from './types';

const linkInvalid = () => new NotFoundError('subscription_link_invalid', 'This link has expired, has been used already, or belongs to an address that has unsubscribed.');

function tokenOf(req: Request): string {
  return parseRequest(req, { params: z.object({ token: subscriptionTokenSchema }), notFound: linkInvalid }).params.token;
}

/** The error summary's links: the email field, or the fieldset of choices. */
const errorLinks = (errors: Record<string, string>) => Object.entries(errors).map(([key, message]) => ({ href: key === 'email' ? '#field-email' : '#field-choice-all', message }));

/**
 * The public side of the announcement list: subscribe (double opt-in), confirm, change choices, unsubscribe. Every
 * GET only shows a page; each change is a POST (mail scanners open every link in an email). The private links are
 * limited like the booking links (limitLinks).
 */
export function announcementRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();
  const links = limitLinks(ctx);

  const subscribePage = (res: Response, form: Record<string, unknown>, errors: Record<string, string> = {}, status = 200, problem?: string) =>
    res.status(status).type('html').send(views.render('announcements/subscribe', { title: 'Hear about new events', form, options: choiceOptions(form), errors, errorLinks: errorLinks(errors), hasErrors: Object.keys(errors).length > 0, problem }));

  router.get('/subscribe', (req, res) => {
    const email = typeof req.query.email === 'string' ? req.query.email.slice(0, 254) : '';
    subscribePage(res, { email, choice: 'all' });
  });

  router.post('/subscribe', async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      const input = parseInput(subscribeFormSchema, form);
      await limitSubscribe(ctx, req, res, input.email);
      await requestSubscription(ctx, { email: input.email, choices: input, source: 'subscribe form' });
      res.redirect(303, '/subscribe/check-email');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (error instanceof ValidationError) return subscribePage(res, form, fieldErrors(error), 422);
      prepareRefusal(res, error);
      subscribePage(res, form, {}, error.status, error.message);
    }
  });

  router.get('/subscribe/check-email', (_req, res) => {
    res.type('html').send(views.render('announcements/check-email', { title: 'Check your email' }));
  });

  router.get('/subscriptions/unsubscribed', (_req, res) => {
    res.type('html').send(views.render('announcements/unsubscribed', { title: 'You have unsubscribed' }));
  });

  router.get('/subscriptions/confirm/:token', links, async (req, res) => {
    const subscriber = await findByConfirmToken(ctx, tokenOf(req));
    res.type('html').send(views.render('announcements/confirm', { title: 'Confirm your subscription', email: subscriber.email, follows: describeChoices(subscriber) }));
  });

  router.post('/subscriptions/confirm/:token', links, async (req, res) => {
    const pageToken = await confirmSubscription(ctx, tokenOf(req));
    res.redirect(303, `/subscriptions/${pageToken}?confirmed=1`);
  });

  const choicesPage = (res: Response, token: string, email: string, form: Record<string, unknown>, extra: object = {}, status = 200) => {
    const errors = (extra as { errors?: Record<string, string> }).errors ?? {};
    res.status(status).type('html').send(views.render('announcements/choices', { title: 'Your announcement choices', token, email, form, options: choiceOptions(form), errors, errorLinks: errorLinks(errors), hasErrors: Object.keys(errors).length > 0, ...extra }));
  };

  router.get('/subscriptions/:token', links, async (req, res) => {
    const token = tokenOf(req);
    const subscriber = await findByToken(ctx, token);
    choicesPage(res, token, subscriber.email, choicesAsForm(subscriber), { confirmed: req.query.confirmed === '1', saved: req.query.saved === '1', follows: describeChoices(subscriber) });
  });

  router.post('/subscriptions/:token', links, async (req, res) => {
    const token = tokenOf(req);
    const subscriber = await findByToken(ctx, token);
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      await changeChoices(ctx, token, parseInput(choicesFormSchema, form));
      res.redirect(303, `/subscriptions/${token}?saved=1`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      choicesPage(res, token, subscriber.email, form, { errors: fieldErrors(error), follows: describeChoices(subscriber) }, 422);
    }
  });

  router.get('/subscriptions/:token/unsubscribe', links, async (req, res) => {
    const token = tokenOf(req);
    const subscriber = await findByToken(ctx, token);
    res.type('html').send(views.render('announcements/unsubscribe', { title: 'Unsubscribe', token, email: subscriber.email }));
  });

  // The page's button, and RFC 8058 one-click: a mail program POSTs "List-Unsubscribe=One-Click" to the List-Unsubscribe URI.
  router.post('/subscriptions/:token/unsubscribe', links, async (req, res) => {
    await unsubscribe(ctx, tokenOf(req));
    res.redirect(303, '/subscriptions/unsubscribed');
  });

  return router;
}
