import { backupCommand, migrateCommand } from './commands/db';
import type { CliCommand } from './types';

/** Every CLI command; a feature adds its commands here. */
export const commands: CliCommand[] = [migrateCommand, backupCommand];
