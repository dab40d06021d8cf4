import type { Knex } from 'knex';

/**
 * A counter on each event that the database itself bumps whenever something the public catalogue shows about the
 * event changes: the event or its ticket types, a seat taken or given back (attendees), a booking changing status, a
 * hold brought forward, a payment starting or ending its time in flight (which keeps a hold live past its expiry). The catalogue cache (src/events/catalogue.ts) reads the sum of the counters to learn, with
 * one cheap query, that it must rebuild. Triggers rather than application code, so that every writer is covered:
 * each instance, the CLI, code written later.
 *
 * Every write that fires these already holds the event's lock (SELECT … FOR UPDATE on PostgreSQL, the single writer on
 * SQLite), so bumping the event row adds no lock. Extending a hold (checkout, Stripe's 30-minute minimum) does not
 * bump: the seat stays taken, and the cache rebuilds at the old expiry anyway.
 */
const BOOKING_CHANGED_SQLITE =
  'OLD.status IS NOT NEW.status OR NEW.hold_expires_at < OLD.hold_expires_at OR OLD.payment_processing_since IS NOT NEW.payment_processing_since';
const BOOKING_CHANGED_PG =
  'OLD.status IS DISTINCT FROM NEW.status OR NEW.hold_expires_at < OLD.hold_expires_at OR OLD.payment_processing_since IS DISTINCT FROM NEW.payment_processing_since';
const BOOKING_COLUMNS = 'status, hold_expires_at, payment_processing_since';

function sqliteTriggers(): string[] {
  const bump = (eventId: string) => `UPDATE events SET catalogue_version = catalogue_version + 1 WHERE id = ${eventId};`;
  return [
    `CREATE TRIGGER catalogue_event_changed AFTER UPDATE ON events WHEN NEW.catalogue_version = OLD.catalogue_version
       BEGIN ${bump('NEW.id')} END`,
    `CREATE TRIGGER catalogue_ticket_type_added AFTER INSERT ON ticket_types BEGIN ${bump('NEW.event_id')} END`,
    `CREATE TRIGGER catalogue_ticket_type_changed AFTER UPDATE ON ticket_types BEGIN ${bump('OLD.event_id')} ${bump('NEW.event_id')} END`,
    `CREATE TRIGGER catalogue_ticket_type_removed AFTER DELETE ON ticket_types BEGIN ${bump('OLD.event_id')} END`,
    `CREATE TRIGGER catalogue_seat_added AFTER INSERT ON attendees BEGIN ${bump('NEW.event_id')} END`,
    `CREATE TRIGGER catalogue_seat_changed AFTER UPDATE OF status, event_id, ticket_type_id, booking_id ON attendees
       BEGIN ${bump('OLD.event_id')} ${bump('NEW.event_id')} END`,
    `CREATE TRIGGER catalogue_seat_removed AFTER DELETE ON attendees BEGIN ${bump('OLD.event_id')} END`,
    `CREATE TRIGGER catalogue_booking_changed AFTER UPDATE OF ${BOOKING_COLUMNS} ON bookings WHEN ${BOOKING_CHANGED_SQLITE}
       BEGIN ${bump('NEW.event_id')} END`,
  ];
}

const PG_FUNCTIONS = [
  `CREATE FUNCTION catalogue_event_changed() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF NEW.catalogue_version = OLD.catalogue_version THEN NEW.catalogue_version := OLD.catalogue_version + 1; END IF;
     RETURN NEW;
   END $$`,
  // For rows that belong to an event (ticket_types, attendees, bookings): bump the event of the old and the new row.
  `CREATE FUNCTION catalogue_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP <> 'INSERT' THEN UPDATE events SET catalogue_version = catalogue_version + 1 WHERE id = OLD.event_id; END IF;
     IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.event_id <> OLD.event_id) THEN
       UPDATE events SET catalogue_version = catalogue_version + 1 WHERE id = NEW.event_id;
     END IF;
     RETURN NULL;
   END $$`,
];

const PG_TRIGGERS = [
  'CREATE TRIGGER catalogue_event_changed BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION catalogue_event_changed()',
  'CREATE TRIGGER catalogue_ticket_type_changed AFTER INSERT OR UPDATE OR DELETE ON ticket_types FOR EACH ROW EXECUTE FUNCTION catalogue_row_changed()',
  'CREATE TRIGGER catalogue_seat_added_or_removed AFTER INSERT OR DELETE ON attendees FOR EACH ROW EXECUTE FUNCTION catalogue_row_changed()',
  'CREATE TRIGGER catalogue_seat_changed AFTER UPDATE OF status, event_id, ticket_type_id, booking_id ON attendees FOR EACH ROW EXECUTE FUNCTION catalogue_row_changed()',
  `CREATE TRIGGER catalogue_booking_changed AFTER UPDATE OF ${BOOKING_COLUMNS} ON bookings FOR EACH ROW
     WHEN (${BOOKING_CHANGED_PG}) EXECUTE FUNCTION catalogue_row_changed()`,
];

const TRIGGER_TABLES: Array<[string, string]> = [
  ['catalogue_event_changed', 'events'],
  ['catalogue_ticket_type_added', 'ticket_types'],
  ['catalogue_ticket_type_changed', 'ticket_types'],
  ['catalogue_ticket_type_removed', 'ticket_types'],
  ['catalogue_seat_added', 'attendees'],
  ['catalogue_seat_changed', 'attendees'],
  ['catalogue_seat_removed', 'attendees'],
  ['catalogue_seat_added_or_removed', 'attendees'],
  ['catalogue_booking_changed', 'bookings'],
];

const isPg = (knex: Knex) => knex.client.config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('events', (t) => {
    t.integer('catalogue_version').notNullable().defaultTo(0);
  });
  for (const sql of isPg(knex) ? [...PG_FUNCTIONS, ...PG_TRIGGERS] : sqliteTriggers()) await knex.raw(sql);
}

export async function down(knex: Knex): Promise<void> {
  for (const [name, table] of TRIGGER_TABLES) await knex.raw(isPg(knex) ? `DROP TRIGGER IF EXISTS ${name} ON ${table}` : `DROP TRIGGER IF EXISTS ${name}`);
  if (isPg(knex)) for (const fn of ['catalogue_event_changed', 'catalogue_row_changed']) await knex.raw(`DROP FUNCTION IF EXISTS ${fn}()`);
  await knex.schema.alterTable('events', (t) => {
    t.dropColumn('catalogue_version');
  });
}
