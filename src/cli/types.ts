import type { Knex } from 'knex';
import type { Config } from '../config';

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
}

export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  /** Returns the process exit code. */
  run(args: string[], ctx: CliContext): Promise<number>;
}
