import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';
import { insertAttendees, insertBooking } from '../../src/bookings/queries';
import { refundBookingInFull } from '../../src/payments/refunds';
import { buildEvent, freeBookingBody, person } from '../support/factories';
import type { TestApp } from '../support/app';
import { inviteOf } from '../support/ical';
import { startWithOrganiser, type OrganiserApp, type SignedIn } from './helpers';

jest.mock('../../src/payments/refunds', () => ({ ...jest.requireActual('../../src/payments/refunds'), refundBookingInFull: jest.fn() }));
const refund = refundBookingInFull as jest.MockedFunction<typeof refundBookingInFull>;

let t: TestApp;
let server: Server;
let organiser: SignedIn;

let app: OrganiserApp;

beforeAll(async () => {
  app = await startWithOrganiser();
  ({ t, server, organiser } = app);
});
afterAll(() => app.close());
beforeEach(() => refund.mockReset());

const recipient = (mail: { to?: unknown }) => (mail.to as { value: Array<{ address: string }> }).value[0].address;

async function paidBooking(eventId: number, ticketTypeId: number, n: string, method: 'stripe' | 'invoice', price = 9500) {
  const p = person(n);
  const reference = `HSUG-${n.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(8, '0').slice(0, 4)}-${randomUUID().slice(0, 4).toUpperCase().replace(/[^0-9A-Z]/g, '0')}`;
  const { id } = (await insertBooking(t.db, { reference, eventId, status: 'confirmed', buyer: p, total: price, currency: 'GBP', paymentMethod: method, manageTokenHash: 'x'.repeat(64), now: new Date('2026-03-01T10:00:00Z'), purchaseOrder: method === 'invoice' ? 'PO-123' : undefined }))!;
  await insertAttendees(t.db, id, eventId, [{ ...p, ticketTypeId, unitPrice: price, currency: 'GBP', icalUid: `${randomUUID()}@events.test` }], new Date('2026-03-01T10:00:00Z'));
  return { id, reference };
}

describe('cancelling an event', () => {
  it('when a free event with 3 attendees and 1 waiting is cancelled, then 3 CANCELs with SEQUENCE+1 and their UIDs, a plain note to the waitlist, and every booking cancelled', async () => {
    const event = await buildEvent(t.db, { capacity: 3, sequence: 2 });
    for (let i = 1; i <= 4; i++) await request(server).post(`/api/v1/events/${event.slug}/bookings`).send(freeBookingBody(`cx-${i}`)).expect(201);
    await t.sendMail();
    const before = t.smtp.messages.length;
    const uids = Object.fromEntries((await t.db('attendees').where({ event_id: event.id }).select('email', 'ical_uid')).map((r) => [r.email, r.ical_uid]));

    const missing = await organiser.agent.post(`/admin/events/${event.slug}/cancel`).type('form').send({ _csrf: organiser.csrf, reason: 'Speaker unwell' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('Tick the box to confirm');

    const res = await organiser.agent.post(`/admin/events/${event.slug}/cancel`).type('form').send({ _csrf: organiser.csrf, reason: 'Speaker unwell', confirm: 'yes' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('is cancelled');

    await t.sendMail();
    const mails = t.smtp.messages.slice(before);
    expect(mails).toHaveLength(4);
    const withInvite = mails.filter((m) => recipient(m) !== person('cx-4').email);
    for (const mail of withInvite) {
      const invite = inviteOf(mail);
      expect(invite).toMatchObject({ method: 'CANCEL', sequence: 3, uid: uids[recipient(mail)] });
      expect(mail.text).toContain('Reason: Speaker unwell');
    }
    const note = mails.find((m) => recipient(m) === person('cx-4').email)!;
    expect(() => inviteOf(note)).toThrow(/no text\/calendar/);
    expect(note.subject).toContain('Event cancelled');

    const statuses = await t.db('bookings').where({ event_id: event.id }).select('status');
    expect(statuses.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    const page = await request(server).get(`/events/${event.slug}`).expect(200);
    expect(page.text).toContain('This event has been cancelled');
    expect(refund).not.toHaveBeenCalled();
  });

  it('when a paid event is cancelled, then card bookings are refunded after the commit, invoices are listed for the treasurer, and a failed refund is shown, not thrown', async () => {
    const event = await buildEvent(t.db, { capacity: 10, tickets: [{ name: 'Member', price: 9500 }] });
    const card1 = await paidBooking(event.id, event.ticketTypeIds[0], 'card1', 'stripe');
    const card2 = await paidBooking(event.id, event.ticketTypeIds[0], 'card2', 'stripe');
    const invoice = await paidBooking(event.id, event.ticketTypeIds[0], 'inv1', 'invoice');
    const statusSeenByRefund: string[] = [];
    refund.mockImplementation(async (_ctx, bookingId) => {
      statusSeenByRefund.push((await t.db('events').where({ id: event.id }).first()).status);
      if (bookingId === card2.id) throw new Error('Stripe is unreachable');
    });
    const before = t.smtp.messages.length;

    const res = await organiser.agent.post(`/admin/events/${event.slug}/cancel`).type('form').send({ _csrf: organiser.csrf, reason: 'Venue closed', confirm: 'yes' });
    expect(res.status).toBe(200);
    expect(refund.mock.calls.map((c) => [c[1], c[2]])).toEqual([[card1.id, 'Event cancelled: Venue closed'], [card2.id, 'Event cancelled: Venue closed']]);
    expect(statusSeenByRefund).toEqual(['cancelled', 'cancelled']);
    expect(res.text).toContain('Refunds that need attention');
    expect(res.text).toContain(`${card2.reference} (£95.00): Stripe is unreachable`);
    expect(res.text).toContain('Invoice bookings for the treasurer');
    expect(res.text).toContain(invoice.reference);
    expect(t.logged.map((l) => l.msg)).toContain('refund after event cancellation failed');

    expect((await t.db('bookings').where({ id: invoice.id }).first()).status).toBe('cancelled');
    const audit = await t.db('audit_log').where({ action: 'invoice_booking_cancelled', target_id: String(invoice.id) }).first();
    expect(JSON.parse(audit.details)).toMatchObject({ reference: invoice.reference, purchaseOrder: 'PO-123' });

    await t.sendMail();
    // The invoice's credit note goes in an email of its own (issue 11), to the buyer and to no one else here.
    const isDocument = (m: (typeof t.smtp.messages)[number]) => /^(Invoice|Receipt|Credit note) HSUG-/.test(m.subject ?? '');
    const mails = t.smtp.messages.slice(before).filter((m) => !isDocument(m));
    expect(t.smtp.messages.slice(before).filter(isDocument).map((m) => m.subject)).toEqual([expect.stringMatching(/^Credit note HSUG-CN-\d{4}-\d{4} \(PO PO-123\): /)]);
    expect(mails.map((m) => inviteOf(m).method)).toEqual(['CANCEL', 'CANCEL', 'CANCEL']);
    expect(mails.find((m) => recipient(m) === person('card1').email)!.text).toContain('will be refunded in full');
  });

  it('when the event is already cancelled, then cancelling again changes nothing', async () => {
    const event = await buildEvent(t.db, { status: 'cancelled' });
    const res = await organiser.agent.post(`/admin/events/${event.slug}/cancel`).type('form').send({ _csrf: organiser.csrf, reason: 'Again', confirm: 'yes' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('already cancelled');
  });
});
