import type { Server } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';
import { attribute, tagWithId, textOf } from '../support/html';
import { createStaff, createToken, csrfFrom, signIn, type SignedIn } from './helpers';

/**
 * Issue 14, "Hostile text", on the staff side: a NUL in the staff event form or a staff message answered 500 on
 * PostgreSQL; control characters and bidi overrides were accepted in titles. Each staff form now comes back at 422
 * with the message beside the field and what was typed kept; the API names the field path; nothing is written.
 */

let t: TestApp;
let server: Server;
const as = {} as Record<'organiser' | 'treasurer', SignedIn>;
let organiserToken: string;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  for (const role of ['organiser', 'treasurer'] as const) {
    const staff = await createStaff(t, role);
    as[role] = await signIn(server, staff.email);
    if (role === 'organiser') organiserToken = await createToken(t, staff.id);
  }
});
afterAll(async () => {
  server.close();
  await t.close();
});

const NUL_MESSAGE = 'Contains an invisible control character (U+0000); remove it';
const count = async (table: string) => Number((await t.db(table).count({ n: '*' }))[0].n);
const snapshot = async () => ({ events: await count('events'), ticketTypes: await count('ticket_types'), messages: await count('staff_messages'), outbox: await count('outbox_emails'), audit: await count('audit_log') });

const eventForm = (csrf: string, changes: Record<string, string> = {}) => ({
  _csrf: csrf, title: 'Linkage seminar', kind: 'seminar', region: 'london', summary: 'A seminar.', timezone: 'Europe/London',
  startsAt: '2026-04-14T18:00', endsAt: '2026-04-14T20:00', venue: 'Royal Statistical Society', address: '12 Errol Street',
  capacity: '60', refundFee: '0.00', ticket_name: 'Free registration', ticket_price: '0.00', ...changes,
});

async function register(slug: string, name: string) {
  const p = person(name);
  const res = await request(server).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] });
  expect(res.status).toBe(201);
  return res.body.booking.reference as string;
}

describe('the staff event forms', () => {
  it('when a new event\'s title has a NUL, then 422 with the message beside the title, the rest kept, and no event', async () => {
    const before = await snapshot();

    const res = await as.organiser.agent.post('/admin/events').type('form').send(eventForm(as.organiser.csrf, { title: 'Linkage\u0000 seminar' }));

    expect(res.status).toBe(422);
    expect(attribute(tagWithId(res.text, 'field-title'), 'aria-invalid')).toBe('true');
    expect(textOf(res.text)).toContain(NUL_MESSAGE);
    expect(attribute(tagWithId(res.text, 'field-venue'), 'value')).toBe('Royal Statistical Society');
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    ['a right-to-left override in the title', { title: 'Seminar \u202Eevil' }, 'field-title'],
    ['ESC in the summary', { summary: 'Summary \u001b[2J' }, 'field-summary'],
    ['CR/LF in the venue', { venue: 'Hall\r\nX-Header: y' }, 'field-venue'],
    ['a NUL in the description', { description: 'Long\u0000text' }, 'field-description'],
    ['a C1 control in the address', { address: '12 Errol St\u0085' }, 'field-address'],
    ['a NUL in the ticket type name', { ticket_name: 'Free\u0000' }, 'field-ticket.name'],
    ['a NUL in the meeting address', { meetingUrl: 'https://meet.example.org/\u0000' }, 'field-meetingUrl'],
    ['a NUL in the time zone', { timezone: 'Europe/London\u0000' }, 'field-timezone'],
  ])('when a new event has %s, then 422 beside that field and nothing is written', async (_label, changes, fieldId) => {
    const before = await snapshot();
    const res = await as.organiser.agent.post('/admin/events').type('form').send(eventForm(as.organiser.csrf, changes));
    expect(res.status).toBe(422);
    expect(attribute(tagWithId(res.text, fieldId), 'aria-invalid')).toBe('true');
    expect(await snapshot()).toEqual(before);
  });

  it('when an event\'s description has Windows line breaks and tabs, then it is saved with LF and TAB', async () => {
    const res = await as.organiser.agent.post('/admin/events').type('form').send(eventForm(as.organiser.csrf, { title: 'Line breaks kept', description: 'First\r\n\r\n\tSecond' }));
    expect(res.status).toBe(303);
    expect((await t.db('events').where({ slug: 'line-breaks-kept' }).first()).description).toBe('First\n\n\tSecond');
  });

  it('when an existing event is edited with a NUL in its title, then 422 and the event is unchanged', async () => {
    const event = await buildEvent(t.db, { title: 'Unchanged title' });
    const res = await as.organiser.agent.post(`/admin/events/${event.slug}`).type('form').send(eventForm(as.organiser.csrf, { title: 'Changed\u0000' }));
    expect(res.status).toBe(422);
    expect(attribute(tagWithId(res.text, 'field-title'), 'value')).toBe('Changed\u0000');
    expect((await t.db('events').where({ id: event.id }).first()).title).toBe('Unchanged title');
  });

  it('when a ticket type is added with a bidi isolate in its name, then 422 and no ticket type is added', async () => {
    const event = await buildEvent(t.db);
    const before = await snapshot();
    const res = await as.organiser.agent.post(`/admin/events/${event.slug}/tickets`).type('form').send({ _csrf: as.organiser.csrf, name: 'Student \u2067x', price: '0.00' });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain('Contains an invisible text-direction control (U+2067)');
    expect(await snapshot()).toEqual(before);
  });

  it('when an event is cancelled with a NUL in the reason, then 422 beside the reason and the event is not cancelled', async () => {
    const event = await buildEvent(t.db);
    const res = await as.organiser.agent.post(`/admin/events/${event.slug}/cancel`).type('form').send({ _csrf: as.organiser.csrf, reason: 'Speaker ill\u0000', confirm: 'yes' });
    expect(res.status).toBe(422);
    expect(attribute(tagWithId(res.text, 'field-reason'), 'aria-invalid')).toBe('true');
    expect((await t.db('events').where({ id: event.id }).first()).status).toBe('published');
  });
});

describe('staff messages', () => {
  it.each([
    ['a NUL in the subject', { subject: 'Room\u0000 change', body: 'Dear all' }, 'field-subject'],
    ['CR/LF in the subject (a header)', { subject: 'Room change\r\nBcc: all@example.org', body: 'Dear all' }, 'field-subject'],
    ['a NUL in the body', { subject: 'Room change', body: 'Dear all\u0000' }, 'field-body'],
  ])('when a message has %s, then 422 beside the field, the input kept, and nothing is sent', async (_label, fields, fieldId) => {
    const event = await buildEvent(t.db);
    await register(event.slug, `msg-${fieldId}-${Math.random().toString(36).slice(2, 6)}`);
    const before = await snapshot();

    const res = await as.organiser.agent.post(`/admin/events/${event.slug}/messages`).type('form').send({ _csrf: as.organiser.csrf, audience: 'attendees', ...fields });

    expect(res.status).toBe(422);
    expect(attribute(tagWithId(res.text, fieldId), 'aria-invalid')).toBe('true');
    expect(res.text).toContain('Dear all');
    expect(await snapshot()).toEqual(before);
  });
});

describe('staff cancellations, searches and sign-in', () => {
  it('when the cancel API is given a reason with a NUL, then 422 naming reason and the booking stands', async () => {
    const event = await buildEvent(t.db);
    const reference = await register(event.slug, 'api-cancel');
    const res = await request(server).post(`/api/v1/admin/bookings/${reference}/cancel`).set('Authorization', `Bearer ${organiserToken}`).send({ refund: 'none', reason: 'Duplicate\u0000' });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([{ path: 'reason', message: NUL_MESSAGE }]);
    expect((await t.db('bookings').where({ reference }).first()).status).toBe('confirmed');
  });

  it('when the cancel form is given a reason with an RLO, then 422 beside the reason and the booking stands', async () => {
    const event = await buildEvent(t.db);
    const reference = await register(event.slug, 'form-cancel');
    const res = await as.organiser.agent.post(`/admin/bookings/${reference}/cancel`).type('form').send({ _csrf: as.organiser.csrf, refund: 'none', reason: 'Asked \u202Eto' });
    expect(res.status).toBe(422);
    expect(attribute(tagWithId(res.text, 'field-reason'), 'aria-invalid')).toBe('true');
    expect((await t.db('bookings').where({ reference }).first()).status).toBe('confirmed');
  });

  it('when the attendee list and the door list are searched for a NUL, then 422, not 500', async () => {
    const event = await buildEvent(t.db);
    expect((await as.organiser.agent.get(`/admin/events/${event.slug}/attendees?q=a%00b`)).status).toBe(422);
    expect((await as.organiser.agent.get(`/admin/events/${event.slug}/check-in?q=a%00b`)).status).toBe(422);
    const api = await request(server).get(`/api/v1/admin/events/${event.slug}/attendees.json?q=a%00b`).set('Authorization', `Bearer ${organiserToken}`);
    expect(api.status).toBe(422);
    expect(api.body.error.details[0].path).toBe('q');
  });

  it('when someone signs in with a NUL in the email, then 422 beside the email, not 500, and the email is kept', async () => {
    const anonymous = request.agent(server);
    const form = await anonymous.get('/admin/sign-in').expect(200);
    const res = await anonymous.post('/admin/sign-in').type('form').send({ _csrf: csrfFrom(form.text), email: 'ann\u0000@hsug.test', password: 'whatever' });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain(NUL_MESSAGE);
  });
});

describe('the treasurer\'s forms', () => {
  async function invoiceBooking() {
    const event = await buildEvent(t.db, { kind: 'seminar', allowsInvoice: true, tickets: [{ name: 'Standard', price: 9500 }] });
    const p = person(`inv-${Math.random().toString(36).slice(2, 8)}`);
    const res = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { ...p, organisation: 'NHS Trust' }, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: p }], paymentMethod: 'invoice', purchaseOrder: 'PO-1', billingContact: 'Accounts, accounts@nhs.test', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
    expect([res.status, res.body.error]).toEqual([201, undefined]);
    return res.body.booking.reference as string;
  }
  const financeRows = async () => ({ credits: await count('credits'), audit: await count('audit_log'), payments: await count('payments') });

  it.each([
    ['an invoice payment whose bank reference has a NUL', 'invoice-payment', { paidOn: '2026-03-01', amount: '95.00', bankReference: 'BACS\u0000 123' }, 'field-bankReference', 'U+0000'],
    ['a write-off reason with ESC', 'write-off', { reason: 'Trust closed\u001b' }, 'field-reason', 'U+001B'],
  ])('when the treasurer posts %s, then 422 beside the field and nothing is recorded', async (_label, action, fields, fieldId, codePoint) => {
    const reference = await invoiceBooking();
    const before = await financeRows();

    const res = await as.treasurer.agent.post(`/admin/finance/bookings/${reference}/${action}`).type('form').send({ _csrf: as.treasurer.csrf, ...fields });

    expect(res.status).toBe(422);
    expect(attribute(tagWithId(res.text, fieldId), 'aria-invalid')).toBe('true');
    expect(textOf(res.text)).toContain(`Contains an invisible control character (${codePoint}); remove it`);
    expect(await financeRows()).toEqual(before);
  });

  it('when the treasurer posts a refund whose reason has a NUL, then 422 and nothing is refunded or credited', async () => {
    const reference = await invoiceBooking();
    const before = await financeRows();
    const res = await as.treasurer.agent.post(`/admin/finance/bookings/${reference}/refund`).type('form').send({ _csrf: as.treasurer.csrf, amount: '10.00', reason: 'Overpaid\u0000' });
    expect(res.status).toBe(422);
    expect(await financeRows()).toEqual(before);
    expect(await count('refunds')).toBe(0);
  });

  it('when the payments ledger is searched for a NUL, then 422 with the message on the page, and the CSV export answers 422', async () => {
    const page = await as.treasurer.agent.get('/admin/finance/payments?q=a%00b');
    expect(page.status).toBe(422);
    expect(textOf(page.text)).toContain(NUL_MESSAGE);

    const csv = await as.treasurer.agent.get('/admin/finance/exports/payments.csv?q=a%00b');
    expect(csv.status).toBe(422);
  });
});
