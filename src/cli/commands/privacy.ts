import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CLI_ACTOR } from '../../admin/audit/log';
import { createApp } from '../../app';
import { AppError } from '../../lib/errors';
import { emailText } from '../../lib/text';
import { collectPersonalData } from '../../privacy/collect';
import { erasePerson, previewErasure } from '../../privacy/erase';
import { writePersonalDataZip } from '../../privacy/export';
import { createViews } from '../../web/views';
import { parseFlags, validateFlags } from '../args';
import type { CliCommand } from '../types';

const email = emailText('must be an email address, like name@example.org');

export const privacyExportCommand: CliCommand = {
  name: 'privacy:export',
  usage: 'privacy:export --email E --out FILE.zip',
  summary: "write everything held about one person to a ZIP (JSON and a readable page): a subject access request",
  async run(args, { db, io }) {
    const { data, problems } = validateFlags(z.object({ email, out: z.string().min(1, 'give the ZIP file to write') }), parseFlags(args).flags);
    if (!data) {
      problems.forEach((p) => io.err(p));
      io.err(`Usage: npm run cli -- ${this.usage}`);
      return 2;
    }
    const personal = await collectPersonalData(db, data.email, new Date());
    const out = path.resolve(data.out);
    await writePersonalDataZip(personal, createViews(), fs.createWriteStream(out));
    io.out(`Wrote ${out}: ${personal.bookingsMade.length} bookings made, ${personal.places.length} places, ${personal.emails.length} emails.`);
    return 0;
  },
};

export const privacyEraseCommand: CliCommand = {
  name: 'privacy:erase',
  usage: 'privacy:erase --email E [--yes]',
  summary: 'erase one person on request: cancel their free places to come, replace their details (asks first unless --yes)',
  async run(args, { db, config, io, logger }) {
    const { data, problems } = validateFlags(z.object({ email, yes: z.literal('true').optional() }), parseFlags(args).flags);
    if (!data) {
      problems.forEach((p) => io.err(p));
      io.err(`Usage: npm run cli -- ${this.usage}`);
      return 2;
    }
    const { ctx } = createApp({ db, config, logger });
    const preview = await previewErasure(ctx, data.email);
    io.out(`${preview.email}: ${preview.places} places, ${preview.bookingsMade} bookings made, ${preview.emails} emails; ${preview.futurePlaces.length} places still to come would be cancelled.`);
    if (preview.blocked) {
      io.err(preview.blocked);
      return 1;
    }
    if (!data.yes) {
      const answer = await io.prompt(`Erase ${preview.email}? Type "erase" to go ahead: `);
      if (answer.trim() !== 'erase') {
        io.out('Nothing was changed.');
        return 1;
      }
    }
    try {
      const report = await erasePerson(ctx, CLI_ACTOR, data.email);
      io.out(`Erased ${preview.email}: ${report.places} places and ${report.bookingsMade} bookings no longer name them; ${report.cancelledPlaces} places cancelled; ${report.emails} sent emails cleared.${report.documentsKept ? ` ${report.documentsKept} issued finance documents stay as issued (tax records, a legal obligation) until ${report.documentsKeptUntil}, when retention removes their details.` : ''}${report.documentsScrubbed ? ` ${report.documentsScrubbed} finance documents past the retention period no longer name them.` : ''}`);
      return 0;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      io.err(error.message);
      return 1;
    }
  },
};
