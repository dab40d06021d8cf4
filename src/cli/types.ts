import type { Knex } from 'knex';
import type { Config } from '../config';
import type { Logger } from '../lib/logger';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Asks a question on the terminal; hidden for passwords. */
  prompt(question: string, options?: { hidden?: boolean }): Promise<string>;
}

export interface CliContext {
  db: Knex;
  config: Config;
  io: CliIo;
  env: NodeJS.ProcessEnv;
  /** JSON log lines on stderr, for failures inside the services a command runs (stdout stays the command's output). */
  logger: Logger;
}

export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  /** Returns the process exit code. */
  run(args: string[], ctx: CliContext): Promise<number>;
}
