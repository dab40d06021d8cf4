import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import express, { type Express } from 'express';
import type { Knex } from 'knex';
import type Stripe from 'stripe';
import { adminRoutes } from './admin/routes';
import { announcementRoutes } from './announcements/routes';
import { privacyPageRoutes } from './privacy/public-routes';
import { certificateRoutes, certificateTemplate } from './certificates';
import { feedbackRoutes } from './feedback';
import { followUpTemplate, joinRoutes, materialRoutes } from './online';
import { announcementTemplates } from './announcements/templates';
import { staffMessageTemplate } from './admin/messages/template';
import { staffAccountTemplate } from './admin/users/account-email';
import { bookingApiRoutes, bookingNoticeTemplate, bookingPageRoutes, invoicePaymentRoutes, paymentNoticeTemplate, seatPageRoutes } from './bookings';
import { invoiceCreditHook } from './finance/credits';
import { financeDocumentTemplate } from './finance/documents/email';
import { createDocumentIssuer } from './finance/documents/issuer';
import { documentHolderRoutes } from './finance/documents/routes';
import type { Config } from './config';
import type { ServiceContext } from './context';
import { createCatalogue, type CatalogueOptions } from './events/catalogue';
import { eventApiRoutes, publicEventRoutes } from './events/routes';
import { systemClock, type Clock } from './lib/clock';
import { groupCommit } from './db/group-commit';
import { createEmailComposer } from './mail/compose';
import { createTemplateRegistry } from './mail/templates';
import { consoleLogger, type Logger } from './lib/logger';
import { closeAfterUnreadBody, FORM_BODY_LIMIT_BYTES, refuseDeclaredOversize } from './web/body-limits';
import { errorHandler, notFound } from './web/error-handler';
import { createRateLimits } from './web/rate-limit';
import { noStoreForPrivateResponses } from './web/no-store';
import { securityHeaders } from './web/security-headers';
import { logRefusedRequests } from './web/security-log';
import { formBody, jsonBody, strictQueryString } from './web/body-parsers';
import { createViews, type Views } from './web/views';
import { checkoutPageRoutes } from './payments/routes';
import { webhookRoutes } from './payments/webhooks';
import { createStripeGateway } from './payments/gateway';

export interface AppDeps {
  db: Knex;
  config: Config;
  clock?: Clock;
  stripe?: Stripe;
  views?: Views;
  logger?: Logger;
  /** How the public catalogue is cached (events/catalogue.ts); the tests ask the database on every request. */
  catalogue?: CatalogueOptions;
}

export interface AppHandle {
  app: Express;
  ctx: ServiceContext;
  /** Emits "outbox" after a commit that queued mail, and "stripe-sync" after a verified Stripe webhook. */
  signals: EventEmitter;
}

const PUBLIC_DIR = path.resolve(__dirname, '../public');

export function createApp(deps: AppDeps): AppHandle {
  const views = deps.views ?? createViews();
  const logger = deps.logger ?? consoleLogger;
  const signals = new EventEmitter();
  const ctx: ServiceContext = {
    db: deps.db,
    clock: deps.clock ?? systemClock,
    logger,
    config: deps.config,
    stripe: deps.stripe,
    groupCommit: groupCommit(deps.db),
    limits: createRateLimits(deps.db, deps.config, logger),
    emails: createEmailComposer(views, deps.config),
    // Every kind of email that is queued to be rendered when sent; each feature exports its own.
    emailTemplates: createTemplateRegistry<ServiceContext>([bookingNoticeTemplate, paymentNoticeTemplate, staffMessageTemplate, staffAccountTemplate, financeDocumentTemplate, ...announcementTemplates, certificateTemplate, followUpTemplate]),
    kickOutbox: () => signals.emit('outbox'),
    kickStripeSync: () => signals.emit('stripe-sync'),
    // Replaced just below: the gateway reports back through the context it is part of.
    payments: undefined as unknown as ServiceContext['payments'],
    documents: undefined as unknown as ServiceContext['documents'],
  };
  ctx.payments = createStripeGateway(ctx);
  ctx.documents = createDocumentIssuer(ctx);

  const catalogue = createCatalogue(ctx, deps.catalogue);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  app.use((_req, res, next) => {
    res.locals.requestId = randomUUID().slice(0, 8);
    next();
  });
  app.use(logRefusedRequests(logger));
  app.use(closeAfterUnreadBody());
  app.use(securityHeaders(deps.config));
  app.use(noStoreForPrivateResponses());
  app.use(strictQueryString);
  app.use('/static', express.static(PUBLIC_DIR, { maxAge: deps.config.env === 'production' ? '1d' : 0 }));
  // The webhook needs the raw body for its signature, so it comes before the JSON parser.
  app.use(webhookRoutes(ctx));
  app.use(refuseDeclaredOversize(FORM_BODY_LIMIT_BYTES));
  app.use(jsonBody(FORM_BODY_LIMIT_BYTES));
  app.use(formBody(FORM_BODY_LIMIT_BYTES));

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  const admin = adminRoutes(ctx, views, logger);
  app.locals.staffRoutes = admin.table;
  app.use('/admin', admin.pages);
  app.use('/api/v1/admin', admin.api);
  app.use('/api/v1', eventApiRoutes(ctx, catalogue));
  app.use('/api/v1', bookingApiRoutes(ctx));
  app.use(publicEventRoutes(ctx, views, catalogue));
  app.use(bookingPageRoutes(ctx, views));
  app.use(invoicePaymentRoutes(ctx, views));
  app.use(documentHolderRoutes(ctx));
  // A place cancelled on its own from an invoice booking is credited by finance/, recorded as done by whoever cancelled it.
  app.use(seatPageRoutes(ctx, views, { invoiceCredit: (by) => invoiceCreditHook(ctx, { id: null, email: by }) }));
  app.use(checkoutPageRoutes(ctx, views));
  app.use(announcementRoutes(ctx, views));
  app.use(privacyPageRoutes(ctx, views));
  app.use(certificateRoutes(ctx, views));
  app.use(feedbackRoutes(ctx, views));
  app.use(joinRoutes(ctx, views));
  app.use(materialRoutes(ctx));

  app.use(notFound);
  app.use(errorHandler(views, logger));
  return { app, ctx, signals };
}
