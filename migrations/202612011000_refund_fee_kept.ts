import type { Knex } from 'knex';

/**
 * What the event's refund policy kept when a refund was made (minor units): a buyer who cancels is refunded the price
 * less the cancellation fee, and the booking page and the refund email say both ("Refunded £180.00 (£10.00
 * cancellation fee kept)"). 0 for refunds made before this column, for full refunds and for refunds made in Stripe's
 * dashboard. Adding a column with a default does not rebuild the table on SQLite.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refunds', (t) => {
    t.integer('fee_kept').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refunds', (t) => {
    t.dropColumn('fee_kept');
  });
}
