import { fromDbTime, formatInstant } from '../../lib/time';
import { ROLE_LABELS, ROLES } from '../auth/roles';
import type { UserRecord } from '../auth/users';

export type AccountState = 'active' | 'invited' | 'disabled';

export function stateOf(user: UserRecord): AccountState {
  if (!user.isActive) return 'disabled';
  return user.hasPassword ? 'active' : 'invited';
}

const STATE_LABELS: Record<AccountState, string> = { active: 'Active', invited: 'Invited', disabled: 'Disabled' };

/** One account as the administrators' pages show it. */
export function presentUser(user: UserRecord, zone: string) {
  const state = stateOf(user);
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    roleLabel: ROLE_LABELS[user.role],
    state,
    stateLabel: STATE_LABELS[state],
    isActive: user.isActive,
    isInvited: state === 'invited',
    hasTwoFactor: user.hasTotp,
    lastSignIn: user.lastSignInAt ? formatInstant(user.lastSignInAt, zone) : null,
    passwordChanged: user.passwordChangedAt ? formatInstant(user.passwordChangedAt, zone) : null,
    created: formatInstant(user.createdAt, zone),
  };
}

export function roleOptions(selected?: string) {
  return ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role], selected: role === selected }));
}

/** An audit row about an account, for its page's history. */
export function presentAuditRow(row: Record<string, unknown>, zone: string) {
  return {
    at: formatInstant(fromDbTime(row.at), zone),
    actor: String(row.actor),
    action: String(row.action),
    details: row.details === '{}' ? '' : String(row.details),
  };
}
