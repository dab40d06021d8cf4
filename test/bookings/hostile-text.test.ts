import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';
import { attribute, tagWithId, textOf } from '../support/html';

/**
 * Issue 14, "Hostile text": on PostgreSQL a NUL byte in any text field answered 500, and CR/LF, ESC and right-to-left
 * overrides were accepted in names. Every field a person types now follows one rule (src/lib/text.ts); a refusal is
 * 422 naming the field, and nothing is written.
 */

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

async function written(eventId: number) {
  const count = async (table: string, where: (q: ReturnType<TestApp['db']>) => unknown) => {
    const q = t.db(table);
    where(q);
    return Number((await q.count({ n: '*' }))[0].n);
  };
  return {
    bookings: await count('bookings', (q) => q.where({ event_id: eventId })),
    attendees: await count('attendees', (q) => q.whereIn('booking_id', t.db('bookings').select('id').where({ event_id: eventId }))),
    outbox: await count('outbox_emails', () => undefined),
  };
}

const person = (name: string, email: string) => ({ name, email });

describe('the booking API refuses hostile text with 422 naming the field', () => {
  it.each([
    ['a NUL byte', 'a\u0000b', 'Contains an invisible control character (U+0000); remove it'],
    ['CR/LF (which would reach the email To: header)', 'Ann\r\nBcc: everyone@example.org', 'Must be on one line: remove the line break'],
    ['ESC', 'Ann\u001b[2J', 'Contains an invisible control character (U+001B); remove it'],
    ['a right-to-left override', 'Ann \u202Egnp.exe', 'Contains an invisible text-direction control (U+202E) that can disguise the text; remove it'],
    ['an unpaired surrogate', 'Ann \uD800', 'Contains a broken character (an unpaired surrogate, U+D800); remove it'],
  ])('when the buyer\'s name has %s, then 422 with buyer.name and nothing is written', async (_label, name, message) => {
    // Arrange
    const event = await buildEvent(t.db);
    const before = await written(event.id);

    // Act
    const res = await request(t.app)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer: person(name, 'buyer@example.org'), items: [{ attendee: person('Bea', 'bea@example.org') }] });

    // Assert
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual([{ path: 'buyer.name', message }]);
    expect(await written(event.id)).toEqual(before);
  });

  it('when hostile text is in an attendee\'s organisation, dietary needs and the purchase order, then 422 names each path', async () => {
    const event = await buildEvent(t.db);
    const res = await request(t.app)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({
        buyer: person('Bea', 'bea@example.org'),
        items: [{ attendee: { ...person('Bea', 'bea@example.org'), organisation: 'NHS\u0000', dietary: 'None\u0085', accessibility: 'Step-free \u2066access' } }],
        purchaseOrder: 'PO\u00001',
      });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['items.0.attendee.accessibility', 'items.0.attendee.dietary', 'items.0.attendee.organisation', 'purchaseOrder']);
  });

  it('when an email address has a NUL or CR/LF, then 422 names it', async () => {
    const event = await buildEvent(t.db);
    const res = await request(t.app)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer: person('Bea', 'bea@example.org\r\nBcc: x@example.org'), items: [{ attendee: person('Bea', 'b\u0000ea@example.org') }] });
    expect(res.status).toBe(422);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toEqual(['buyer.email', 'items.0.attendee.email']);
  });

  it('when text is acceptable but untidy, then it is stored trimmed, in NFC, with its line breaks as LF', async () => {
    // Arrange: "Zoë" with a combining diaeresis, spaces around, and a Windows line break in a multi-line field
    const event = await buildEvent(t.db);

    // Act
    const res = await request(t.app)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer: person('  Zoe\u0308 Lee\u00A0', 'zoe@example.org'), items: [{ attendee: { ...person('Zoe\u0308 Lee', 'zoe@example.org'), dietary: 'Vegan\r\nNo nuts\t(severe)' } }] });

    // Assert
    expect(res.status).toBe(201);
    const booking = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
    const attendee = await t.db('attendees').where({ booking_id: booking.id }).first();
    expect(booking.buyer_name).toBe('Zo\u00EB Lee');
    expect(attendee.name).toBe('Zo\u00EB Lee');
    expect(attendee.dietary).toBe('Vegan\nNo nuts\t(severe)');
  });

  it('when a name had CR/LF, then no email was queued with it (it never reaches a To: header)', async () => {
    const event = await buildEvent(t.db);
    await t.sendMail();
    const before = t.smtp.messages.length;
    await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: person('Eve\r\nBcc: all@example.org', 'eve@example.org'), items: [{ attendee: person('Eve\r\nBcc: all@example.org', 'eve@example.org') }] }).expect(422);
    await t.sendMail();
    expect(t.smtp.messages.length).toBe(before);
    expect(await t.db('outbox_emails').where('to_name', 'like', '%Bcc%').orWhere('template_payload', 'like', '%Bcc: all@%')).toEqual([]);
  });
});

describe('the public forms refuse hostile text at 422, beside the field, keeping what was typed', () => {
  it('when the registration form has a NUL in the name, then 422 with the message beside the name and the other fields kept', async () => {
    const event = await buildEvent(t.db);
    const before = await written(event.id);

    const res = await request(t.app).post(`/events/${event.slug}/register`).type('form').send({ name: 'Ann\u0000Lee', email: 'ann@example.org', organisation: 'NHS Trust' });

    expect(res.status).toBe(422);
    expect(attribute(tagWithId(res.text, 'field-name'), 'aria-invalid')).toBe('true');
    expect(textOf(res.text)).toContain('Contains an invisible control character (U+0000); remove it');
    expect(attribute(tagWithId(res.text, 'field-email'), 'value')).toBe('ann@example.org');
    expect(attribute(tagWithId(res.text, 'field-organisation'), 'value')).toBe('NHS Trust');
    expect(await written(event.id)).toEqual(before);
  });

  it('when the registration form has a right-to-left override in the organisation, then 422 beside the organisation', async () => {
    const event = await buildEvent(t.db);
    const res = await request(t.app).post(`/events/${event.slug}/register`).type('form').send({ name: 'Ann Lee', email: 'ann2@example.org', organisation: 'Trust \u202Eelif' });
    expect(res.status).toBe(422);
    expect(attribute(tagWithId(res.text, 'field-organisation'), 'aria-invalid')).toBe('true');
    expect(attribute(tagWithId(res.text, 'field-name'), 'aria-invalid')).toBeUndefined();
  });

  it('when the paid booking form has an ESC in a place\'s name and a NUL in the billing contact, then 422 beside each and nothing is held', async () => {
    const event = await buildEvent(t.db, { kind: 'seminar', allowsInvoice: true, tickets: [{ name: 'Non-member', price: 9500 }] });
    const before = await written(event.id);
    const typeId = String(event.ticketTypeIds[0]);

    const res = await request(t.app).post(`/events/${event.slug}/book`).type('form').send({
      buyer_name: 'Ada Lovelace', buyer_email: 'ada@example.org',
      seat_0_type: typeId, seat_0_price: '9500', seat_0_name: '', seat_0_email: '',
      seat_1_type: typeId, seat_1_price: '9500', seat_1_name: 'Flo\u001b[0m', seat_1_email: 'flo@example.org',
      payment_method: 'invoice', purchase_order: 'PO-1', billing_contact: 'Accounts\u0000', billing_email: 'ap@nhs.test', billing_address: '1 Trust Way, Leeds LS1 4AP',
    });

    expect(res.status).toBe(422);
    expect(attribute(tagWithId(res.text, 'field-seat_1_name'), 'aria-invalid')).toBe('true');
    expect(attribute(tagWithId(res.text, 'field-billing_contact'), 'aria-invalid')).toBe('true');
    expect(textOf(res.text)).toContain('Place 2: Contains an invisible control character (U+001B); remove it');
    expect(attribute(tagWithId(res.text, 'field-seat_1_email'), 'value')).toBe('flo@example.org');
    expect(await written(event.id)).toEqual(before);
  });

  it('when the resend form has a NUL in the email, then 422 beside the email, not 500', async () => {
    const event = await buildEvent(t.db);
    const res = await request(t.app).post(`/events/${event.slug}/resend`).type('form').send({ email: 'ann@example.org\u0000' });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain('Contains an invisible control character (U+0000); remove it');
  });
});
