import { z } from 'zod';
import { hashPassword, passwordProblem } from '../../admin/auth/passwords';
import { ROLES } from '../../admin/auth/roles';
import { findUserByEmail, insertUser } from '../../admin/auth/users';
import { recordAudit, CLI_ACTOR } from '../../admin/audit/log';
import { writeTransaction } from '../../db/dialect';
import { singleLineText } from '../../lib/text';
import { parseFlags, validateFlags } from '../args';
import type { CliCommand } from '../types';

const flagsSchema = z.object({
  email: singleLineText(254, { notText: 'is required' }).pipe(z.email('must be an email address')),
  name: singleLineText(200, { notText: 'is required' }).min(1, 'is required'),
  role: z.enum(ROLES, { message: `is required: one of ${ROLES.join(', ')}` }),
});


export const createUserCommand: CliCommand = {
  name: 'users:create',
  usage: 'users:create --email E --name N --role R',
  summary: `add a staff account (role: ${ROLES.join(', ')}); password from HSUG_PASSWORD or a prompt`,
  async run(args, { db, io, env }) {
    const { data, problems } = validateFlags(flagsSchema, parseFlags(args).flags);
    if (!data) {
      problems.forEach((p) => io.err(p));
      io.err(`Usage: npm run cli -- ${this.usage}`);
      return 2;
    }
    if (await findUserByEmail(db, data.email)) {
      io.err(`There is already a staff account for ${data.email}.`);
      return 1;
    }
    const password = env.HSUG_PASSWORD ?? (await io.prompt(`Password for ${data.email}: `, { hidden: true }));
    // The same rules as the set-password pages (passwords.ts); the message says what the rule is.
    const problem = passwordProblem(password, data.email);
    if (problem) {
      io.err(`The password is not accepted: ${problem}`);
      return 2;
    }
    const passwordHash = await hashPassword(password);
    const now = new Date();
    const id = await writeTransaction(db, async (trx) => {
      const userId = await insertUser(trx, { email: data.email, name: data.name, role: data.role, passwordHash }, now);
      await recordAudit(trx, CLI_ACTOR, { action: 'user_created', targetType: 'user', targetId: userId, details: { email: data.email, role: data.role } }, now);
      return userId;
    });
    io.out(`Created ${data.role} ${data.name} <${data.email}> (user ${id}). They can sign in at /admin.`);
    return 0;
  },
};
