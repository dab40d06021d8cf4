import { disableUserCommand, enableUserCommand, endSessionsCommand, inviteUserCommand, listUsersCommand, removeTotpCommand, requireTotpCommand, resetPasswordCommand } from './commands/accounts';
import { backupCommand, migrateCommand } from './commands/db';
import { importMembersCommand } from './commands/members';
import { privacyEraseCommand, privacyExportCommand } from './commands/privacy';
import { stripeSyncCommand } from './commands/stripe-sync';
import { createTokenCommand, listTokensCommand, revokeTokenCommand } from './commands/tokens';
import { createUserCommand } from './commands/users';
import type { CliCommand } from './types';

/** Every CLI command; a feature adds its commands here. */
export const commands: CliCommand[] = [
  migrateCommand,
  backupCommand,
  createUserCommand,
  inviteUserCommand,
  listUsersCommand,
  disableUserCommand,
  enableUserCommand,
  resetPasswordCommand,
  endSessionsCommand,
  removeTotpCommand,
  requireTotpCommand,
  createTokenCommand,
  listTokensCommand,
  revokeTokenCommand,
  importMembersCommand,
  stripeSyncCommand,
  privacyExportCommand,
  privacyEraseCommand,
];
