import type { ServiceContext } from '../../context';
import { fromDbTime, formatInstant } from '../../lib/time';
import type { Views } from '../../web/views';
import { renderAdmin } from '../render';
import type { GuardedRouter } from '../route-table';

export function auditRoutes(ctx: ServiceContext, views: Views, routes: GuardedRouter): void {
  routes.get('/audit', 'audit:read', async (_req, res) => {
    const rows = await ctx.db('audit_log').select('*').orderBy('id', 'desc').limit(200);
    const entries = rows.map((r: Record<string, unknown>) => ({
      at: formatInstant(fromDbTime(r.at), ctx.config.timezone),
      actor: r.actor,
      action: r.action,
      target: `${String(r.target_type)}${r.target_id ? ` ${String(r.target_id)}` : ''}`,
      details: r.details === '{}' ? '' : String(r.details),
    }));
    renderAdmin(views, res, 'audit', { title: 'Audit log', entries });
  });
}
