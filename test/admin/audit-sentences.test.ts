import { describeAudit, type AuditRow } from '../../src/admin/audit/describe';
import { amountPaidForSeat } from '../../src/admin/attendees/queries';

const row = (action: string, details: Record<string, unknown> | null, extra: Partial<AuditRow> = {}): AuditRow => ({ action, who: 'Ada Lovelace', targetType: 'event', targetId: '7', details, eventTitle: 'Spring seminar', ...extra });

describe('audit sentences', () => {
  it.each([
    [row('event_updated', { changes: ['The start time has changed from 6:00pm to 6:30pm'], notified: 3, promoted: 0, sequence: 1 }), 'Ada Lovelace changed “Spring seminar” (The start time has changed from 6:00pm to 6:30pm) and 3 people were sent an updated invitation.'],
    [row('ticket_type_updated', { event: 'spring', before: { name: 'Member', price: 9500, isActive: true }, after: { name: 'Member', price: 10500, isActive: false } }, { targetType: 'ticket_type' }), 'Ada Lovelace changed the ticket type “Member” of “Spring seminar”: price £95.00 → £105.00; withdrew it from sale.'],
    [row('seats_cancelled_by_staff', { reference: 'HSUG-AAAA-BBBB', names: ['Grace Hopper'], refund: 'policy', refundAmount: 8500, creditAmount: 0 }, { targetType: 'booking' }), 'Ada Lovelace cancelled 1 place (Grace Hopper) of booking HSUG-AAAA-BBBB for “Spring seminar” with refund under the event’s policy: £85.00 refunded.'],
    [row('role_changed', { email: 'g@hsug.test', from: 'organiser', to: 'treasurer' }, { targetType: 'user', eventTitle: null }), 'Ada Lovelace changed the role of g@hsug.test from organiser to treasurer.'],
    [row('event_announced', { slug: 'spring', recipients: 240, subject: 'New: Spring seminar' }), 'Ada Lovelace announced “Spring seminar” to 240 subscribers: “New: Spring seminar”.'],
    [row('subscribers_imported', { file: 'list.csv', imported: 40, alreadySubscribed: 2, suppressed: 1 }, { targetType: 'subscribers', eventTitle: null }), 'Ada Lovelace imported 40 announcement subscribers from list.csv (2 already subscribed, 1 not added as they had unsubscribed).'],
    [row('checked_in', { event: 'spring', name: 'Grace Hopper' }, { targetType: 'attendee' }), 'Ada Lovelace checked in Grace Hopper at “Spring seminar”.'],
    [row('walk_in_added', { event: 'spring', reference: 'HSUG-AAAA-CCCC', name: 'Aisha Khan', hasEmail: false }, { targetType: 'booking' }), 'Ada Lovelace added Aisha Khan as a walk-in at “Spring seminar” (booking HSUG-AAAA-CCCC) with no email address.'],
    [row('message_test_sent', { subject: 'Room change', to: 'ada@hsug.test' }), 'Ada Lovelace sent a test of “Room change” about “Spring seminar” to ada@hsug.test.'],
    [row('members_imported', { count: 4, added: 2, removed: 1, changed: 1 }, { targetType: 'members', eventTitle: null }), 'Ada Lovelace imported the member list (4 members): 2 added, 1 removed, 1 changed.'],
    [row('members_import_undone', { restored: 3 }, { targetType: 'members', eventTitle: null }), 'Ada Lovelace undid the last member list import, putting back 3 members.'],
  ])('when a known kind of entry is shown (case %#), then it reads as one plain sentence with the person, the event and what changed', (entry, expected) => {
    expect(describeAudit(entry)).toBe(expected);
  });

  it('when the action is unknown, then its words, target and details still read, with no JSON', () => {
    expect(describeAudit(row('badges_printed', { count: 12, printerName: 'Office' }, { eventTitle: null, targetId: '7' }))).toBe('Ada Lovelace: badges printed (event 7) — count: 12; printer name: Office.');
  });

  it('when the details cannot be read, then the sentence says so rather than failing', () => {
    expect(describeAudit(row('event_published', null))).toBe('Ada Lovelace: event published (“Spring seminar”) — details could not be read.');
  });
});

describe('amount paid for a seat', () => {
  it('when a booking of two £95 seats was paid in full, then each seat shows £95', () => {
    expect([amountPaidForSeat(19000, 0, 9500), amountPaidForSeat(19000, 9500, 9500)]).toEqual([9500, 9500]);
  });

  it('when one seat was cancelled with £85 refunded and £10 kept, then the active seat shows £95 and the cancelled one the £10 kept', () => {
    // Active seats come first in the order, so the money received (£105) pays the active seat before the cancelled one.
    expect([amountPaidForSeat(10500, 0, 9500), amountPaidForSeat(10500, 9500, 9500)]).toEqual([9500, 1000]);
  });

  it('when an invoice is unpaid, then nothing is paid on any seat', () => {
    expect(amountPaidForSeat(0, 0, 9500)).toBe(0);
  });
});
