import request from 'supertest';
import { cancelEvent } from '../../src/admin/events/cancel';
import { CLI_ACTOR } from '../../src/admin/audit/log';
import { buildEvent, person } from '../support/factories';
import { inviteOf } from '../support/ical';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

function book(slug: string, ticketTypeId: number, who: string, extra: object = {}) {
  const p = person(who);
  return request(t.baseUrl)
    .post(`/api/v1/events/${slug}/bookings`)
    .send({ buyer: { ...p, organisation: 'NHS Test Trust' }, items: [{ ticketTypeId, attendee: p }], ...extra });
}

describe('cancelling a charged event', () => {
  it('when the organisers cancel it, then card payments are refunded through Stripe, each attendee gets exactly one CANCEL, and unpaid holds can no longer be paid', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 5000 }]), capacity: 10 });
    const paid = [await book(event.slug, event.ticketTypeIds[0], 'ev-card-1'), await book(event.slug, event.ticketTypeIds[0], 'ev-card-2')];
    for (const r of paid) t.sandbox.pay(sessionIdOf(r.body.booking.checkoutUrl));
    await t.sandbox.flush();
    const invoice = await book(event.slug, event.ticketTypeIds[0], 'ev-invoice', { paymentMethod: 'invoice', purchaseOrder: 'PO-1', billingContact: 'ap@nhs.test', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
    const hold = await book(event.slug, event.ticketTypeIds[0], 'ev-hold');
    await t.sendMail();
    const before = t.smtp.messages.length;

    const outcome = await cancelEvent(t.ctx, CLI_ACTOR, event.slug, 'The venue is closed', { info: () => undefined, warn: () => undefined, error: () => undefined });
    expect(outcome.refunded.map((r) => r.amount)).toEqual(['£50.00', '£50.00']);
    expect(outcome.refundFailures).toEqual([]);
    await t.sandbox.flush();

    for (const r of paid) {
      const booking = await t.db('bookings').where({ reference: r.body.booking.reference }).first();
      expect(booking.status).toBe('cancelled');
      const charge = await t.stripe.charges.retrieve((await t.db('payments').where({ booking_id: booking.id }).first()).stripe_charge_id);
      expect(charge.amount_refunded).toBe(5000);
    }
    expect((await t.db('bookings').where({ reference: invoice.body.booking.reference }).first()).status).toBe('cancelled');
    expect((await t.db('bookings').where({ reference: hold.body.booking.reference }).first()).status).toBe('cancelled');
    expect((await t.stripe.checkout.sessions.retrieve(sessionIdOf(hold.body.booking.checkoutUrl))).status).toBe('expired');

    await t.sendMail();
    const after = t.smtp.messages.slice(before);
    for (const who of ['ev-card-1', 'ev-card-2', 'ev-invoice']) {
      const cancels = after.filter((m) => JSON.stringify(m.to).includes(person(who).email) && m.attachments.some((a) => a.contentType.startsWith('text/calendar')));
      expect(cancels).toHaveLength(1);
      expect(inviteOf(cancels[0]).method).toBe('CANCEL');
    }
    expect(after.filter((m) => JSON.stringify(m.to).includes(person('ev-hold').email) && m.attachments.some((a) => a.contentType.startsWith('text/calendar')))).toHaveLength(0);
  });
});
