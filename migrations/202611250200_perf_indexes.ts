import type { Knex } from 'knex';

/**
 * Indexes for the booking path, found with the bench (bench/README.md):
 * - "is this email already booked for this event?" read every attendee row of the event; now it is one lookup.
 * - seats taken (availability) now counts from the index alone, without reading attendee rows; it replaces the
 *   (event_id, status) index, which is its prefix.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attendees', (t) => {
    t.index(['event_id', 'email_normalised'], 'attendees_event_email_index');
    t.index(['event_id', 'status', 'booking_id', 'ticket_type_id'], 'attendees_event_seats_index');
  });
  await knex.schema.alterTable('attendees', (t) => {
    t.dropIndex(['event_id', 'status']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('attendees', (t) => {
    t.index(['event_id', 'status']);
  });
  await knex.schema.alterTable('attendees', (t) => {
    t.dropIndex([], 'attendees_event_email_index');
    t.dropIndex([], 'attendees_event_seats_index');
  });
}
