import type { Knex } from 'knex';

/**
 * How each person takes part, and whether they joined online. Shared ground for online and hybrid events (how a seat
 * is attended) and for certificates (who attended):
 * - `events.mode`: `in_person`, `online` or `hybrid`;
 * - `attendees.mode`: `in_person` or `online`, the way this seat attends (for a hybrid event, chosen at booking);
 * - `attendees.joined_at`: the UTC instant the attendee first opened their personal joining link (NULL: never).
 * Existing rows are in person, as every event was before.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.string('mode', 20).notNullable().defaultTo('in_person');
  });
  await knex.schema.alterTable('attendees', (t) => {
    t.string('mode', 20).notNullable().defaultTo('in_person');
    t.timestamp('joined_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attendees', (t) => {
    t.dropColumn('joined_at');
    t.dropColumn('mode');
  });
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('mode');
  });
}
