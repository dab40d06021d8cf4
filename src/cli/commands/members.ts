import fs from 'node:fs/promises';
import path from 'node:path';
import { CLI_ACTOR } from '../../admin/audit/log';
import { importMembers } from '../../members/service';
import type { CliCommand } from '../types';

export const importMembersCommand: CliCommand = {
  name: 'members:import',
  usage: 'members:import FILE.csv',
  summary: 'replace the member list with a CSV file (all or nothing; bad rows are listed)',
  async run(args, { db, io }) {
    const [file] = args;
    if (!file) {
      io.err(`Usage: npm run cli -- ${this.usage}`);
      return 2;
    }
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(path.resolve(file));
    } catch (error) {
      // A mistyped path is the usual mistake: say so plainly. Anything else reaches the CLI's own error report.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      io.err(`Cannot read ${file}: no such file`);
      return 1;
    }
    const report = await importMembers(db, CLI_ACTOR, bytes, new Date(), `cli ${path.basename(file)}`);
    if (report.imported > 0) {
      io.out(`Imported ${report.imported} members from ${file}; the previous list is replaced.`);
      return 0;
    }
    io.err(`Nothing imported from ${file}: fix these problems and run the import again.`);
    report.fileProblems.forEach((p) => io.err(`  ${p}`));
    report.rejected.forEach((r) => io.err(`  line ${r.line}: ${r.problems.join('; ')}`));
    return 1;
  },
};
