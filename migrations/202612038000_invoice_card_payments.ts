import type { Knex } from 'knex';

/**
 * Paying an invoice by card (issue 11, "pay by card instead"): a Checkout Session we create for an invoice booking's
 * outstanding amount is recorded like a hold's, with `purpose = 'invoice'`, so the webhook knows it is ours and that
 * its payment goes against the invoice (never confirming or releasing seats). Sessions made before this are holds.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('checkout_sessions', (t) => {
    t.string('purpose', 20).notNullable().defaultTo('hold');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('checkout_sessions', (t) => t.dropColumn('purpose'));
}
