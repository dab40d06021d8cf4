import request from 'supertest';
import { createStaff, createToken, signIn, type SignedIn } from '../admin/helpers';
import { person } from '../support/factories';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { csvRecords, financeEvent, paidBooking, pence, sumOf, sync } from './support';

let t: PaymentsTestApp;
let treasurer: SignedIn;
let organiser: SignedIn;
let token: string;
/** The Stripe payment attached to a booking (below), kept for the CSV test. */
let charge: string;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  const staff = await createStaff(t, 'treasurer');
  treasurer = await signIn(t.server, staff.email);
  token = await createToken(t, staff.id);
  organiser = await signIn(t.server, (await createStaff(t, 'organiser')).email);
});
afterAll(async () => {
  await t.close();
});

interface ApiMismatch {
  kind: string;
  stripeId: string | null;
  bookingReference: string | null;
  amount: number;
  dueBy: string | null;
  explanation?: { kind: string; note: string; bookingReference: string | null; by: string };
}

async function api(): Promise<{ mismatches: ApiMismatch[]; explained: ApiMismatch[] }> {
  return (await request(t.server).get('/api/v1/admin/finance/mismatches').set('Authorization', `Bearer ${token}`).expect(200)).body;
}

const visible = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#x27;/g, "'").replace(/&#x3D;/g, '=').replace(/\s+/g, ' ');
const post = (path: string, body: Record<string, string> = {}) => treasurer.agent.post(path).type('form').send({ _csrf: treasurer.csrf, ...body });

/** A booking confirmed as paid by card, with no payment recorded (its checkout never completed here). */
async function bookingWaitingForPayment(event: { slug: string; ticketTypeIds: number[] }) {
  const p = person(`waiting-${Math.random().toString(36).slice(2, 8)}`);
  const res = await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: p, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: p }] }).expect(201);
  await t.db('bookings').where({ reference: res.body.booking.reference }).update({ status: 'confirmed' });
  return res.body.booking.reference as string;
}

describe('a Stripe payment with no booking: a donation', () => {
  let donation: string;

  it('when the treasurer marks it as explained without a note, then the form comes back at 422 naming the field, and nothing is recorded', async () => {
    donation = t.sandbox.createCharge({ amount: 2500, description: 'Donation via payment link' }).charge.id;
    await sync(t);
    const list = await treasurer.agent.get('/admin/finance/mismatches').expect(200);
    expect(list.text).toContain(`href="/admin/finance/mismatches/${donation}/explain"`);
    const form = visible((await treasurer.agent.get(`/admin/finance/mismatches/${donation}/explain`).expect(200)).text);
    expect(form).toContain('The money is not moved or changed: it still counts in the figures, as “Not from a booking (explained)”.');
    const res = await post(`/admin/finance/mismatches/${donation}/explain`, { note: '   ' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Say what this money is');
    expect(res.text).toContain('id="field-note-error"');
    expect(await t.db('finance_explanations')).toHaveLength(0);
  });

  it('when it is marked as explained with a note, then it leaves the open list, is shown with the note and who, is audited, and the overview files it apart', async () => {
    const res = await post(`/admin/finance/mismatches/${donation}/explain`, { note: 'Donation from the AGM raffle' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/admin/finance/mismatches?notice=explained');
    const body = await api();
    expect(body.mismatches.filter((m) => m.stripeId === donation)).toEqual([]);
    expect(body.explained).toEqual([expect.objectContaining({ kind: 'payment_without_booking', stripeId: donation, amount: 2500, explanation: expect.objectContaining({ kind: 'explained', note: 'Donation from the AGM raffle' }) })]);
    const page = visible((await treasurer.agent.get(res.headers.location).expect(200)).text);
    expect(page).toContain('Marked as explained.');
    expect(page).toMatch(/Explained by treasurer-\d+@hsug\.test on 2 Mar 2026, 12:00: “Donation from the AGM raffle”/);
    expect(page).toContain('Everything matches');
    const audit = await t.db('audit_log').where({ action: 'mismatch_explained' }).first();
    expect(audit.target_id).toBe(donation);
    expect(JSON.parse(audit.details)).toMatchObject({ note: 'Donation from the AGM raffle', amount: 2500, kind: 'payment_without_booking' });
    const overview = visible((await treasurer.agent.get('/admin/finance').expect(200)).text);
    expect(overview).toContain('Not from a booking (explained) £25.00');
    expect(overview).not.toContain('Not matched to a booking');
  });

  it('when someone tries to explain it again, then 404: there is no open mismatch about it', async () => {
    const res = await post(`/admin/finance/mismatches/${donation}/explain`, { note: 'Twice' });
    expect(res.status).toBe(404);
    expect(await t.db('finance_explanations').whereNull('withdrawn_at')).toHaveLength(1);
  });

  it('when an organiser tries to explain or undo, then 403', async () => {
    const res = await organiser.agent.post(`/admin/finance/mismatches/${donation}/withdraw`).type('form').send({ _csrf: organiser.csrf });
    expect(res.status).toBe(403);
  });

  it('when the treasurer undoes it, then it is a mismatch again, the audit log says so, and the statement is kept as history', async () => {
    const page = await treasurer.agent.get('/admin/finance/mismatches').expect(200);
    expect(page.text).toContain(`action="/admin/finance/mismatches/${donation}/withdraw"`);
    const res = await post(`/admin/finance/mismatches/${donation}/withdraw`);
    expect(res.headers.location).toBe('/admin/finance/mismatches?notice=withdrawn');
    const body = await api();
    expect(body.mismatches.map((m) => m.stripeId)).toContain(donation);
    expect(body.explained).toEqual([]);
    expect(await t.db('audit_log').where({ action: 'explanation_withdrawn', target_id: donation })).toHaveLength(1);
    expect(await t.db('finance_explanations').where({ stripe_object_id: donation }).whereNotNull('withdrawn_at')).toHaveLength(1);
    expect(visible((await treasurer.agent.get('/admin/finance').expect(200)).text)).toContain('Not matched to a booking £25.00');
    await post(`/admin/finance/mismatches/${donation}/explain`, { note: 'Donation from the AGM raffle' }).expect(303);
  });

  it('when the id is not a Stripe object of ours to explain, then 404 rather than an error', async () => {
    expect((await treasurer.agent.get('/admin/finance/mismatches/ch_nothing_here/explain')).status).toBe(404);
    expect((await treasurer.agent.get('/admin/finance/mismatches/%3Cscript%3E/explain')).status).toBe(404);
  });
});

describe('attach to booking', () => {
  let event: Awaited<ReturnType<typeof financeEvent>>;
  let waiting: string;

  it('when a Stripe payment matches a booking marked paid with no payment, then "Attach to a booking" offers exactly that booking and says what it does', async () => {
    event = await financeEvent(t, 'Attach seminar', 7300);
    waiting = await bookingWaitingForPayment(event);
    charge = t.sandbox.createCharge({ amount: 7300, description: 'Paid by payment link after checkout failed' }).charge.id;
    const odd = t.sandbox.createCharge({ amount: 1234 }).charge.id;
    await sync(t);
    const list = await treasurer.agent.get('/admin/finance/mismatches').expect(200);
    expect(list.text).toContain(`href="/admin/finance/mismatches/${charge}/attach"`);
    expect(list.text).not.toContain(`href="/admin/finance/mismatches/${odd}/attach"`);
    const page = visible((await treasurer.agent.get(`/admin/finance/mismatches/${charge}/attach`).expect(200)).text);
    expect(page).toMatch(new RegExp(`${waiting}\\s*, Attach seminar, £73.00`));
    expect(page).toContain('The booking itself does not change: its status, payments and refunds stay as they are.');
    const none = visible((await treasurer.agent.get(`/admin/finance/mismatches/${odd}/attach`).expect(200)).text);
    expect(none).toContain('No booking is waiting for a card payment of £12.34');
    const explained = await post(`/admin/finance/mismatches/${odd}/explain`, { note: 'Test charge by the bank' });
    expect(explained.status).toBe(303);
    expect((await api()).explained.map((m) => m.stripeId)).toContain(odd);
  });

  it('when no booking is chosen, then 422 naming it, with the note kept; when a booking that is not waiting is named, then 409 and nothing is recorded', async () => {
    const missing = await post(`/admin/finance/mismatches/${charge}/attach`, { note: 'Receipt matches' });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('Choose the booking it paid for');
    expect(missing.text).toContain('Receipt matches</textarea>');
    const paid = await paidBooking(t, event);
    const wrong = await post(`/admin/finance/mismatches/${charge}/attach`, { booking: paid.reference, note: 'Receipt matches' });
    expect(wrong.status).toBe(409);
    expect(await t.db('finance_explanations').where({ stripe_object_id: charge })).toHaveLength(0);
    await sync(t);
  });

  it('when it is attached, then both mismatches are resolved, the money counts for the booking’s event, and the booking and payments are untouched', async () => {
    const before = await t.db('bookings').where({ reference: waiting }).first();
    const res = await post(`/admin/finance/mismatches/${charge}/attach`, { booking: waiting, note: 'Buyer paid by payment link; receipt email matches' });
    expect(res.status).toBe(303);
    const body = await api();
    expect(body.mismatches.filter((m) => m.stripeId === charge || m.bookingReference === waiting)).toEqual([]);
    expect(body.explained).toEqual(expect.arrayContaining([expect.objectContaining({ stripeId: charge, explanation: expect.objectContaining({ kind: 'attached', bookingReference: waiting }) })]));
    const after = await t.db('bookings').where({ reference: waiting }).first();
    expect(after.status).toBe(before.status);
    expect(after.updated_at).toEqual(before.updated_at);
    expect(await t.db('payments').where({ booking_id: after.id })).toHaveLength(0);
    expect(JSON.parse((await t.db('audit_log').where({ action: 'stripe_payment_attached' }).first()).details)).toMatchObject({ bookingReference: waiting, amount: 7300 });
    const summary = await request(t.server).get('/api/v1/admin/finance/summary').set('Authorization', `Bearer ${token}`).expect(200);
    expect(summary.body.events.find((e: { slug: string }) => e.slug === event.slug)).toMatchObject({ gross: 7300 * 2 });
    const page = visible((await treasurer.agent.get('/admin/finance/mismatches').expect(200)).text);
    expect(page).toContain(`Attached to booking ${waiting} by`);
  });

  it('when the payout with the attached payment is opened, then its line shows the booking, marked as attached by the treasurer, under the event', async () => {
    const payout = t.sandbox.createPayout();
    await sync(t);
    const page = visible((await treasurer.agent.get(`/admin/finance/payouts/${payout.id}`).expect(200)).text);
    expect(page).toContain(`${waiting} attached by the treasurer Attach seminar`);
    expect(page).toContain('Not from a booking (explained)');
    expect(page).not.toContain('not matched to our records');
  });

  it('when the attachment is undone, then both mismatches come back', async () => {
    await post(`/admin/finance/mismatches/${charge}/withdraw`).expect(303);
    const kinds = (await api()).mismatches.filter((m) => m.stripeId === charge || m.bookingReference === waiting).map((m) => m.kind).sort();
    expect(kinds).toEqual(['paid_without_payment', 'payment_without_booking']);
    await post(`/admin/finance/mismatches/${charge}/attach`, { booking: waiting, note: 'Receipt matches' }).expect(303);
  });
});

describe('disputes and the payments CSV', () => {
  it('when a dispute opens, then the mismatch and the booking show the response deadline Stripe gives', async () => {
    const booking = await paidBooking(t, await financeEvent(t, 'Disputed seminar'));
    const dispute = t.sandbox.dispute(booking.chargeId);
    await t.sandbox.flush();
    await sync(t);
    const due = new Date(dispute.evidence_details.due_by! * 1000);
    const found = (await api()).mismatches.find((m) => m.kind === 'dispute_open')!;
    expect(found.dueBy).toBe(due.toISOString());
    const page = visible((await treasurer.agent.get('/admin/finance/mismatches').expect(200)).text);
    expect(page).toContain('Respond by 9 Mar 2026, 12:00');
    expect(page).toContain('Respond in the Stripe dashboard by 9 Mar 2026, 12:00 (7 days left).');
    const bookingPage = visible((await treasurer.agent.get(`/admin/finance/bookings/${booking.reference}`).expect(200)).text);
    expect(bookingPage).toContain('Respond in the Stripe dashboard by 9 Mar 2026, 12:00');
  });

  it('when the payments CSV is downloaded, then it has the disputes and the payments with no booking, and the rows of each payout add up to it', async () => {
    const stray = t.sandbox.createCharge({ amount: 999 }).charge.id;
    t.sandbox.dispute(stray);
    await t.sandbox.flush();
    // Enough takings that the balance is positive again after two disputes, so Stripe pays out.
    await paidBooking(t, await financeEvent(t, 'Well attended seminar', 30000));
    t.sandbox.createPayout();
    await sync(t);
    const rows = csvRecords((await treasurer.agent.get('/admin/finance/exports/payments.csv').expect(200)).text);
    // Both happened in the same second (the test clock): their order between themselves is not the point.
    const strayRows = rows.filter((r) => r.Note.includes(stray));
    expect(strayRows).toHaveLength(2);
    expect(strayRows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Kind: 'payment', Gross: '9.99', Matched: 'no' }),
        expect.objectContaining({ Kind: 'dispute', Disputes: '9.99', 'Stripe fee': '20.00', Matched: 'no' }),
      ]),
    );
    expect(rows.find((r) => r.Note.startsWith(charge))).toMatchObject({ Matched: 'attached', Event: 'Attach seminar' });
    for (const payout of (await t.stripe.payouts.list({ limit: 100 })).data) {
      expect(sumOf(rows.filter((r) => r.Payout === payout.id), (r) => pence(r.Net))).toBe(payout.amount);
    }
    const page = visible((await treasurer.agent.get('/admin/finance/exports').expect(200)).text);
    expect(page).toContain('The Net of the rows of one payout adds up to that payout.');
  });
});
