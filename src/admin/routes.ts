import cookieParser from 'cookie-parser';
import { Router } from 'express';
import type { ServiceContext } from '../context';
import { announcementStaffRoutes } from '../announcements/staff-routes';
import { privacyRoutes } from '../privacy/routes';
import { certificateStaffRoutes } from '../certificates';
import { feedbackStaffRoutes } from '../feedback';
import { financeApiRoutes } from '../finance/api-routes';
import { financeRoutes } from '../finance/routes';
import { financeActionRoutes } from '../finance/routes-actions';
import { toDbTime } from '../lib/time';
import type { Logger } from '../lib/logger';
import type { Views } from '../web/views';
import { cancelApiRoutes, cancelRoutes } from './attendees/cancel-routes';
import { attendeeApiRoutes, attendeeRoutes } from './attendees/routes';
import { accountRoutes } from './account/routes';
import { auditRoutes } from './audit/routes';
import { bookingSetupRoutes } from './booking-setup/routes';
import { authenticateApi, loadStaffSession, requireApi, requirePage, verifyCsrf } from './auth/middleware';
import { authRoutes } from './auth/routes';
import { checkInRoutes } from './checkin/routes';
import { eventRoutes } from './events/routes';
import { memberRoutes } from './members/routes';
import { onlineStaffRoutes } from './online/routes';
import { messageRoutes } from './messages/routes';
import { GuardedRouter, type StaffRouteSpec } from './route-table';
import { UploadRoutes } from './uploads';
import { userRoutes } from './users/routes';

export interface AdminRouters {
  /** Mount at /admin: session sign-in, CSRF on every form. */
  pages: Router;
  /** Mount at /api/v1/admin: Authorization: Bearer <api token>. */
  api: Router;
  /** Every guarded staff route with its permission. */
  table: StaffRouteSpec[];
}

export function adminRoutes(ctx: ServiceContext, views: Views, logger: Logger): AdminRouters {
  const table: StaffRouteSpec[] = [];

  // Cache-Control: no-store on every staff response is set in createApp (web/no-store.ts), with the other private paths.
  const pages = Router();
  pages.use(cookieParser());
  pages.use(loadStaffSession(ctx));
  // File uploads are parsed here, on their own routes only and after their guard, so the CSRF check can read the form.
  const uploads = new UploadRoutes(requirePage);
  pages.use(uploads.router);
  pages.use(verifyCsrf(ctx));
  pages.use(authRoutes(ctx, views));
  const html = new GuardedRouter(table, '/admin', 'html', requirePage);
  eventRoutes(ctx, views, html, logger);
  bookingSetupRoutes(ctx, views, html);
  attendeeRoutes(ctx, views, html);
  cancelRoutes(ctx, views, html);
  checkInRoutes(ctx, views, html);
  messageRoutes(ctx, views, html);
  memberRoutes(ctx, views, html, uploads);
  onlineStaffRoutes(ctx, views, html, uploads);
  auditRoutes(ctx, views, html);
  userRoutes(ctx, views, html);
  accountRoutes(ctx, views, html);
  financeRoutes(ctx, views, html);
  financeActionRoutes(ctx, views, html);
  announcementStaffRoutes(ctx, views, html, uploads);
  privacyRoutes(ctx, views, html);
  certificateStaffRoutes(ctx, views, html, uploads);
  feedbackStaffRoutes(ctx, views, html);
  pages.use(html.router);

  const api = Router();
  api.use(authenticateApi(ctx));
  const json = new GuardedRouter(table, '/api/v1/admin', 'api', requireApi);
  json.get('/events', 'events:read', async (_req, res) => {
    const rows = await ctx.db('events').select('slug', 'title', 'status', 'starts_at', 'ends_at', 'timezone', 'capacity').where('ends_at', '>=', toDbTime(new Date(ctx.clock.now().getTime() - 90 * 86400_000))).orderBy('starts_at');
    res.json({ events: rows.map((r: Record<string, unknown>) => ({ slug: r.slug, title: r.title, status: r.status, startsAt: new Date(r.starts_at as string).toISOString(), endsAt: new Date(r.ends_at as string).toISOString(), timezone: r.timezone, capacity: Number(r.capacity) })) });
  });
  attendeeApiRoutes(ctx, json);
  cancelApiRoutes(ctx, json);
  financeApiRoutes(ctx, json);
  api.use(json.router);

  return { pages, api, table };
}
