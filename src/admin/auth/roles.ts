export const ROLES = ['admin', 'organiser', 'treasurer'] as const;
export type Role = (typeof ROLES)[number];

/** What a staff route needs. Checked on every staff route, HTML and API alike. */
export type Permission =
  | 'staff'
  | 'events:read'
  | 'events:manage'
  | 'attendees:read'
  | 'attendees:manage'
  /** Reach the cancel-a-booking-or-seat page and API; who may cancel what, and refund how, is checked by the service. */
  | 'bookings:cancel'
  | 'checkin'
  | 'messages:send'
  /** Look a member up on the member list (everyone: the treasurer checks who was entitled to a member price). */
  | 'members:read'
  | 'members:manage'
  | 'audit:read'
  /** Invite, disable and enable staff accounts, send password links, end sessions, remove two-factor, set the two-factor rule. */
  | 'users:manage'
  /** The announcement list: subscriber figures, import and export (personal data of people who are not attendees). */
  | 'subscribers:manage'
  /** Subject access exports and erasure on request (UK GDPR Art. 15 and 17). */
  | 'privacy:manage'
  | 'finance:read'
  | 'finance:manage';

const ORGANISER: Permission[] = ['staff', 'events:read', 'events:manage', 'attendees:read', 'attendees:manage', 'bookings:cancel', 'checkin', 'messages:send', 'members:read', 'members:manage'];

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set<Permission>([...ORGANISER, 'audit:read', 'users:manage', 'subscribers:manage', 'privacy:manage', 'finance:read', 'finance:manage']),
  organiser: new Set(ORGANISER),
  // The treasurer reads attendee lists and cancels paid bookings; finance has its own area and its own permissions.
  treasurer: new Set<Permission>(['staff', 'events:read', 'attendees:read', 'bookings:cancel', 'members:read', 'finance:read', 'finance:manage']),
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

/** Where a person lands after signing in when no page asked for them: the treasurer's work is the finance area. */
export function homeFor(role: Role): string {
  return role === 'treasurer' ? '/admin/finance' : '/admin';
}

export const ROLE_LABELS: Record<Role, string> = { admin: 'Administrator', organiser: 'Organiser', treasurer: 'Treasurer' };

export interface StaffUser {
  id: number;
  email: string;
  name: string;
  role: Role;
}
