import { down, up } from '../../migrations/202612024000_audit_event';
import { buildEvent, freeBookingBody } from '../support/factories';
import { startTestApp, type TestApp } from '../support/app';
import request from 'supertest';
import { CLI_ACTOR, recordAudit } from '../../src/admin/audit/log';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('migration 202612024000_audit_event', () => {
  it('when entries written before it are migrated, then each about an event, booking, seat or ticket type names its event; others none', async () => {
    const event = await buildEvent(t.db);
    const other = await buildEvent(t.db);
    const booked = await request(t.app).post(`/api/v1/events/${other.slug}/bookings`).send(freeBookingBody('migrated')).expect(201);
    const booking = await t.db('bookings').where({ reference: booked.body.booking.reference }).first();
    const seat = await t.db('attendees').where({ booking_id: booking.id }).first();
    await down(t.db);
    const at = '2026-02-01T09:00:00.000Z';
    const entry = (action: string, targetType: string, targetId: string | null) => ({ user_id: null, actor: 'command line', action, target_type: targetType, target_id: targetId, details: '{}', at });
    await t.db('audit_log').insert([
      entry('event_published', 'event', String(event.id)),
      entry('refund_requested', 'booking', String(booking.id)),
      entry('checked_in', 'attendee', String(seat.id)),
      entry('ticket_type_created', 'ticket_type', String(event.ticketTypeIds[0])),
      entry('role_changed', 'user', '1'),
      entry('mismatch_explained', 'stripe_object', 'ch_123'),
      entry('totp_requirement_changed', 'setting', 'require_two_factor'),
      entry('members_imported', 'members', null),
    ]);

    await up(t.db);

    const rows = await t.db('audit_log').where({ at }).orderBy('id').select('action', 'event_id');
    expect(rows.map((r) => [r.action, r.event_id === null ? null : Number(r.event_id)])).toEqual([
      ['event_published', event.id],
      ['refund_requested', other.id],
      ['checked_in', other.id],
      ['ticket_type_created', event.id],
      ['role_changed', null],
      ['mismatch_explained', null],
      ['totp_requirement_changed', null],
      ['members_imported', null],
    ]);
  });

  it('when a new entry is about a booking, a seat or a ticket type, then it is written with the event it belongs to', async () => {
    const event = await buildEvent(t.db);
    const booked = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody('written')).expect(201);
    const booking = await t.db('bookings').where({ reference: booked.body.booking.reference }).first();
    const seat = await t.db('attendees').where({ booking_id: booking.id }).first();
    const at = new Date('2026-02-02T09:00:00Z');
    await recordAudit(t.db, CLI_ACTOR, { action: 'test_booking', targetType: 'booking', targetId: booking.id }, at);
    await recordAudit(t.db, CLI_ACTOR, { action: 'test_seat', targetType: 'attendee', targetId: seat.id }, at);
    await recordAudit(t.db, CLI_ACTOR, { action: 'test_ticket', targetType: 'ticket_type', targetId: event.ticketTypeIds[0] }, at);
    await recordAudit(t.db, CLI_ACTOR, { action: 'test_stripe', targetType: 'stripe_object', targetId: 'ch_1' }, at);
    const rows = await t.db('audit_log').whereIn('action', ['test_booking', 'test_seat', 'test_ticket', 'test_stripe']).orderBy('id').select('event_id');
    expect(rows.map((r) => (r.event_id === null ? null : Number(r.event_id)))).toEqual([event.id, event.id, event.id, null]);
  });
});
