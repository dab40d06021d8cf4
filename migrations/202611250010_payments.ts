import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('bookings', (t) => {
    t.string('invoice_status', 20);
    instant(t, 'invoice_paid_at');
    t.integer('checkout_attempts').notNullable().defaultTo(0);
    t.integer('refunded_total').notNullable().defaultTo(0);
    instant(t, 'sweep_lease_until');
    t.index(['stripe_payment_intent_id']);
  });

  await knex.schema.createTable('payments', (t) => {
    t.increments('id');
    t.integer('booking_id').references('id').inTable('bookings');
    t.string('method', 10).notNullable();
    t.string('status', 20).notNullable();
    t.integer('amount').notNullable();
    t.string('currency', 3).notNullable();
    t.integer('amount_refunded').notNullable().defaultTo(0);
    t.string('stripe_payment_intent_id', 255).unique();
    t.string('stripe_charge_id', 255);
    t.string('stripe_checkout_session_id', 255);
    t.string('stripe_balance_transaction_id', 255);
    t.integer('fee');
    t.integer('net');
    t.string('stripe_payout_id', 255);
    t.string('bank_reference', 200);
    t.boolean('needs_refund').notNullable().defaultTo(false);
    t.string('note', 500);
    instant(t, 'paid_at').notNullable();
    instant(t, 'created_at').notNullable();
    instant(t, 'updated_at').notNullable();
    t.index(['booking_id']);
    t.index(['needs_refund']);
  });

  await knex.schema.createTable('refunds', (t) => {
    t.increments('id');
    t.integer('payment_id').references('id').inTable('payments');
    t.integer('booking_id').references('id').inTable('bookings');
    t.string('stripe_refund_id', 255).unique();
    t.integer('amount').notNullable();
    t.string('currency', 3).notNullable();
    t.string('status', 20).notNullable();
    t.string('reason', 500);
    t.string('initiated_by', 20).notNullable();
    t.text('attendee_ids');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    instant(t, 'created_at').notNullable();
    instant(t, 'updated_at').notNullable();
    t.index(['booking_id']);
    t.index(['status']);
  });

  await knex.schema.createTable('disputes', (t) => {
    t.increments('id');
    t.string('stripe_dispute_id', 255).notNullable().unique();
    t.integer('payment_id').references('id').inTable('payments');
    t.integer('booking_id').references('id').inTable('bookings');
    t.string('stripe_charge_id', 255);
    t.integer('amount').notNullable();
    t.string('currency', 3).notNullable();
    t.string('status', 40).notNullable();
    t.string('reason', 100);
    instant(t, 'created_at').notNullable();
    instant(t, 'updated_at').notNullable();
  });

  await knex.schema.createTable('stripe_events', (t) => {
    t.string('id', 255).primary();
    t.string('type', 100).notNullable();
    t.integer('booking_id');
    instant(t, 'created_at').notNullable();
    instant(t, 'processed_at').notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['stripe_events', 'disputes', 'refunds', 'payments']) await knex.schema.dropTableIfExists(table);
  await knex.schema.alterTable('bookings', (t) => {
    t.dropIndex(['stripe_payment_intent_id']);
    for (const c of ['invoice_status', 'invoice_paid_at', 'checkout_attempts', 'refunded_total', 'sweep_lease_until']) t.dropColumn(c);
  });
}
