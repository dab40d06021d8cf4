import type { Knex } from 'knex';

/**
 * What an event's venue offers for access, filled in by the organiser and shown on the event page before booking and
 * in the booking emails (issue 17, "What attendees are told"): step-free access, a hearing loop, live captions, a
 * British Sign Language interpreter on request, a quiet room, the nearest accessible transport, and anything else.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.boolean('access_step_free').notNullable().defaultTo(false);
    t.boolean('access_hearing_loop').notNullable().defaultTo(false);
    t.boolean('access_captions').notNullable().defaultTo(false);
    t.boolean('access_bsl').notNullable().defaultTo(false);
    t.boolean('access_quiet_room').notNullable().defaultTo(false);
    t.string('access_transport', 500);
    t.string('access_notes', 1000);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    for (const c of ['access_step_free', 'access_hearing_loop', 'access_captions', 'access_bsl', 'access_quiet_room', 'access_transport', 'access_notes']) t.dropColumn(c);
  });
}
