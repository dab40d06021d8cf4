import type { Knex } from 'knex';

/**
 * Registration questions and discount codes (issue 18).
 *
 * - `event_questions`: what organisers ask at booking, per booking or per attendee (`scope`), of a `kind` (short_text,
 *   long_text, single_choice, multiple_choice, yes_no), optionally shown only when an earlier question's answer is
 *   `condition_value`. A question that has answers is archived rather than deleted.
 * - `booking_answers`: one row per answer, with the question's wording (`label`), kind and sensitivity *as they were when
 *   answered*, so editing a question later leaves old answers reading as they were given. `attendee_id` is NULL for a
 *   per-booking answer. `value` is text (a multiple choice: a JSON array of the options chosen; yes/no: `yes`/`no`).
 * - `discount_codes`: per event (`event_id`) or for every event (NULL); `kind` amount (minor units off each seat),
 *   percent (off each seat) or free; valid between two instants; `max_uses` seats in all and `max_per_booking` seats in
 *   one booking (NULL: no limit); `reveals_ticket_type_id`, a hidden ticket type the code opens. `code` is stored in
 *   upper case and is unique. Uses are never stored: they are counted from the seats that carry the code (as seats are).
 * - `discount_code_ticket_types`: the ticket types a code is limited to (none: every ticket type of its events).
 * - `ticket_types.is_hidden`: not on sale publicly; only a code that reveals it books it.
 * - `bookings.discount_code_id`, `discount_code` (the code as typed, kept if the code is deleted), `discount_total`.
 * - `attendees.list_price` (the price the buyer was entitled to before the code; NULL on older rows means unit_price),
 *   `attendees.discount_amount` and `attendees.discount_code_id`. `unit_price` stays what the seat is charged, so every
 *   sum of it (finance, refunds, reconciliation) is still the money.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('event_questions', (t) => {
    t.increments('id').primary();
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.integer('position').notNullable().defaultTo(0);
    t.string('scope', 20).notNullable();
    t.string('kind', 20).notNullable();
    t.string('label', 300).notNullable();
    t.string('help_text', 1000).notNullable().defaultTo('');
    t.text('options').notNullable().defaultTo('[]');
    t.boolean('is_required').notNullable().defaultTo(false);
    t.boolean('is_sensitive').notNullable().defaultTo(false);
    t.integer('condition_question_id').references('id').inTable('event_questions').onDelete('SET NULL');
    t.string('condition_value', 300);
    t.boolean('is_archived').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['event_id', 'position']);
  });
  await knex.schema.createTable('booking_answers', (t) => {
    t.increments('id').primary();
    t.integer('booking_id').notNullable().references('id').inTable('bookings').onDelete('CASCADE');
    t.integer('attendee_id').references('id').inTable('attendees').onDelete('CASCADE');
    t.integer('question_id').references('id').inTable('event_questions').onDelete('SET NULL');
    t.string('label', 300).notNullable();
    t.string('kind', 20).notNullable();
    t.boolean('is_sensitive').notNullable().defaultTo(false);
    t.text('value');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('removed_at', { useTz: true });
    t.index(['booking_id']);
    t.index(['question_id']);
  });
  await knex.schema.alterTable('ticket_types', (t) => {
    t.boolean('is_hidden').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('discount_codes', (t) => {
    t.increments('id').primary();
    t.integer('event_id').references('id').inTable('events').onDelete('CASCADE');
    t.string('code', 40).notNullable().unique();
    t.string('kind', 20).notNullable();
    t.integer('amount').notNullable().defaultTo(0);
    t.integer('percent').notNullable().defaultTo(0);
    t.string('currency', 3).notNullable().defaultTo('GBP');
    t.timestamp('valid_from', { useTz: true });
    t.timestamp('valid_until', { useTz: true });
    t.integer('max_uses');
    t.integer('max_per_booking');
    t.integer('reveals_ticket_type_id').references('id').inTable('ticket_types').onDelete('SET NULL');
    t.string('note', 300).notNullable().defaultTo('');
    t.boolean('is_active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('discount_code_ticket_types', (t) => {
    t.integer('discount_code_id').notNullable().references('id').inTable('discount_codes').onDelete('CASCADE');
    t.integer('ticket_type_id').notNullable().references('id').inTable('ticket_types').onDelete('CASCADE');
    t.primary(['discount_code_id', 'ticket_type_id']);
  });
  // No foreign key on the columns added to existing tables: knex adds one on SQLite by rebuilding the table, which
  // drops its triggers (the catalogue version's, migrations/202611292100). Codes are withdrawn, never deleted.
  await knex.schema.alterTable('bookings', (t) => {
    t.integer('discount_code_id');
    t.string('discount_code', 40);
    t.integer('discount_total').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('attendees', (t) => {
    t.integer('list_price');
    t.integer('discount_amount').notNullable().defaultTo(0);
    t.integer('discount_code_id');
    t.index(['discount_code_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attendees', (t) => {
    t.dropIndex(['discount_code_id']);
    t.dropColumn('discount_code_id');
    t.dropColumn('discount_amount');
    t.dropColumn('list_price');
  });
  await knex.schema.alterTable('bookings', (t) => {
    t.dropColumn('discount_total');
    t.dropColumn('discount_code');
    t.dropColumn('discount_code_id');
  });
  await knex.schema.dropTable('discount_code_ticket_types');
  await knex.schema.dropTable('discount_codes');
  await knex.schema.alterTable('ticket_types', (t) => {
    t.dropColumn('is_hidden');
  });
  await knex.schema.dropTable('booking_answers');
  await knex.schema.dropTable('event_questions');
}
