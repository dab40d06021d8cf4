import request from 'supertest';
import { createStaff, createToken, signIn, type SignedIn } from '../admin/helpers';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { confirmThroughReview, financeEvent, invoiceBooking, paidBooking, sync } from './support';

let t: PaymentsTestApp;
const as = {} as Record<'treasurer' | 'admin' | 'organiser', SignedIn>;
const tokens = {} as Record<'treasurer' | 'organiser', string>;
let big: Awaited<ReturnType<typeof paidBooking>>;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  for (const role of ['treasurer', 'admin', 'organiser'] as const) {
    const staff = await createStaff(t, role);
    as[role] = await signIn(t.server, staff.email);
    if (role !== 'admin') tokens[role] = await createToken(t, staff.id);
  }
  big = await paidBooking(t, await financeEvent(t, 'Annual conference 2026', 123450));
  await sync(t);
});
afterAll(async () => {
  await t.close();
});

describe('who may see the money', () => {
  it.each(['treasurer', 'admin'] as const)('when a %s opens finance, then the overview shows and the navigation links to it', async (role) => {
    const res = await as[role].agent.get('/admin/finance').expect(200);
    expect(res.text).toContain('<h1>Finance</h1>');
    expect(res.text).toContain('<a href="/admin/finance">Finance</a>');
  });

  it('when an organiser opens finance, then 403, and the navigation has no Finance link', async () => {
    for (const path of ['/admin/finance', '/admin/finance/payments', '/admin/finance/payouts', '/admin/finance/mismatches', `/admin/finance/bookings/${big.reference}`]) {
      expect((await as.organiser.agent.get(path)).status).toBe(403);
    }
    const home = await as.organiser.agent.get('/admin').expect(200);
    expect(home.text).not.toContain('href="/admin/finance"');
    const refund = await as.organiser.agent.post(`/admin/finance/bookings/${big.reference}/refund`).type('form').send({ _csrf: as.organiser.csrf, amount: '1.00', reason: 'x' });
    expect(refund.status).toBe(403);
    expect(await t.db('refunds').where({ booking_id: big.bookingId })).toHaveLength(0);
  });

  it('when someone not signed in opens finance, then they are sent to sign in', async () => {
    const res = await request(t.server).get('/admin/finance/payouts');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/admin/sign-in?next=${encodeURIComponent('/admin/finance/payouts')}`);
  });

  it('when the API is called without a token, then 401; with an organiser’s, then 403; with a treasurer’s, then 200', async () => {
    for (const path of ['/api/v1/admin/finance/summary', '/api/v1/admin/finance/mismatches', '/api/v1/admin/finance/payments.csv']) {
      expect((await request(t.server).get(path)).status).toBe(401);
      expect((await request(t.server).get(path).set('Authorization', `Bearer ${tokens.organiser}`)).status).toBe(403);
      expect((await request(t.server).get(path).set('Authorization', `Bearer ${tokens.treasurer}`)).status).toBe(200);
    }
  });
});

describe('amounts', () => {
  it('when £1,234.50 is taken, then the API says 123450 pence and the pages say £1,234.50', async () => {
    const api = await request(t.server).get('/api/v1/admin/finance/summary').set('Authorization', `Bearer ${tokens.treasurer}`).expect(200);
    const row = api.body.events.find((e: { title: string }) => e.title === 'Annual conference 2026');
    expect(row.gross).toBe(123450);
    expect(row.fees).toBe(Math.round(123450 * 0.015) + 20);
    const overview = await as.treasurer.agent.get('/admin/finance').expect(200);
    expect(overview.text).toContain('£1,234.50');
    expect(overview.text).toContain('All the money in this period moved in Mar 2026');
    const ledger = await as.treasurer.agent.get('/admin/finance/payments?q=' + big.reference.toLowerCase()).expect(200);
    expect(ledger.text).toContain('£1,234.50');
    expect(ledger.text).toContain('1 entry');
    const csv = await as.treasurer.agent.get('/admin/finance/exports/payments.csv').expect(200);
    expect(csv.text).toContain(',1234.50,');
  });
});

describe('bad input', () => {
  it('when the period is not a date, then the API answers 422 naming the field', async () => {
    const res = await request(t.server).get('/api/v1/admin/finance/summary?from=2026-13-01&to=2026-03-31').set('Authorization', `Bearer ${tokens.treasurer}`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'from' })]);
    const backwards = await request(t.server).get('/api/v1/admin/finance/payments.csv?from=2026-03-31&to=2026-03-01').set('Authorization', `Bearer ${tokens.treasurer}`);
    expect(backwards.status).toBe(422);
    expect(backwards.body.error.details).toEqual([{ path: 'to', message: 'The last day must not be before the first' }]);
  });

  it('when the overview is asked for a bad period, then the form comes back at 422 with the error beside the field and what was typed', async () => {
    const res = await as.treasurer.agent.get('/admin/finance?from=nonsense&to=2026-03-31');
    expect(res.status).toBe(422);
    expect(res.text).toContain('id="field-from-error"');
    expect(res.text).toContain('value="nonsense"');
  });

  it('when a ledger page or filter is nonsense, then 422 with the form, not an error page', async () => {
    const res = await as.treasurer.agent.get('/admin/finance/payments?method=cheque&page=-3');
    expect(res.status).toBe(422);
    expect(res.text).toContain('There is a problem');
  });

  it('when a refund amount is not money or is more than was paid, then the form comes back with the error and the input kept, and nothing is refunded', async () => {
    const url = `/admin/finance/bookings/${big.reference}/refund`;
    const bad = await as.treasurer.agent.post(url).type('form').send({ _csrf: as.treasurer.csrf, amount: '12.5x', reason: 'Test' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter an amount in pounds and pence, like 12.50');
    expect(bad.text).toContain('value="12.5x"');
    const tooMuch = await as.treasurer.agent.post(url).type('form').send({ _csrf: as.treasurer.csrf, amount: '2000.00', reason: '' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.text).toContain('Enter a reason');
    const over = await as.treasurer.agent.post(url).type('form').send({ _csrf: as.treasurer.csrf, amount: '2000.00', reason: 'Too much' });
    expect(over.status).toBe(422);
    expect(over.text).toContain('Enter at most £1,234.50, what is left to refund');
    expect(await t.db('refunds').where({ booking_id: big.bookingId })).toHaveLength(0);
  });

  it('when an invoice payment is dated in the future, then 422; when the invoice is paid and a payment is recorded again, then it is refused', async () => {
    const event = await financeEvent(t);
    const { reference } = await invoiceBooking(t, event);
    const url = `/admin/finance/bookings/${reference}/invoice-payment`;
    const future = await as.treasurer.agent.post(url).type('form').send({ _csrf: as.treasurer.csrf, paidOn: '2027-01-01', amount: '95.00', bankReference: 'BACS' });
    expect(future.status).toBe(422);
    expect(future.text).toContain('cannot be in the future');
    expect((await confirmThroughReview(as.treasurer.agent, url, { _csrf: as.treasurer.csrf, paidOn: '2026-03-01', amount: '95.00', bankReference: 'BACS' })).done.status).toBe(303);
    const again = await as.treasurer.agent.post(url).type('form').send({ _csrf: as.treasurer.csrf, paidOn: '2026-03-01', amount: '95.00', bankReference: 'BACS' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('no longer outstanding');
    expect(await t.db('payments').where({ method: 'invoice', bank_reference: 'BACS' }).whereIn('booking_id', t.db('bookings').select('id').where({ reference }))).toHaveLength(1);
    const mismatch = await request(t.server).get('/api/v1/admin/finance/mismatches').set('Authorization', `Bearer ${tokens.treasurer}`);
    expect(mismatch.body.mismatches.filter((m: { bookingReference: string }) => m.bookingReference === reference)).toEqual([]);
  });

  it('when an invoice is written off, then it leaves the outstanding list and the reason is audited', async () => {
    const event = await financeEvent(t);
    const { reference } = await invoiceBooking(t, event);
    const list = await as.treasurer.agent.get('/admin/finance/invoices').expect(200);
    expect(list.text).toContain(reference);
    expect((await confirmThroughReview(as.treasurer.agent, `/admin/finance/bookings/${reference}/write-off`, { _csrf: as.treasurer.csrf, reason: 'Trust dissolved' })).done.status).toBe(303);
    expect((await as.treasurer.agent.get('/admin/finance/invoices').expect(200)).text).not.toContain(reference);
    const audit = await t.db('audit_log').where({ action: 'invoice_written_off' }).first();
    expect(JSON.parse(audit.details)).toMatchObject({ reference, reason: 'Trust dissolved' });
    expect((await t.db('bookings').where({ reference }).first()).invoice_status).toBe('written_off');
  });
});
