import { Router } from 'express';
import type { ServiceContext } from '../context';
import type { Views } from '../web/views';

/** When the accessibility statement was last reviewed against the service (UK public-sector statement model). */
export const ACCESSIBILITY_REVIEWED = '30 November 2026';

/**
 * The privacy notice (`/privacy`, UK GDPR Art. 13: what is collected, why, who sees it, how long, rights, contact) and
 * the accessibility statement (`/accessibility`, on the model of the UK public sector's: the standard, how and when it
 * was tested, known issues, how to ask for help). Both read the retention periods and contact from the configuration,
 * so they say what the service does.
 */
export function privacyPageRoutes(ctx: ServiceContext, views: Views): Router {
  const router = Router();
  const { config } = ctx;

  router.get('/privacy', (_req, res) => {
    res.type('html').send(
      views.render('privacy/notice', {
        title: 'Privacy notice',
        contact: config.orgContactEmail,
        retention: config.retention,
        mailDays: config.mailBodyRetentionDays,
      }),
    );
  });

  router.get('/accessibility', (_req, res) => {
    res.type('html').send(views.render('privacy/accessibility', { title: 'Accessibility statement', contact: config.orgContactEmail, reviewed: ACCESSIBILITY_REVIEWED }));
  });

  return router;
}
