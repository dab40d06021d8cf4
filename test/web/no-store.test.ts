import request from 'supertest';
import { createStaff, createToken, signIn, type SignedIn } from '../admin/helpers';
import { buildEvent, person } from '../support/factories';
import { paidEvent, sessionIdOf, startPaymentsTestApp, successPathOf, type PaymentsTestApp } from '../support/payments';

// Issue 14: "Cache-Control: no-store on every response that carries personal data or a token: the booking-created API
// response, manage pages, checkout pages, staff pages and downloads." One row per such response; each must say no-store.

let t: PaymentsTestApp;
let organiser: SignedIn;
let treasurer: SignedIn;
let apiToken: string;
let freeSlug: string;
let paidSlug: string;
let paidTicket: number;
let free: { reference: string; token: string; attendeeId: number };
let held: { reference: string; token: string; sessionId: string; successPath: string; cancelPath: string };

const anon = () => request(t.baseUrl);

beforeAll(async () => {
  t = await startPaymentsTestApp();
  const freeEvent = await buildEvent(t.db);
  const paid = await buildEvent(t.db, paidEvent());
  freeSlug = freeEvent.slug;
  paidSlug = paid.slug;
  paidTicket = paid.ticketTypeIds[1];

  const a = person('nostore-free');
  const created = await anon().post(`/api/v1/events/${freeSlug}/bookings`).send({ buyer: { name: a.name, email: a.email }, items: [{ attendee: a }] });
  const manage = new URL(created.body.booking.manageUrl);
  const attendee = await t.db('attendees').where({ email: a.email }).first();
  free = { reference: created.body.booking.reference, token: manage.searchParams.get('token')!, attendeeId: Number(attendee.id) };

  const b = person('nostore-paid');
  const pending = await anon().post(`/api/v1/events/${paidSlug}/bookings`).send({ buyer: { name: b.name, email: b.email }, items: [{ ticketTypeId: paidTicket, expectedPrice: 9500, attendee: b }] });
  const sessionId = sessionIdOf(pending.body.booking.checkoutUrl);
  const session = await t.stripe.checkout.sessions.retrieve(sessionId);
  const cancelUrl = new URL(String(session.cancel_url));
  held = {
    reference: pending.body.booking.reference,
    token: new URL(pending.body.booking.manageUrl).searchParams.get('token')!,
    sessionId,
    successPath: await successPathOf(t.stripe, sessionId),
    cancelPath: `${cancelUrl.pathname}${cancelUrl.search}`,
  };

  const server = t.server;
  organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
  const treasurerUser = await createStaff(t, 'treasurer');
  treasurer = await signIn(server, treasurerUser.email);
  apiToken = await createToken(t, treasurerUser.id);
});
afterAll(async () => {
  await t.close();
});

type Row = [label: string, send: () => Promise<request.Response>, status: number];

const ROWS: Row[] = [
  // The public booking API and forms: the answer carries the manage link, or echoes the person's details.
  ['the booking-created API response (free, with manageUrl)', () => anon().post(`/api/v1/events/${freeSlug}/bookings`).send({ buyer: person('ns-1'), items: [{ attendee: person('ns-1') }] }), 201],
  ['the booking-created API response (card, with checkoutUrl)', () => anon().post(`/api/v1/events/${paidSlug}/bookings`).send({ buyer: { name: 'Ns Two', email: 'ns2@example.org' }, items: [{ ticketTypeId: paidTicket, expectedPrice: 9500, attendee: person('ns-2') }] }), 201],
  ['a booking refused by the API (422, echoing the request)', () => anon().post(`/api/v1/events/${freeSlug}/bookings`).send({ buyer: { name: '', email: 'not-an-email' }, items: [] }), 422],
  ['the booking for its token holder (API)', () => anon().get(`/api/v1/bookings/${free.reference}`).set('Authorization', `Bearer ${free.token}`), 200],
  ['the booking with a wrong token (API, 404)', () => anon().get(`/api/v1/bookings/${free.reference}?token=wrongwrongwrongwrongwrongwrongwrongwrong123`), 404],
  ['the registration form posted (redirect to the manage link)', () => anon().post(`/events/${freeSlug}/register`).type('form').send(person('ns-3')), 303],
  ['the registration form re-shown with the person\'s input (422)', () => anon().post(`/events/${freeSlug}/register`).type('form').send({ name: 'Ns Four', email: 'not-an-email' }), 422],
  ['the confirmation resent (redirect to a page that names no one)', () => anon().post(`/events/${freeSlug}/resend`).type('form').send({ email: person('nostore-free').email }), 303],
  ['the paid booking form posted (redirect to the payment page)', () => anon().post(`/events/${paidSlug}/book`).type('form').send({ buyer_name: 'Ns Five', buyer_email: 'ns5@example.org', seat_0_type: String(paidTicket), seat_0_price: '9500', payment_method: 'card' }), 303],
  // Manage pages and the links in emails.
  ['the manage page', () => anon().get(`/bookings/${free.reference}?token=${free.token}`), 200],
  ['the manage page with a wrong token (404)', () => anon().get(`/bookings/${free.reference}?token=wrongwrongwrongwrongwrongwrongwrongwrong123`), 404],
  ['a place\'s calendar copy', () => anon().get(`/bookings/${free.reference}/attendees/${free.attendeeId}/invite.ics?token=${free.token}`), 200],
  ['the pay link (redirect to the payment page)', () => anon().get(`/bookings/${held.reference}/pay?token=${held.token}`), 303],
  // Checkout pages Stripe returns the buyer to.
  ['the checkout cancelled page', () => anon().get(held.cancelPath), 200],
  ['the checkout success page (redirect to the manage link)', () => anon().get(held.successPath), 303],
  // Staff pages and downloads.
  ['the staff sign-in form (it carries a CSRF token)', () => anon().get('/admin/sign-in'), 200],
  ['the staff home page', () => organiser.agent.get('/admin'), 200],
  ['the attendee list page', () => organiser.agent.get(`/admin/events/${freeSlug}/attendees`), 200],
  ['the attendee list as CSV', () => organiser.agent.get(`/admin/events/${freeSlug}/attendees.csv`), 200],
  ['the attendee list as XLSX', () => organiser.agent.get(`/admin/events/${freeSlug}/attendees.xlsx`), 200],
  ['the attendee list as JSON', () => organiser.agent.get(`/admin/events/${freeSlug}/attendees.json`), 200],
  ['the sign-in sheet', () => organiser.agent.get(`/admin/events/${freeSlug}/sign-in-sheet`), 200],
  ['the member list page', () => organiser.agent.get('/admin/members'), 200],
  ['the finance payments export', () => treasurer.agent.get('/admin/finance/exports/payments.csv'), 200],
  ['a staff page refused to the wrong role (403)', () => treasurer.agent.get('/admin/users'), 403],
  ['the staff API attendee download', () => anon().get(`/api/v1/admin/events/${freeSlug}/attendees.csv`).set('Authorization', `Bearer ${apiToken}`), 200],
  ['the staff API finance summary', () => anon().get('/api/v1/admin/finance/summary').set('Authorization', `Bearer ${apiToken}`), 200],
  ['the staff API without a token (401)', () => anon().get(`/api/v1/admin/events/${freeSlug}/attendees.json`), 401],
];

describe('Cache-Control: no-store on every response that carries personal data or a token', () => {
  it.each(ROWS)('when %s is answered, then it says Cache-Control: no-store', async (_label, send, status) => {
    const res = await send();

    expect(res.status).toBe(status);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('when a public page or the public catalogue is served, then it keeps its own caching', async () => {
    const list = await anon().get('/api/v1/events');
    const page = await anon().get(`/events/${freeSlug}`);

    expect(list.headers['cache-control']).not.toContain('no-store');
    expect(list.headers['cache-control']).toBeDefined();
    expect(page.headers['cache-control'] ?? '').not.toContain('no-store');
  });
});
