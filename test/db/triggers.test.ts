import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';

/**
 * Rules kept by database triggers (the refund cap on SQLite, the catalogue version on both) must survive every later
 * migration. On SQLite, knex makes some table changes (adding a foreign-key column, for one) by copying the table to a
 * new one, which silently drops the old table's triggers: places left then stopped changing after bookings, which only
 * a catalogue test happened to notice. This names every trigger that must exist once all migrations have run.
 */
const SQLITE_TRIGGERS = [
  'bookings_refund_cap_insert', 'bookings_refund_cap_update', 'payments_refund_cap_insert', 'payments_refund_cap_update',
  'catalogue_booking_changed', 'catalogue_event_changed', 'catalogue_seat_added', 'catalogue_seat_changed', 'catalogue_seat_removed',
  'catalogue_ticket_type_added', 'catalogue_ticket_type_changed', 'catalogue_ticket_type_removed',
];
const POSTGRES_TRIGGERS = [
  'bookings.catalogue_booking_changed', 'events.catalogue_event_changed', 'attendees.catalogue_seat_added_or_removed',
  'attendees.catalogue_seat_changed', 'ticket_types.catalogue_ticket_type_changed',
];

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.destroy());

describe('database triggers after every migration', () => {
  it('when all migrations have run, then every trigger that keeps a rule is still there', async () => {
    if (onPostgres) {
      const rows = await t.db.raw(
        `SELECT c.relname || '.' || tg.tgname AS name FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid WHERE NOT tg.tgisinternal`,
      );
      expect((rows.rows as Array<{ name: string }>).map((r) => r.name).sort()).toEqual([...POSTGRES_TRIGGERS].sort());
    } else {
      const rows = (await t.db('sqlite_master').where({ type: 'trigger' }).select('name')) as Array<{ name: string }>;
      expect(rows.map((r) => r.name).sort()).toEqual([...SQLITE_TRIGGERS].sort());
    }
  });
});
