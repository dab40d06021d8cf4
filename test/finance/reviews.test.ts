import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { financeEvent, invoiceBooking, paidBooking, reviewedFrom, sync } from './support';

let t: PaymentsTestApp;
let treasurer: SignedIn;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  treasurer = await signIn(t.server, (await createStaff(t, 'treasurer')).email);
});
afterAll(async () => {
  await t.close();
});

const visible = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, ' ');
const post = (path: string, body: Record<string, unknown>) => treasurer.agent.post(path).type('form').send({ _csrf: treasurer.csrf, ...body });

describe('a refund goes through a review that states its effect', () => {
  it('when the booking page’s pre-filled full refund is submitted, then nothing is refunded: the review says to which card, that the booking stays confirmed, and that it is a full refund', async () => {
    const booking = await paidBooking(t, await financeEvent(t, 'Review seminar'), 2);
    await sync(t);
    const page = await treasurer.agent.get(`/admin/finance/bookings/${booking.reference}`).expect(200);
    expect(page.text).toContain('name="amount" type="text" value="190.00"');
    expect(page.text).toContain('Review the refund');

    const review = await post(`/admin/finance/bookings/${booking.reference}/refund`, { amount: '190.00', reason: 'Event moved online' });
    expect(review.status).toBe(200);
    const text = visible(review.text);
    expect(text).toContain(`Refund £190.00 to the card ending 4242, for booking ${booking.reference}`);
    expect(text).toContain('No place is cancelled: the booking stays confirmed with its 2 places (a goodwill refund).');
    expect(text).toContain('It is a full refund: nothing is left to refund after it.');
    expect(text).toContain('Refund £190.00 to the card');
    expect(review.text).toContain('name="amount" type="text" value="190.00"');
    expect(await t.db('refunds').where({ booking_id: booking.bookingId })).toHaveLength(0);
  });

  it('when the amount is changed on the review and confirmed, then it is not refunded yet: the review comes back with the new effect', async () => {
    const booking = await paidBooking(t, await financeEvent(t, 'Changed mind seminar'));
    const url = `/admin/finance/bookings/${booking.reference}/refund`;
    const first = await post(url, { amount: '95.00', reason: 'Goodwill' });
    const again = await post(url, { amount: '20.00', reason: 'Goodwill', reviewed: reviewedFrom(first.text) });
    expect(again.status).toBe(200);
    const text = visible(again.text);
    expect(text).toContain('You changed what you are confirming.');
    expect(text).toContain('It is a partial refund: £75.00 is left to refund after it.');
    expect(await t.db('refunds').where({ booking_id: booking.bookingId })).toHaveLength(0);

    const done = await post(url, { amount: '20.00', reason: 'Goodwill', reviewed: reviewedFrom(again.text) });
    expect(done.status).toBe(303);
    expect(await t.db('refunds').where({ booking_id: booking.bookingId })).toEqual([expect.objectContaining({ amount: 2000 })]);
  });

  it('when every place is ticked, then the review says the booking is cancelled; when one of two, then which one and that the booking stays confirmed', async () => {
    const booking = await paidBooking(t, await financeEvent(t, 'Places seminar'), 2);
    const seats = await t.db('attendees').where({ booking_id: booking.bookingId }).orderBy('id');
    const url = `/admin/finance/bookings/${booking.reference}/refund`;
    const all = visible((await post(url, { amount: '190.00', reason: 'Cannot come', attendeeIds: seats.map((s) => String(s.id)) })).text);
    expect(all).toContain(`All its places are cancelled (${seats[0].name}, ${seats[1].name}), so the booking is cancelled`);
    const one = visible((await post(url, { amount: '95.00', reason: 'Colleague off sick', attendeeIds: [String(seats[1].id)] })).text);
    expect(one).toContain(`This place is cancelled and told: ${seats[1].name}. The booking stays confirmed with 1 place.`);
    expect((await t.db('bookings').where({ id: booking.bookingId }).first()).status).toBe('confirmed');
  });

  it('when the sync has not seen the card yet, then the review names the Stripe charge instead of four digits', async () => {
    const booking = await paidBooking(t, await financeEvent(t, 'Unsynced seminar'));
    const text = visible((await post(`/admin/finance/bookings/${booking.reference}/refund`, { amount: '95.00', reason: 'x' })).text);
    expect(text).toContain(`Refund £95.00 to the card that paid (Stripe charge ${booking.chargeId})`);
  });
});

describe('a bank payment and a write-off go through a review too', () => {
  it('when a short payment is reviewed, then it says what stays outstanding and records nothing; confirmed, then it is recorded', async () => {
    const { reference } = await invoiceBooking(t, await financeEvent(t, 'Invoice review seminar'));
    const url = `/admin/finance/bookings/${reference}/invoice-payment`;
    const body = { paidOn: '2026-03-01', amount: '75.00', bankReference: 'NHS BACS 99' };
    const review = await post(url, body);
    expect(review.status).toBe(200);
    const text = visible(review.text);
    expect(text).toContain(`Record £75.00 received by bank transfer on 1 March 2026, reference “NHS BACS 99”, against the invoice of booking ${reference} (NHS Test Trust, PO PO-1).`);
    expect(text).toContain('£20.00 stays outstanding on the invoice after it.');
    expect(await t.db('payments').where({ bank_reference: 'NHS BACS 99' })).toHaveLength(0);
    expect((await post(url, { ...body, reviewed: reviewedFrom(review.text) })).status).toBe(303);
    expect(await t.db('payments').where({ bank_reference: 'NHS BACS 99' })).toHaveLength(1);
  });

  it('when a write-off is reviewed, then it states the amount and that the booking stays confirmed; if a payment is recorded meanwhile, then the old review is not acted on', async () => {
    const { reference } = await invoiceBooking(t, await financeEvent(t, 'Write-off review seminar'));
    const url = `/admin/finance/bookings/${reference}/write-off`;
    const review = await post(url, { reason: 'Trust dissolved' });
    const text = visible(review.text);
    expect(text).toContain(`Write off the £95.00 still outstanding on the invoice of booking ${reference}`);
    expect(text).toContain('The booking stays confirmed: its places are not cancelled.');
    const stale = reviewedFrom(review.text);

    const pay = await post(`/admin/finance/bookings/${reference}/invoice-payment`, { paidOn: '2026-03-01', amount: '15.00', bankReference: 'PART' });
    await post(`/admin/finance/bookings/${reference}/invoice-payment`, { paidOn: '2026-03-01', amount: '15.00', bankReference: 'PART', reviewed: reviewedFrom(pay.text) }).expect(303);

    const again = await post(url, { reason: 'Trust dissolved', reviewed: stale });
    expect(again.status).toBe(200);
    expect(visible(again.text)).toContain('Write off the £80.00 still outstanding');
    expect((await t.db('bookings').where({ reference }).first()).invoice_status).toBe('outstanding');
    expect((await post(url, { reason: 'Trust dissolved', reviewed: reviewedFrom(again.text) })).status).toBe(303);
    expect((await t.db('bookings').where({ reference }).first()).invoice_status).toBe('written_off');
  });
});
