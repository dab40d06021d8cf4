import type { Response } from 'express';
import type { ServiceContext } from '../../context';
import { formatInstant } from '../../lib/time';
import { addDays, todayIn } from '../../members/dates';
import { countMembers } from '../../members/queries';
import { importMembers, type ImportReport } from '../../members/service';
import { describeBytes } from '../../web/body-limits';
import type { Views } from '../../web/views';
import { staffOf } from '../auth/middleware';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { uploadedFile, type UploadLimits, type UploadRoutes } from '../uploads';

const SOON_DAYS = 30;

/** The member list upload: one CSV of up to 5 MB (tens of thousands of members) and the form's CSRF token. */
export const MEMBER_UPLOAD: UploadLimits = { fileField: 'file', maxFileBytes: 5 * 1024 * 1024, maxFields: 2, maxFieldBytes: 1024 };

export function memberRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter, uploads: UploadRoutes): void {
  const renderPage = async (res: Response, extra: { report?: ImportReport; problem?: string } = {}, status = 200) => {
    const today = todayIn(ctx.clock.now(), ctx.config.timezone);
    const counts = await countMembers(ctx.db, today, addDays(today, SOON_DAYS));
    renderAdmin(views, res, 'members', {
      title: 'Members',
      counts: { ...counts, importedAt: counts.importedAt ? formatInstant(counts.importedAt, ctx.config.timezone) : null },
      soonDays: SOON_DAYS,
      maxFileSize: describeBytes(MEMBER_UPLOAD.maxFileBytes),
      ...extra,
      imported: extra.report && extra.report.imported > 0 ? extra.report.imported : null,
      failed: extra.report && extra.report.imported === 0 ? extra.report : null,
    }, status);
  };

  routes.get('/members', 'members:manage', async (_req, res) => {
    await renderPage(res);
  });

  uploads.accept('/members/import', 'members:manage', MEMBER_UPLOAD, (_req, res, message) => renderPage(res, { problem: message }, 413));

  routes.post('/members/import', 'members:manage', async (req, res) => {
    const file = uploadedFile(req);
    if (!file || file.data.length === 0) return renderPage(res, { problem: 'Choose a CSV file to import.' }, 422);
    const report = await importMembers(ctx.db, staffOf(res), file.data, ctx.clock.now(), `upload ${file.filename.slice(0, 100)}`);
    await renderPage(res, { report }, report.imported > 0 ? 200 : 422);
  });
}
