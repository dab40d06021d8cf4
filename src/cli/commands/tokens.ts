import { z } from 'zod';
import { createApiToken, listApiTokens, revokeApiToken } from '../../admin/auth/api-tokens';
import { findUserByEmail } from '../../admin/auth/users';
import { recordAudit, CLI_ACTOR } from '../../admin/audit/log';
import { writeTransaction } from '../../db/dialect';
import { singleLineText } from '../../lib/text';
import { parseFlags, validateFlags } from '../args';
import type { CliCommand, CliContext } from '../types';

function flagsOr<S extends z.ZodType>(schema: S, args: string[], io: CliContext['io'], usage: string): z.infer<S> | undefined {
  const { data, problems } = validateFlags(schema, parseFlags(args).flags);
  if (data) return data;
  problems.forEach((p) => io.err(p));
  io.err(`Usage: npm run cli -- ${usage}`);
  return undefined;
}

export const createTokenCommand: CliCommand = {
  name: 'tokens:create',
  usage: 'tokens:create --email E --name N',
  summary: 'make an API token for a staff account (printed once; only its hash is kept)',
  async run(args, { db, io }) {
    const flags = flagsOr(z.object({ email: singleLineText(254, { notText: 'is required' }).pipe(z.email('must be an email address')), name: singleLineText(100, { notText: 'is required' }).min(1, 'is required') }), args, io, this.usage);
    if (!flags) return 2;
    const user = await findUserByEmail(db, flags.email);
    if (!user || !user.isActive) {
      io.err(`No staff account for ${flags.email}. Create one first with users:create.`);
      return 1;
    }
    const now = new Date();
    const { id, token } = await writeTransaction(db, async (trx) => {
      const created = await createApiToken(trx, user.id, flags.name, now);
      await recordAudit(trx, CLI_ACTOR, { action: 'api_token_created', targetType: 'api_token', targetId: created.id, details: { user: user.email, name: flags.name } }, now);
      return created;
    });
    io.out(`Token ${id} "${flags.name}" for ${user.email} (${user.role}). Copy it now; it is not shown again:`);
    io.out(token);
    return 0;
  },
};

export const listTokensCommand: CliCommand = {
  name: 'tokens:list',
  usage: 'tokens:list',
  summary: 'list API tokens (never the tokens themselves)',
  async run(_args, { db, io }) {
    const tokens = await listApiTokens(db);
    if (tokens.length === 0) io.out('No API tokens.');
    for (const t of tokens) {
      const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : t.lastUsedAt ? `last used ${t.lastUsedAt.toISOString()}` : 'never used';
      io.out(`${String(t.id).padStart(4)}  ${t.name.padEnd(24)} ${t.userEmail.padEnd(32)} created ${t.createdAt.toISOString()}  ${state}`);
    }
    return 0;
  },
};

export const revokeTokenCommand: CliCommand = {
  name: 'tokens:revoke',
  usage: 'tokens:revoke --id N',
  summary: 'revoke an API token at once',
  async run(args, { db, io }) {
    const flags = flagsOr(z.object({ id: z.coerce.number({ message: 'must be a token id from tokens:list' }).int().positive('must be a token id from tokens:list') }), args, io, this.usage);
    if (!flags) return 2;
    const now = new Date();
    const revoked = await writeTransaction(db, async (trx) => {
      const done = await revokeApiToken(trx, flags.id, now);
      if (done) await recordAudit(trx, CLI_ACTOR, { action: 'api_token_revoked', targetType: 'api_token', targetId: flags.id }, now);
      return done;
    });
    if (!revoked) {
      io.err(`No live token ${flags.id} (see tokens:list).`);
      return 1;
    }
    io.out(`Token ${flags.id} revoked.`);
    return 0;
  },
};
