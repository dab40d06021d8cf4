import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/**
 * Retention and erasure (src/privacy):
 * - `personal_data_removed_at` on attendees and bookings: when the person's details were replaced by a neutral marker
 *   (by the retention job or an erasure), so neither is done twice and the pages can say so.
 * - `outbox_emails.erase_address`: an email still to be sent to someone who has been erased (their cancellation
 *   notice): once it is no longer pending, the retention job replaces its address.
 * - `job_claims`: one row per job and period (a nightly job's UTC date); the instance that inserts it runs the job, so
 *   several instances run it once. The result (counts by class) is kept with it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attendees', (t) => {
    instant(t, 'personal_data_removed_at');
  });
  await knex.schema.alterTable('bookings', (t) => {
    instant(t, 'personal_data_removed_at');
  });
  await knex.schema.alterTable('outbox_emails', (t) => {
    t.boolean('erase_address').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('job_claims', (t) => {
    t.string('name', 60).notNullable();
    t.string('period', 20).notNullable();
    instant(t, 'claimed_at').notNullable();
    instant(t, 'finished_at');
    t.text('result');
    t.primary(['name', 'period']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('job_claims');
  await knex.schema.alterTable('outbox_emails', (t) => {
    t.dropColumn('erase_address');
  });
  await knex.schema.alterTable('bookings', (t) => {
    t.dropColumn('personal_data_removed_at');
  });
  await knex.schema.alterTable('attendees', (t) => {
    t.dropColumn('personal_data_removed_at');
  });
}
