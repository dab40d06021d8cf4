import type { Knex } from 'knex';

/**
 * Sent emails keep their bodies only for MAIL_BODY_RETENTION_DAYS (mail/retention.ts): a body holds the private
 * manage or payment link. `body_purged_at` says when a row's body was blanked (its recipient, subject and times stay);
 * the index serves the job's search for sent rows older than the retention.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox_emails', (t) => {
    t.timestamp('body_purged_at', { useTz: true });
    t.index(['status', 'sent_at'], 'outbox_emails_status_sent_at_index');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox_emails', (t) => {
    t.dropIndex(['status', 'sent_at'], 'outbox_emails_status_sent_at_index');
    t.dropColumn('body_purged_at');
  });
}
