import type { Knex } from 'knex';
import { toDbTime } from '../lib/time';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Blanks the bodies of emails sent more than `retentionDays` ago: the text, the HTML and the calendar file, and the
 * template data when it holds a link with a token (a waitlist offer's payment link). A body holds the recipient's
 * private manage or payment link, which has no business outliving its use in a table that backups copy (GDPR
 * Art. 5(1)(e), storage limitation). The row stays, with its recipient, subject, kind, template name, booking, times
 * and `body_purged_at`, so "was this person told?" can still be answered. Pending, sending and failed rows are
 * untouched: their bodies are still needed to send them, or for a person to look at.
 * Returns how many rows were purged. Works in batches, each its own statement, so it never holds a long lock.
 */
export async function purgeSentEmailBodies(db: Knex, now: Date, retentionDays: number, batchSize = 500): Promise<number> {
  const cutoff = toDbTime(new Date(now.getTime() - retentionDays * DAY_MS));
  let purged = 0;
  for (;;) {
    const ids = (await db('outbox_emails').select('id').where('status', 'sent').whereNull('body_purged_at').where('sent_at', '<', cutoff).orderBy('id').limit(batchSize)).map((row: { id: number }) => row.id);
    if (ids.length === 0) return purged;
    purged += await db('outbox_emails')
      .whereIn('id', ids)
      .where('status', 'sent')
      .whereNull('body_purged_at')
      .update({
        text_body: '',
        html_body: '',
        ical_content: null,
        template_payload: db.raw("CASE WHEN template_payload LIKE '%token=%' THEN NULL ELSE template_payload END"),
        body_purged_at: toDbTime(now),
      });
    if (ids.length < batchSize) return purged;
  }
}
