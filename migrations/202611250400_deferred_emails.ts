import type { Knex } from 'knex';

/**
 * Booking notices are rendered when they are sent, not in the booking's transaction: the outbox row keeps the
 * template's name and payload instead of the rendered message (whose columns stay empty for such rows).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox_emails', (t) => {
    t.string('template', 40);
    t.text('template_payload');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('outbox_emails', (t) => {
    t.dropColumn('template');
    t.dropColumn('template_payload');
  });
}
