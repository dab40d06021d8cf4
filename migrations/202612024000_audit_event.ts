import type { Knex } from 'knex';

/**
 * The audit log names the event an entry is about (`event_id`), so the log can be filtered by event: the event itself,
 * or the booking, seat or ticket type of one. Entries already written are filled in from their target; an entry about
 * anything else (a staff account, a Stripe object) has none. A plain column, not a foreign key: the log outlives
 * whatever it describes.
 */
const TARGETS: Array<[targetType: string, table: string, column: string]> = [
  ['event', 'events', 'id'],
  ['booking', 'bookings', 'event_id'],
  ['attendee', 'attendees', 'event_id'],
  ['ticket_type', 'ticket_types', 'event_id'],
];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.integer('event_id');
    t.index(['event_id', 'id'], 'audit_log_event_id_index');
    t.index(['user_id', 'id'], 'audit_log_user_id_index');
  });
  for (const [targetType, table, column] of TARGETS) {
    await knex.raw(
      `update audit_log set event_id = (select t.${column} from ${table} t where cast(t.id as text) = audit_log.target_id) where target_type = ? and target_id is not null`,
      [targetType],
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('audit_log', (t) => {
    t.dropIndex(['user_id', 'id'], 'audit_log_user_id_index');
    t.dropIndex(['event_id', 'id'], 'audit_log_event_id_index');
    t.dropColumn('event_id');
  });
}
