import request from 'supertest';
import { createStaff, createToken, csrfFrom, signIn, type SignedIn } from '../admin/helpers';
import { buildEvent, person } from '../support/factories';
import { inviteOf } from '../support/ical';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { confirmThroughReview, csvRecords, pence } from './support';

let t: PaymentsTestApp;
const as = {} as Record<'organiser' | 'treasurer', SignedIn>;
const tokens = {} as Record<'organiser' | 'treasurer', string>;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  for (const role of ['organiser', 'treasurer'] as const) {
    const staff = await createStaff(t, role);
    as[role] = await signIn(t.server, staff.email);
    tokens[role] = await createToken(t, staff.id);
  }
});
afterAll(async () => {
  await t.close();
});

let counter = 0;

/** A £95 seminar that takes invoices (refund deadline 10 March, £10 kept under the policy). */
async function invoiceSeminar(title = `Invoice seminar ${++counter}`) {
  return buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 9500 }]), title });
}

/** An NHS trust books places by invoice through the public API. */
async function bookByInvoice(event: { slug: string; ticketTypeIds: number[] }, names: string[]) {
  const buyer = { ...person(names[0]), organisation: 'NHS Test Trust' };
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .send({ buyer, items: names.map((n) => ({ ticketTypeId: event.ticketTypeIds[0], attendee: person(n) })), paymentMethod: 'invoice', purchaseOrder: 'PO-771', billingContact: 'Accounts, ap@nhs.test', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
  if (res.status !== 201) throw new Error(`invoice booking failed: ${res.status} ${JSON.stringify(res.body)}`);
  const row = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
  return { reference: row.reference as string, bookingId: Number(row.id), token: new URL(res.body.booking.manageUrl).searchParams.get('token')! };
}

async function seatsOf(bookingId: number) {
  return t.db('attendees').where({ booking_id: bookingId }).orderBy('id').select('id', 'name', 'status', 'ical_uid');
}

function mailsTo(name: string) {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(person(name).email));
}

const cancelApi = (role: 'organiser' | 'treasurer', reference: string, body: object) =>
  request(t.server).post(`/api/v1/admin/bookings/${reference}/cancel`).set('Authorization', `Bearer ${tokens[role]}`).send(body);

async function recordPayment(reference: string, amount: string, bankReference = 'BACS') {
  return (await confirmThroughReview(as.treasurer.agent, `/admin/finance/bookings/${reference}/invoice-payment`, { _csrf: as.treasurer.csrf, paidOn: '2026-03-02', amount, bankReference })).done;
}

/** What the finance API's summary says an event's invoices still ask for. */
async function apiOutstanding(eventId: number) {
  const res = await request(t.server).get('/api/v1/admin/finance/summary').set('Authorization', `Bearer ${tokens.treasurer}`).expect(200);
  const row = res.body.events.find((e: { eventId: number }) => e.eventId === eventId);
  return { amount: row?.invoicesOutstanding ?? 0, count: row?.invoicesOutstandingCount ?? 0, totals: res.body.totals.invoicesOutstanding as number };
}

/** The "Invoices outstanding" cell of the event's row on the finance overview. */
async function overviewOutstanding(title: string) {
  const page = await as.treasurer.agent.get('/admin/finance').expect(200);
  const row = page.text.split('<tr').find((r) => r.includes(`>${title}</a>`));
  if (!row) return null;
  const cells = [...row.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1]);
  return cells.at(-1);
}

/** The row of the invoices page for one booking, or undefined when it is not listed. */
async function invoicesPageRow(reference: string) {
  const page = await as.treasurer.agent.get('/admin/finance/invoices').expect(200);
  return page.text.split('<tr').find((r) => r.includes(`>${reference}</a>`));
}

describe('cancelling an invoice booking credits its invoice', () => {
  it('when an organiser cancels one seat under the policy, then a credit of its price less the fee is recorded and audited, every page shows the same outstanding amount, and the buyer and the attendee are told', async () => {
    // Arrange: two places on one invoice (£190)
    const event = await invoiceSeminar('Credit per seat seminar');
    const { reference, bookingId } = await bookByInvoice(event, ['inv-seat-buyer', 'inv-seat-go']);
    const [, leaving] = await seatsOf(bookingId);

    // Act: the confirmation page, then the form
    const page = await as.organiser.agent.get(`/admin/bookings/${reference}/cancel?seat=${leaving.id}`).expect(200);
    const done = await as.organiser.agent.post(`/admin/bookings/${reference}/cancel`).type('form').send({ _csrf: csrfFrom(page.text), seat: String(leaving.id), refund: 'policy', reason: 'Colleague off sick' });
    await t.sendMail();

    // Assert: the choices shown before acting
    expect(page.text).toContain('<strong>£190.00 outstanding</strong>');
    expect(page.text).toMatch(/Under the event’s refund policy<\/strong>: £85.00 credited to the invoice; the invoice still asks for £105.00/);
    expect(page.text).toMatch(/id="refund-full" type="radio" name="refund" value="full" disabled/);
    expect(page.text).toMatch(/No refund<\/strong>: Nothing credited; the invoice still asks for £190.00/);
    // the change
    expect(done.status).toBe(303);
    expect(done.headers.location).toContain('credit=8500');
    const [credit] = await t.db('credits').where({ booking_id: bookingId });
    expect(credit).toMatchObject({ amount: 8500, fee_kept: 1000, currency: 'GBP', reason: 'Colleague off sick', created_by: expect.stringMatching(/^organiser-/) });
    expect(JSON.parse(credit.attendee_ids)).toEqual([leaving.id]);
    expect((await t.db('bookings').where({ id: bookingId }).first()).invoice_status).toBe('outstanding');
    const audit = await t.db('audit_log').where({ action: 'invoice_credited', target_id: String(bookingId) }).first();
    expect(JSON.parse(audit.details)).toMatchObject({ reference, amount: 8500, feeKept: 1000, attendeeIds: [leaving.id], outstanding: 10500 });
    expect(JSON.parse((await t.db('audit_log').where({ action: 'seats_cancelled_by_staff', target_id: String(bookingId) }).first()).details)).toMatchObject({ refund: 'policy', creditAmount: 8500 });
    // one outstanding amount everywhere
    expect(await invoicesPageRow(reference)).toContain('<strong>£105.00</strong>');
    expect(await overviewOutstanding('Credit per seat seminar')).toBe('£105.00 (1)');
    expect(await apiOutstanding(event.id)).toMatchObject({ amount: 10500, count: 1 });
    const booking = await as.treasurer.agent.get(`/admin/finance/bookings/${reference}`).expect(200);
    expect(booking.text).toContain('Credited: £85.00');
    expect(booking.text).toContain('Outstanding: <strong>£105.00</strong>');
    expect(booking.text).toContain('Colleague off sick');
    expect(booking.text).toContain('name="amount" type="text" value="105.00"');
    // the emails
    const creditNote = mailsTo('inv-seat-buyer').find((m) => m.subject === `Invoice credited for booking ${reference}: Credit per seat seminar`);
    expect(creditNote?.text).toContain('credited £85.00 to its invoice. £105.00 is still to be paid');
    expect(creditNote?.text).not.toContain('Nothing more is due');
    expect(inviteOf(mailsTo('inv-seat-go').find((m) => m.subject?.startsWith('Cancelled'))!).method).toBe('CANCEL');
  });

  it('when the treasurer cancels a whole invoice booking in full, then the invoice is credited with everything it asked for and closed, and the buyer’s page says nothing is to pay', async () => {
    const event = await invoiceSeminar();
    const { reference, bookingId, token } = await bookByInvoice(event, ['inv-full']);
    const res = await cancelApi('treasurer', reference, { refund: 'full' });
    await t.sendMail();
    expect(res.status).toBe(200);
    expect(res.body.booking).toMatchObject({ reference, status: 'cancelled', paymentMethod: 'invoice' });
    expect(res.body.cancellation).toMatchObject({ refund: 'full', refundAmount: 0, creditAmount: 9500 });
    expect(await t.db('credits').where({ booking_id: bookingId }).select('amount')).toEqual([{ amount: 9500 }]);
    expect((await t.db('bookings').where({ id: bookingId }).first()).invoice_status).toBe('credited');
    expect(await invoicesPageRow(reference)).toBeUndefined();
    expect(await apiOutstanding(event.id)).toMatchObject({ amount: 0, count: 0 });
    const manage = await request(t.server).get(`/bookings/${reference}?token=${token}`).expect(200);
    expect(manage.text).toContain('Invoice credited: nothing to pay');
    expect(mailsTo('inv-full').find((m) => m.subject?.startsWith('Invoice credited'))?.text).toContain('Nothing more is due.');
  });

  it('when an organiser cancels an invoice booking with no refund, then the booking is cancelled but the whole invoice stays outstanding, and an organiser may not credit it in full', async () => {
    const event = await invoiceSeminar();
    const { reference, bookingId } = await bookByInvoice(event, ['inv-none']);
    const full = await cancelApi('organiser', reference, { refund: 'full' });
    expect(full.status).toBe(403);
    const res = await cancelApi('organiser', reference, { refund: 'none' });
    expect(res.status).toBe(200);
    expect(res.body.cancellation).toMatchObject({ creditAmount: 0 });
    expect(await t.db('credits').where({ booking_id: bookingId })).toEqual([]);
    const row = await invoicesPageRow(reference);
    expect(row).toContain('Booking cancelled; the rest is still owed');
    expect(row).toContain('<strong>£95.00</strong>');
    expect(await apiOutstanding(event.id)).toMatchObject({ amount: 9500, count: 1 });
  });

  it('when the buyer tries to cancel an invoice booking with the manage link, then 409 tells them to contact the organisers and nothing changes', async () => {
    const event = await invoiceSeminar();
    const { reference, bookingId, token } = await bookByInvoice(event, ['inv-holder']);
    const res = await request(t.server).post(`/api/v1/bookings/${reference}/cancel`).set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('refund_not_available');
    expect(res.body.error.message).toContain('events@hsug.test');
    expect((await t.db('bookings').where({ id: bookingId }).first()).status).toBe('confirmed');
    expect(await t.db('credits').where({ booking_id: bookingId })).toEqual([]);
  });
});

describe('bank payments of invoices', () => {
  it('when a short payment is recorded, then the rest stays outstanding and the email says how much; an overpayment is refused with 422; the last payment closes the invoice', async () => {
    // Arrange
    const event = await invoiceSeminar('Instalments seminar');
    const { reference, bookingId } = await bookByInvoice(event, ['inv-short']);

    // Act and assert: £50 of £95
    const short = await recordPayment(reference, '50.00', 'BACS PART 1');
    expect(short.status).toBe(303);
    const page = await as.treasurer.agent.get(short.headers.location).expect(200);
    expect(page.text).toContain('the rest of the invoice is still outstanding');
    expect(page.text).toContain('Received by bank transfer: £50.00');
    expect(page.text).toContain('Outstanding: <strong>£45.00</strong>');
    expect((await t.db('bookings').where({ id: bookingId }).first()).invoice_status).toBe('outstanding');
    expect(await invoicesPageRow(reference)).toContain('<strong>£45.00</strong>');
    expect(await apiOutstanding(event.id)).toMatchObject({ amount: 4500, count: 1 });
    await t.sendMail();
    const first = mailsTo('inv-short').find((m) => m.subject === `Payment received for booking ${reference}: Instalments seminar`);
    expect(first?.text).toContain('bank payment of £50.00');
    expect(first?.text).toContain('£45.00 is still outstanding');
    expect(first?.text).not.toContain('Nothing more is due');

    // more than is left
    const over = await recordPayment(reference, '50.00', 'BACS PART 2');
    expect(over.status).toBe(422);
    expect(over.text).toContain('This is more than the £45.00 (the invoice of £95.00, less £50.00 already received) outstanding');
    expect(over.text).toContain('value="50.00"');
    expect(await t.db('payments').where({ booking_id: bookingId, method: 'invoice' })).toHaveLength(1);

    // the rest
    expect((await recordPayment(reference, '45.00', 'BACS PART 2')).status).toBe(303);
    expect((await t.db('bookings').where({ id: bookingId }).first()).invoice_status).toBe('paid');
    expect(await invoicesPageRow(reference)).toBeUndefined();
    expect(await apiOutstanding(event.id)).toMatchObject({ amount: 0, count: 0 });
    await t.sendMail();
    const second = mailsTo('inv-short').filter((m) => m.subject === `Payment received for booking ${reference}: Instalments seminar`);
    expect(second).toHaveLength(2);
    expect(second[1].text).toContain('bank payment of £45.00');
    expect(second[1].text).toContain('Nothing more is due.');
    const mismatches = await request(t.server).get('/api/v1/admin/finance/mismatches').set('Authorization', `Bearer ${tokens.treasurer}`).expect(200);
    expect(mismatches.body.mismatches.filter((m: { bookingReference: string }) => m.bookingReference === reference)).toEqual([]);
  });

  it('when a seat was credited, then the payment that settles the rest is accepted and anything more is refused', async () => {
    const event = await invoiceSeminar();
    const { reference, bookingId } = await bookByInvoice(event, ['inv-cr-pay-a', 'inv-cr-pay-b']);
    const [, seat] = await seatsOf(bookingId);
    expect((await cancelApi('treasurer', reference, { attendeeIds: [seat.id], refund: 'full' })).status).toBe(200);
    const over = await recordPayment(reference, '190.00');
    expect(over.status).toBe(422);
    expect(over.text).toContain('£95.00 (the invoice of £190.00, less £95.00 credited)');
    expect((await recordPayment(reference, '95.00')).status).toBe(303);
    expect((await t.db('bookings').where({ id: bookingId }).first()).invoice_status).toBe('paid');
  });

  it('when an invoice is written off after a short payment, then only what was still owed is written off', async () => {
    const event = await invoiceSeminar();
    const { reference, bookingId } = await bookByInvoice(event, ['inv-wo']);
    await recordPayment(reference, '20.00');
    expect((await confirmThroughReview(as.treasurer.agent, `/admin/finance/bookings/${reference}/write-off`, { _csrf: as.treasurer.csrf, reason: 'Trust will not pay the rest' })).done.status).toBe(303);
    expect(await t.db('payments').where({ booking_id: bookingId, status: 'written_off' }).select('amount')).toEqual([{ amount: 7500 }]);
    expect(await invoicesPageRow(reference)).toBeUndefined();
  });
});

describe('an event cancelled with invoices', () => {
  it('when an event with invoice bookings is cancelled, then each invoice is credited with what it still asked for, and the overview, the invoices page, the API and the CSV all show nothing outstanding', async () => {
    // Arrange: one unpaid invoice, one partly paid, one already credited for a seat
    const event = await invoiceSeminar('Cancelled invoice seminar');
    const unpaid = await bookByInvoice(event, ['ev-inv-unpaid']);
    const partly = await bookByInvoice(event, ['ev-inv-partly']);
    const seated = await bookByInvoice(event, ['ev-inv-seat-a', 'ev-inv-seat-b']);
    await recordPayment(partly.reference, '30.00');
    const [, seat] = await seatsOf(seated.bookingId);
    await cancelApi('organiser', seated.reference, { attendeeIds: [seat.id], refund: 'policy' });
    expect(await apiOutstanding(event.id)).toMatchObject({ amount: 9500 + 6500 + (19000 - 8500), count: 3 });
    expect(await overviewOutstanding('Cancelled invoice seminar')).toBe('£265.00 (3)');

    // Act
    const form = await as.organiser.agent.get(`/admin/events/${event.slug}/cancel`).expect(200);
    const res = await as.organiser.agent.post(`/admin/events/${event.slug}/cancel`).type('form').send({ _csrf: csrfFrom(form.text), reason: 'Venue flooded', confirm: 'yes' });

    // Assert
    expect(res.status).toBe(200);
    expect(res.text).toContain(`${unpaid.reference}, NHS Test Trust: £95.00 credited`);
    expect(res.text).toContain(`${partly.reference}, NHS Test Trust: £65.00 credited; £30.00 received, to repay`);
    expect(await t.db('credits').whereIn('booking_id', [unpaid.bookingId, partly.bookingId, seated.bookingId]).orderBy('id').select('booking_id', 'amount', 'reason')).toEqual([
      { booking_id: seated.bookingId, amount: 8500, reason: 'Cancelled by the organisers' },
      { booking_id: unpaid.bookingId, amount: 9500, reason: 'Event cancelled: Venue flooded' },
      { booking_id: partly.bookingId, amount: 6500, reason: 'Event cancelled: Venue flooded' },
      { booking_id: seated.bookingId, amount: 10500, reason: 'Event cancelled: Venue flooded' },
    ]);
    expect(await t.db('bookings').whereIn('id', [unpaid.bookingId, partly.bookingId, seated.bookingId]).pluck('invoice_status')).toEqual(['credited', 'credited', 'credited']);
    for (const booking of [unpaid, partly, seated]) expect(await invoicesPageRow(booking.reference)).toBeUndefined();
    expect(await overviewOutstanding('Cancelled invoice seminar')).toBe('£0.00');
    const api = await apiOutstanding(event.id);
    expect(api).toMatchObject({ amount: 0, count: 0 });
    const csv = csvRecords((await as.treasurer.agent.get('/admin/finance/exports/summary.csv').expect(200)).text);
    const row = csv.find((r) => r.Event === 'Cancelled invoice seminar');
    expect(pence(row!['Invoices outstanding'])).toBe(0);
    const totalRow = csv.find((r) => r.Event === 'Total');
    expect(pence(totalRow!['Invoices outstanding'])).toBe(api.totals);
    const invoicesPage = await as.treasurer.agent.get('/admin/finance/invoices').expect(200);
    const lead = /unpaid, (£[\d,.]+) outstanding in all/.exec(invoicesPage.text)?.[1];
    expect(pence(lead!.replace(/[£,]/g, ''))).toBe(api.totals);
  });
});
