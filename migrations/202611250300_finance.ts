import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/**
 * The treasurer's mirror of Stripe: balance transactions and payouts, kept by the Stripe sync, and
 * the sync's own state (a cursor per list and a lease so two instances never sync at once).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('balance_transactions', (t) => {
    t.string('id', 255).primary();
    t.string('type', 40).notNullable();
    t.string('reporting_category', 60).notNullable();
    t.integer('amount').notNullable();
    t.integer('fee').notNullable();
    t.integer('net').notNullable();
    t.string('currency', 3).notNullable();
    t.text('fee_details').notNullable().defaultTo('[]');
    t.string('source_id', 255);
    // The charge a charge, refund or dispute concerns (from the expanded source), to find its booking.
    t.string('charge_id', 255);
    t.string('status', 20).notNullable();
    t.string('description', 500);
    // Set from balance_transactions.list({ payout }); the plain list does not say.
    t.string('payout_id', 255);
    instant(t, 'created_at').notNullable();
    instant(t, 'available_on').notNullable();
    instant(t, 'synced_at').notNullable();
    t.index(['created_at']);
    t.index(['payout_id']);
    t.index(['source_id']);
    t.index(['charge_id']);
  });

  await knex.schema.createTable('payouts', (t) => {
    t.string('id', 255).primary();
    t.integer('amount').notNullable();
    t.string('currency', 3).notNullable();
    t.string('status', 20).notNullable();
    t.string('reconciliation_status', 20);
    t.boolean('is_automatic').notNullable().defaultTo(true);
    t.string('balance_transaction_id', 255);
    t.string('failure_code', 100);
    t.string('description', 500);
    instant(t, 'arrival_date').notNullable();
    instant(t, 'created_at').notNullable();
    // When its balance transactions were last fetched in full; null means not yet.
    instant(t, 'lines_synced_at');
    instant(t, 'synced_at').notNullable();
    t.index(['arrival_date']);
    t.index(['status']);
  });

  await knex.schema.createTable('stripe_sync_state', (t) => {
    t.string('name', 40).primary();
    // Lists: everything created before this (less an overlap) is stored.
    instant(t, 'cursor_created');
    // A run that stopped half-way: the newest object it saw, and the oldest page it stored.
    instant(t, 'run_newest');
    instant(t, 'run_oldest');
    // The lease row: who is syncing and until when.
    t.string('lease_owner', 64);
    instant(t, 'lease_until');
    instant(t, 'last_started_at');
    instant(t, 'last_success_at');
    t.text('last_error');
  });
  await knex('stripe_sync_state').insert([{ name: 'lease' }, { name: 'balance_transactions' }, { name: 'payouts' }]);

  await knex.schema.alterTable('refunds', (t) => {
    t.string('stripe_balance_transaction_id', 255);
    t.string('stripe_payout_id', 255);
  });
  await knex.schema.alterTable('payments', (t) => {
    t.index(['stripe_charge_id']);
    t.index(['stripe_payout_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    t.dropIndex(['stripe_charge_id']);
    t.dropIndex(['stripe_payout_id']);
  });
  await knex.schema.alterTable('refunds', (t) => {
    t.dropColumn('stripe_balance_transaction_id');
    t.dropColumn('stripe_payout_id');
  });
  for (const table of ['stripe_sync_state', 'payouts', 'balance_transactions']) await knex.schema.dropTableIfExists(table);
}
