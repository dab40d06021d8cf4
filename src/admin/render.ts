import type { Response } from 'express';
import type { Views } from '../web/views';
import { sessionOf } from './auth/middleware';
import { can, ROLE_LABELS } from './auth/roles';

/**
 * Renders views/admin/<name> in the staff layout, with the CSRF token and what the navigation may show. The token is
 * the session's, unless the model brings its own (the forms posted before sign-in carry the signed form cookie's).
 */
export function renderAdmin(views: Views, res: Response, name: string, model: Record<string, unknown>, status = 200): void {
  const session = sessionOf(res);
  const user = session?.user;
  const staff = user
    ? {
        name: user.name,
        email: user.email,
        roleLabel: ROLE_LABELS[user.role],
        canManageEvents: can(user.role, 'events:manage'),
        canManageMembers: can(user.role, 'members:manage'),
        canReadMembers: can(user.role, 'members:read'),
        canReadAudit: can(user.role, 'audit:read'),
        canManageUsers: can(user.role, 'users:manage'),
        canManageSubscribers: can(user.role, 'subscribers:manage'),
        canManagePrivacy: can(user.role, 'privacy:manage'),
        canReadFinance: can(user.role, 'finance:read'),
      }
    : null;
  res
    .status(status)
    .type('html')
    .send(views.render(`admin/${name}`, { ...model, csrfToken: model.csrfToken ?? session?.csrfToken ?? '', staff, pageScript: model.pageScript ?? null }, 'admin'));
}
