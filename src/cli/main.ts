import readline from 'node:readline';
import { ConfigError, loadConfig } from '../config';
import { DatabaseUnavailableError, openDatabase } from '../db/connect';
import { migrateLatest } from '../db/migrate';
import { createLogger, type Logger } from '../lib/logger';
import { commands } from './registry';
import type { CliIo } from './types';

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  prompt(question, options = {}) {
    return new Promise((resolve) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
      if (options.hidden) {
        // Echo nothing while the password is typed.
        (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
          if (s.includes(question)) process.stdout.write(s);
        };
      }
      rl.question(question, (answer) => {
        rl.close();
        if (options.hidden) process.stdout.write('\n');
        resolve(answer);
      });
    });
  },
};

const stderrLogger = createLogger({ destination: 2 });

function usage(): string {
  return ['Usage: npm run cli -- <command> [options]', '', ...commands.map((c) => `  ${c.usage.padEnd(48)} ${c.summary}`)].join('\n');
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env, cliIo: CliIo = io, logger: Logger = stderrLogger): Promise<number> {
  const [name, ...args] = argv;
  const command = commands.find((c) => c.name === name);
  if (!command) {
    cliIo.err(name ? `Unknown command: ${name}\n` : '');
    cliIo.err(usage());
    return 2;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      cliIo.err(error.message);
      return 1;
    }
    throw error;
  }
  let db;
  try {
    db = await openDatabase(config.database);
  } catch (error) {
    if (error instanceof DatabaseUnavailableError) {
      cliIo.err(error.message);
      return 1;
    }
    throw error;
  }
  try {
    await migrateLatest(db);
    return await command.run(args, { db, config, io: cliIo, env, logger });
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
