import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/**
 * The treasurer's statements about Stripe money our records do not explain (`finance/explanations.ts`):
 * - `explained`: "this is a donation", with a note;
 * - `attached`: "this payment is the money for booking X", the treasurer's own audited statement, which changes
 *   neither the booking nor our payments.
 * Keyed by the Stripe object the mismatch is about (a charge, refund, dispute or payout id). Withdrawing one keeps
 * the row (withdrawn_at, withdrawn_by); at most one statement per object is in force, which a partial unique index
 * enforces on both SQLite and PostgreSQL.
 *
 * The mirror of Stripe's balance also keeps two facts its expanded source gives: the last four digits of a charge's
 * card (for "refund to the card ending 4242") and a dispute's response deadline (`evidence_details.due_by`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('finance_explanations', (t) => {
    t.increments('id');
    t.string('stripe_object_id', 255).notNullable();
    t.string('kind', 20).notNullable();
    t.integer('booking_id').references('id').inTable('bookings');
    t.string('note', 500).notNullable();
    t.integer('user_id').references('id').inTable('users').onDelete('SET NULL');
    t.string('created_by', 254).notNullable();
    instant(t, 'created_at').notNullable();
    instant(t, 'withdrawn_at');
    t.string('withdrawn_by', 254);
    t.index(['stripe_object_id']);
    t.index(['booking_id']);
    t.check("?? in ('explained', 'attached')", ['kind'], 'finance_explanations_kind');
  });
  await knex.raw('CREATE UNIQUE INDEX finance_explanations_in_force ON finance_explanations (stripe_object_id) WHERE withdrawn_at IS NULL');

  await knex.schema.alterTable('balance_transactions', (t) => {
    t.string('card_last4', 4);
    instant(t, 'dispute_due_by');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('balance_transactions', (t) => {
    t.dropColumn('card_last4');
    t.dropColumn('dispute_due_by');
  });
  await knex.schema.dropTable('finance_explanations');
}
