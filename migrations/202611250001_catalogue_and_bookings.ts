import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

export async function up(knex: Knex): Promise<void> {
  // One row that SQLite write transactions update first, to take the write lock before they read.
  await knex.schema.createTable('app_lock', (t) => {
    t.integer('id').primary();
  });
  await knex('app_lock').insert({ id: 1 });

  await knex.schema.createTable('events', (t) => {
    t.increments('id');
    t.string('slug', 120).notNullable().unique();
    t.string('kind', 20).notNullable();
    t.string('title', 200).notNullable();
    t.string('summary', 500).notNullable().defaultTo('');
    t.text('description').notNullable().defaultTo('');
    t.string('venue', 300).notNullable().defaultTo('');
    t.string('address', 500).notNullable().defaultTo('');
    t.string('region', 40).notNullable();
    t.string('online_url', 500);
    instant(t, 'starts_at').notNullable();
    instant(t, 'ends_at').notNullable();
    t.string('timezone', 64).notNullable();
    t.integer('capacity').notNullable();
    t.string('status', 20).notNullable().defaultTo('draft');
    instant(t, 'booking_opens_at');
    instant(t, 'booking_closes_at');
    t.integer('sequence').notNullable().defaultTo(0);
    t.string('currency', 3).notNullable().defaultTo('GBP');
    t.boolean('allows_invoice').notNullable().defaultTo(false);
    instant(t, 'refund_deadline_at');
    t.integer('refund_fee').notNullable().defaultTo(0);
    t.string('contact_email', 200);
    t.boolean('is_agm').notNullable().defaultTo(false);
    instant(t, 'cancelled_at');
    instant(t, 'created_at').notNullable();
    instant(t, 'updated_at').notNullable();
    t.index(['status', 'starts_at']);
  });

  await knex.schema.createTable('ticket_types', (t) => {
    t.increments('id');
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.string('name', 120).notNullable();
    t.string('description', 300).notNullable().defaultTo('');
    t.integer('price').notNullable().defaultTo(0);
    t.string('currency', 3).notNullable().defaultTo('GBP');
    t.boolean('members_only').notNullable().defaultTo(false);
    t.integer('quota');
    instant(t, 'sales_starts_at');
    instant(t, 'sales_ends_at');
    t.integer('position').notNullable().defaultTo(0);
    t.boolean('is_active').notNullable().defaultTo(true);
    t.index(['event_id']);
  });

  await knex.schema.createTable('bookings', (t) => {
    t.increments('id');
    t.string('reference', 20).notNullable().unique();
    t.integer('event_id').notNullable().references('id').inTable('events');
    t.string('status', 20).notNullable();
    t.string('buyer_name', 200).notNullable();
    t.string('buyer_email', 254).notNullable();
    t.string('buyer_email_normalised', 254).notNullable();
    t.string('buyer_organisation', 200);
    t.integer('total').notNullable().defaultTo(0);
    t.string('currency', 3).notNullable().defaultTo('GBP');
    t.string('payment_method', 10).notNullable().defaultTo('none');
    instant(t, 'hold_expires_at');
    t.string('stripe_checkout_session_id', 255).unique();
    t.string('stripe_payment_intent_id', 255);
    t.string('purchase_order', 100);
    t.string('billing_contact', 300);
    t.string('manage_token_hash', 64).notNullable();
    instant(t, 'confirmed_at');
    instant(t, 'cancelled_at');
    t.string('cancel_reason', 300);
    instant(t, 'created_at').notNullable();
    instant(t, 'updated_at').notNullable();
    t.index(['event_id', 'status']);
    t.index(['event_id', 'buyer_email_normalised']);
    t.index(['status', 'hold_expires_at']);
  });

  await knex.schema.createTable('attendees', (t) => {
    t.increments('id');
    t.integer('booking_id').notNullable().references('id').inTable('bookings').onDelete('CASCADE');
    t.integer('event_id').notNullable().references('id').inTable('events');
    t.integer('ticket_type_id').notNullable().references('id').inTable('ticket_types');
    t.string('status', 20).notNullable().defaultTo('active');
    t.string('name', 200).notNullable();
    t.string('email', 254).notNullable();
    t.string('email_normalised', 254).notNullable();
    t.string('organisation', 200);
    t.string('dietary', 500);
    t.string('accessibility', 500);
    t.integer('unit_price').notNullable().defaultTo(0);
    t.string('currency', 3).notNullable().defaultTo('GBP');
    t.string('ical_uid', 120).notNullable().unique();
    instant(t, 'checked_in_at');
    instant(t, 'cancelled_at');
    instant(t, 'created_at').notNullable();
    t.index(['booking_id']);
    t.index(['event_id', 'status']);
  });

  await knex.schema.createTable('outbox_emails', (t) => {
    t.increments('id');
    t.string('dedupe_key', 200).notNullable().unique();
    t.string('kind', 40).notNullable();
    t.integer('event_id').references('id').inTable('events');
    t.integer('booking_id').references('id').inTable('bookings');
    t.string('to_address', 254).notNullable();
    t.string('to_name', 200);
    t.string('subject', 300).notNullable();
    t.text('text_body').notNullable();
    t.text('html_body').notNullable();
    t.string('ical_method', 10);
    t.text('ical_content');
    t.string('status', 10).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    instant(t, 'next_attempt_at').notNullable();
    instant(t, 'locked_until');
    t.text('last_error');
    t.string('message_id', 255).notNullable();
    instant(t, 'created_at').notNullable();
    instant(t, 'sent_at');
    t.index(['status', 'next_attempt_at']);
    t.index(['booking_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['outbox_emails', 'attendees', 'bookings', 'ticket_types', 'events', 'app_lock']) {
    await knex.schema.dropTableIfExists(table);
  }
}
