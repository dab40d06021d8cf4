import { readCatalogueVersion } from '../../src/events/queries';
import { toDbTime } from '../../src/lib/time';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { buildEvent, buildHold, type BuiltEvent } from '../support/factories';

/**
 * The catalogue cache rebuilds when the catalogue version moves (migrations/202611292100_catalogue_version.ts), so
 * every write that changes what the public catalogue shows must move it, whoever makes it; writes that change
 * nothing shown need not.
 */

let testDb: TestDatabase;
let event: BuiltEvent;
let hold: { id: number };

beforeAll(async () => {
  testDb = await createTestDatabase();
  event = await buildEvent(testDb.db, { capacity: 10 });
  hold = await buildHold(testDb.db, event, { seats: 2, holdExpiresAt: new Date('2026-03-02T12:30:00Z') });
});
afterAll(() => testDb.destroy());

const at = (iso: string) => toDbTime(new Date(iso));
const db = () => testDb.db;

async function moves(write: () => Promise<unknown>): Promise<boolean> {
  const before = await readCatalogueVersion(db());
  await write();
  return (await readCatalogueVersion(db())) !== before;
}

describe('the catalogue version', () => {
  it.each<[string, () => Promise<unknown>]>([
    ['an event is edited', () => db()('events').where({ id: event.id }).update({ capacity: 12 })],
    ['an event is added', () => buildEvent(db(), { status: 'draft' })],
    ['a ticket type is added', () => db()('ticket_types').insert({ event_id: event.id, name: 'Student', price: 0, currency: 'GBP', position: 1 })],
    ['a ticket type is changed', () => db()('ticket_types').where({ id: event.ticketTypeIds[0] }).update({ quota: 5 })],
    ['a seat is taken', () => buildHold(db(), event, { seats: 1, holdExpiresAt: new Date('2026-03-02T13:00:00Z') })],
    ['a seat is given back', () => db()('attendees').where({ booking_id: hold.id }).limit(1).update({ status: 'cancelled' })],
    ['a hold is brought forward', () => db()('bookings').where({ id: hold.id }).update({ hold_expires_at: at('2026-03-02T12:20:00Z') })],
    ['a payment goes in flight, keeping a hold past its expiry', () => db()('bookings').where({ id: hold.id }).update({ payment_processing_since: at('2026-03-02T12:10:00Z') })],
    ['a booking changes status', () => db()('bookings').where({ id: hold.id }).update({ status: 'confirmed', payment_processing_since: null })],
  ])('when %s, then it moves', async (_what, write) => {
    expect(await moves(write)).toBe(true);
  });

  it.each<[string, () => Promise<unknown>]>([
    ['a hold is extended (the seats stay taken; the cache rebuilds at the old expiry anyway)', async () => {
      const other = await buildHold(db(), event, { seats: 1, holdExpiresAt: new Date('2026-03-02T12:30:00Z') });
      const before = await readCatalogueVersion(db());
      await db()('bookings').where({ id: other.id }).update({ hold_expires_at: at('2026-03-02T13:30:00Z') });
      return before;
    }],
    ['someone is checked in at the door', async () => {
      const before = await readCatalogueVersion(db());
      await db()('attendees').where({ event_id: event.id }).update({ checked_in_at: at('2026-03-17T18:05:00Z') });
      return before;
    }],
    ['the sweeper leases a hold', async () => {
      const before = await readCatalogueVersion(db());
      await db()('bookings').where({ event_id: event.id }).update({ sweep_lease_until: at('2026-03-02T12:35:00Z') });
      return before;
    }],
  ])('when %s, then it stays', async (_what, write) => {
    const before = await write();
    expect(await readCatalogueVersion(db())).toBe(before);
  });
});
