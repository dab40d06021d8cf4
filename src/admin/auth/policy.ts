import type { Tx } from '../../db/connect';
import { toDbTime } from '../../lib/time';
import type { Role } from './roles';

/** The roles an administrator can require two-factor sign-in for: those that reach money and other people's accounts. */
export const TWO_FACTOR_ROLES: readonly Role[] = ['admin', 'treasurer'];

const REQUIRE_TWO_FACTOR = 'require_two_factor_privileged';

/** Whether administrators and the treasurer must sign in with two-factor (`settings`, default off). */
export async function isTwoFactorRequired(db: Tx): Promise<boolean> {
  const row = await db('settings').select('value').where({ key: REQUIRE_TWO_FACTOR }).first();
  return row?.value === 'true';
}

/** Returns false when the setting already had that value. */
export async function setTwoFactorRequired(db: Tx, required: boolean, now: Date): Promise<boolean> {
  if ((await isTwoFactorRequired(db)) === required) return false;
  const value = { key: REQUIRE_TWO_FACTOR, value: String(required), updated_at: toDbTime(now) };
  await db('settings').insert(value).onConflict('key').merge(['value', 'updated_at']);
  return true;
}

export function roleNeedsTwoFactor(role: Role, required: boolean): boolean {
  return required && TWO_FACTOR_ROLES.includes(role);
}
