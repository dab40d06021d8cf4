import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/**
 * The announcement list (src/announcements):
 * - `subscribers`: one row per address (normalised as bookings are), `pending` until the person confirms from the
 *   email (double opt-in), then `confirmed`. What they follow: every event, or some kinds and regions. The consent
 *   record (when and where) stays with the row. `token_hash` finds the subscriber's private page; `confirm_token_hash`
 *   the confirmation link, valid 7 days from `confirm_sent_at`. Refusals by the mail relay are counted against it.
 * - `subscriber_suppressions`: what is left of an address that unsubscribed: its SHA-256 and the date, so an import
 *   cannot add it again.
 * - `announcements`: one row for "a new event" (at most one per event: `new_for_event` is unique) and one per update
 *   sent to the same audience later; `request_key` makes a pressed-twice send one send.
 * - `announcement_recipients`: who each announcement was addressed to (the audience of a later update).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('subscribers', (t) => {
    t.increments('id');
    t.string('email', 254).notNullable().unique();
    t.string('status', 12).notNullable();
    t.boolean('all_events').notNullable();
    t.string('kinds', 200).notNullable().defaultTo('');
    t.string('regions', 200).notNullable().defaultTo('');
    t.string('token_hash', 64).notNullable().unique();
    t.string('token_salt', 64).notNullable();
    t.string('confirm_token_hash', 64).unique();
    instant(t, 'confirm_sent_at');
    instant(t, 'confirmed_at');
    instant(t, 'consent_at');
    t.string('consent_source', 200);
    t.integer('refusals').notNullable().defaultTo(0);
    instant(t, 'last_refusal_at');
    t.string('last_refusal', 500);
    instant(t, 'created_at').notNullable();
    instant(t, 'updated_at').notNullable();
    t.index(['status', 'confirm_sent_at']);
    t.check("?? in ('pending', 'confirmed')", ['status'], 'subscribers_status');
  });
  await knex.schema.createTable('subscriber_suppressions', (t) => {
    t.string('email_hash', 64).primary();
    instant(t, 'suppressed_at').notNullable();
  });
  await knex.schema.createTable('announcements', (t) => {
    t.increments('id');
    t.integer('event_id').notNullable().references('id').inTable('events').onDelete('CASCADE');
    t.string('kind', 10).notNullable();
    t.integer('new_for_event').unique();
    t.string('request_key', 64).notNullable().unique();
    t.string('subject', 200).notNullable();
    t.text('message').notNullable().defaultTo('');
    t.integer('recipient_count').notNullable().defaultTo(0);
    t.integer('user_id').references('id').inTable('users').onDelete('SET NULL');
    instant(t, 'created_at').notNullable();
    t.index(['event_id']);
    t.check("?? in ('new', 'update')", ['kind'], 'announcements_kind');
  });
  await knex.schema.createTable('announcement_recipients', (t) => {
    t.integer('announcement_id').notNullable().references('id').inTable('announcements').onDelete('CASCADE');
    t.integer('subscriber_id').notNullable().references('id').inTable('subscribers').onDelete('CASCADE');
    t.primary(['announcement_id', 'subscriber_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('announcement_recipients');
  await knex.schema.dropTable('announcements');
  await knex.schema.dropTable('subscriber_suppressions');
  await knex.schema.dropTable('subscribers');
}
