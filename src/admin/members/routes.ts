import type { Request, Response } from 'express';
import { z } from 'zod';
import type { ServiceContext } from '../../context';
import { ConflictError } from '../../lib/errors';
import { singleLineText } from '../../lib/text';
import { formatDate, formatInstant } from '../../lib/time';
import { addDays, todayIn } from '../../members/dates';
import { findMembers, findUndoableImport, type ImportSummary } from '../../members/imports';
import { countMembers } from '../../members/queries';
import { applyMemberImport, stageMemberImport, undoMemberImport, type ImportReport } from '../../members/service';
import { parseInput } from '../../web/validate';
import { describeBytes } from '../../web/body-limits';
import type { Views } from '../../web/views';
import { staffOf } from '../auth/middleware';
import { idParam, queryText } from '../params';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';
import { uploadedFile, type UploadLimits, type UploadRoutes } from '../uploads';

const SOON_DAYS = 30;

/** The member list upload: one CSV of up to 5 MB (tens of thousands of members) and the form's CSRF token. */
export const MEMBER_UPLOAD: UploadLimits = { fileField: 'file', maxFileBytes: 5 * 1024 * 1024, maxFields: 2, maxFieldBytes: 1024 };

const lookupSchema = z.preprocess((v) => (typeof v === 'string' ? v : ''), singleLineText(200, { tooLong: 'Search for at most 200 characters' }));
const noticeSchema = z.object({ notice: z.enum(['imported', 'undone']), n: z.coerce.number().int().min(0).max(10_000_000) });

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function noticeFrom(req: Request): string | null {
  const parsed = noticeSchema.safeParse({ notice: queryText(req.query.notice), n: queryText(req.query.n) });
  if (!parsed.success) return null;
  return parsed.data.notice === 'imported'
    ? `Imported ${plural(parsed.data.n, 'member', 'members')}. The previous list has been replaced; you can undo this below.`
    : `Import undone: the previous list of ${plural(parsed.data.n, 'member', 'members')} is back.`;
}

export function memberRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter, uploads: UploadRoutes): void {
  const renderPage = async (res: Response, extra: { report?: ImportReport; problem?: string; staged?: { id: number; summary: ImportSummary; label: string }; notice?: string | null; q?: string } = {}, status = 200) => {
    const zone = ctx.config.timezone;
    const today = todayIn(ctx.clock.now(), zone);
    const counts = await countMembers(ctx.db, today, addDays(today, SOON_DAYS));
    const undoable = await findUndoableImport(ctx.db);
    const found = extra.q ? await findMembers(ctx.db, extra.q) : null;
    renderAdmin(views, res, 'members', {
      title: 'Members',
      counts: { ...counts, importedAt: counts.importedAt ? formatInstant(counts.importedAt, zone) : null },
      soonDays: SOON_DAYS,
      maxFileSize: describeBytes(MEMBER_UPLOAD.maxFileBytes),
      ...extra,
      failed: extra.report && extra.report.imported === 0 ? extra.report : null,
      undoable: undoable && !extra.staged ? { id: undoable.id, appliedAt: undoable.appliedAt ? formatInstant(undoable.appliedAt, zone) : '', total: undoable.summary.total } : null,
      hasLookup: Boolean(extra.q),
      found: found?.map((m) => ({ ...m, isCurrent: m.expiresOn >= today, expires: formatDate(new Date(`${m.expiresOn}T12:00:00Z`), 'UTC') })) ?? null,
    }, status);
  };

  // Everyone may look a member up; importing and undoing are for organisers and administrators (the view shows them only those).
  routes.get('/members', 'members:read', async (req, res) => {
    const q = parseInput(lookupSchema, queryText(req.query.q)).trim();
    await renderPage(res, { notice: noticeFrom(req), q });
  });

  uploads.accept('/members/import', 'members:manage', MEMBER_UPLOAD, (_req, res, message) => renderPage(res, { problem: message }, 413));

  // The upload is checked and shown as a preview; the list changes only when the preview is confirmed.
  routes.post('/members/import', 'members:manage', async (req, res) => {
    const file = uploadedFile(req);
    if (!file || file.data.length === 0) return renderPage(res, { problem: 'Choose a CSV file to import.' }, 422);
    const staged = await stageMemberImport(ctx.db, staffOf(res), file.data, ctx.clock.now(), `upload ${file.filename.slice(0, 100)}`, ctx.config.timezone);
    if (staged.id === null) return renderPage(res, { report: staged.report }, 422);
    await renderPage(res, { staged: { id: staged.id, summary: staged.summary, label: plural(staged.summary.total, 'member', 'members') } });
  });

  routes.post('/members/import/:id/apply', 'members:manage', async (req, res) => {
    try {
      const summary = await applyMemberImport(ctx.db, staffOf(res), idParam(req, 'id'), ctx.clock.now());
      res.redirect(303, `/admin/members?notice=imported&n=${summary.total}`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      await renderPage(res, { problem: error.message }, 409);
    }
  });

  routes.post('/members/import/:id/undo', 'members:manage', async (req, res) => {
    try {
      const restored = await undoMemberImport(ctx.db, staffOf(res), idParam(req, 'id'), ctx.clock.now());
      res.redirect(303, `/admin/members?notice=undone&n=${restored}`);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      await renderPage(res, { problem: error.message }, 409);
    }
  });
}
