import type { Knex } from 'knex';

const instant = (t: Knex.CreateTableBuilder, name: string) => t.timestamp(name, { useTz: true });

/**
 * Seats of their own (issue 15). Each attendee gets a private link to their own place:
 * - `attendees.manage_token_hash`: the SHA-256 of the seat's token, as `bookings.manage_token_hash` is for the booking's
 *   (the token itself is never stored). NULL for seats placed before this migration: they have no seat link, and
 *   their people manage them through the buyer.
 * - `attendees.details_version`: counts changes to a seat's details, so each change's emails have a dedupe key of
 *   their own (a place passed A → B → A → B is emailed each time, never twice for one change).
 * - `events.seat_changes_until`: the organiser's cut-off for changing or cancelling a single place; NULL means the
 *   default (the refund deadline, or the event's start).
 * Adding nullable or defaulted columns does not rebuild the table on SQLite.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attendees', (t) => {
    t.string('manage_token_hash', 64);
    t.integer('details_version').notNullable().defaultTo(0);
  });
  await knex.schema.alterTable('events', (t) => {
    instant(t, 'seat_changes_until');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('seat_changes_until');
  });
  await knex.schema.alterTable('attendees', (t) => {
    t.dropColumn('details_version');
    t.dropColumn('manage_token_hash');
  });
}
