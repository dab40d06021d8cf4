import { z } from 'zod';
import type { Config } from '../../config';
import type { ServiceContext } from '../../context';
import { formatInstant } from '../../lib/time';
import type { EmailContent, OutgoingEmail } from '../../mail/outbox';
import { defineTemplate } from '../../mail/templates';
import { linkUrlById, type PasswordLink } from '../auth/password-links';
import type { StaffUser } from '../auth/roles';
import { ROLE_LABELS } from '../auth/roles';
import { findUserById } from '../auth/users';

export const STAFF_ACCOUNT_TEMPLATE = 'staff_account';

/** Only the link row's id is queued: the link's token is made when the email is rendered, and is never stored. */
const payloadSchema = z.object({ linkId: z.number().int() });

export type StaffAccountPayload = z.infer<typeof payloadSchema>;

/** The invitation or reset email for a link just issued, queued in the caller's transaction. */
export function accountEmail(config: Config, user: StaffUser, link: PasswordLink): OutgoingEmail {
  const where = `${config.orgName} events staff area`;
  return {
    dedupeKey: `staff-link:${link.id}`,
    kind: link.purpose === 'invite' ? 'staff_invite' : 'staff_password_reset',
    to: user.email,
    toName: user.name,
    subject: link.purpose === 'invite' ? `You are invited to the ${where}` : `Reset your password for the ${where}`,
    deferred: { template: STAFF_ACCOUNT_TEMPLATE, payload: { linkId: link.id } satisfies StaffAccountPayload },
  };
}

export async function renderAccountEmail(ctx: ServiceContext, payload: StaffAccountPayload): Promise<EmailContent> {
  const link = await linkUrlById(ctx.db, ctx.config, payload.linkId);
  const user = link && (await findUserById(ctx.db, link.userId));
  if (!link || !user) throw new Error(`staff link ${payload.linkId} or its account is gone: the email cannot be rendered`);
  return ctx.emails.render('staff-account', {
    name: user.name,
    roleLabel: ROLE_LABELS[user.role],
    url: link.url,
    isInvite: link.purpose === 'invite',
    expires: formatInstant(link.expiresAt, ctx.config.timezone),
    signInUrl: `${ctx.config.publicUrl}/admin/sign-in`,
    isStaffEmail: true,
  });
}

export const staffAccountTemplate = defineTemplate<ServiceContext, StaffAccountPayload>({
  name: STAFF_ACCOUNT_TEMPLATE,
  schema: payloadSchema,
  render: renderAccountEmail,
});
