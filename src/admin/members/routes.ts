import type { Response } from 'express';
import type { ServiceContext } from '../../context';
import { formatInstant } from '../../lib/time';
import { addDays, todayIn } from '../../members/dates';
import { countMembers } from '../../members/queries';
import { importMembers, type ImportReport } from '../../members/service';
import type { Views } from '../../web/views';
import { staffOf } from '../auth/middleware';
import { uploadedFiles } from '../multipart';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';

const SOON_DAYS = 30;

export function memberRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  const renderPage = async (res: Response, extra: { report?: ImportReport; problem?: string } = {}, status = 200) => {
    const today = todayIn(ctx.clock.now(), ctx.config.timezone);
    const counts = await countMembers(ctx.db, today, addDays(today, SOON_DAYS));
    renderAdmin(views, res, 'members', {
      title: 'Members',
      counts: { ...counts, importedAt: counts.importedAt ? formatInstant(counts.importedAt, ctx.config.timezone) : null },
      soonDays: SOON_DAYS,
      ...extra,
      imported: extra.report && extra.report.imported > 0 ? extra.report.imported : null,
      failed: extra.report && extra.report.imported === 0 ? extra.report : null,
    }, status);
  };

  routes.get('/members', 'members:manage', async (_req, res) => {
    await renderPage(res);
  });

  routes.post('/members/import', 'members:manage', async (_req, res) => {
    const file = uploadedFiles(res.locals).find((f) => f.field === 'file' && f.data.length > 0);
    if (!file) return renderPage(res, { problem: 'Choose a CSV file to import.' }, 422);
    const report = await importMembers(ctx.db, staffOf(res), file.data, ctx.clock.now(), `upload ${file.filename.slice(0, 100)}`);
    await renderPage(res, { report }, report.imported > 0 ? 200 : 422);
  });
}
