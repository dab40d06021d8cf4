import request from 'supertest';
import { z } from 'zod';
import { CLI_ACTOR } from '../../src/admin/audit/log';
import { sendStaffMessage } from '../../src/admin/messages/service';
import { findBookingByReference } from '../../src/bookings/queries';
import { findEventById } from '../../src/events/queries';
import { recordInvoicePayment } from '../../src/finance/invoices';
import { enqueueEmail, type OutgoingEmail } from '../../src/mail/outbox';
import { createTemplateRegistry, defineTemplate } from '../../src/mail/templates';
import { paymentNotice, type PaymentNoticeKind } from '../../src/bookings';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { INVOICE_ACCOUNT_NAME: 'Health Statistics User Group', INVOICE_SORT_CODE: '12-34-56', INVOICE_ACCOUNT_NUMBER: '12345678' } });
});
afterAll(() => t.close());

/** A seminar that takes invoices, with a £95 ticket. */
function invoiceSeminar(title: string) {
  return buildEvent(t.db, { kind: 'seminar', title, allowsInvoice: true, tickets: [{ name: 'Non-member', price: 9500 }] });
}

/** Books two £95 places by invoice through the public API. */
async function bookByInvoice(event: { slug: string; ticketTypeIds: number[] }, name: string) {
  const buyer = person(name);
  const res = await request(t.app)
    .post(`/api/v1/events/${event.slug}/bookings`)
    .send({
      buyer: { ...buyer, organisation: 'NHS Test Trust' },
      items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: buyer }, { ticketTypeId: event.ticketTypeIds[0], attendee: person(`${name}-guest`) }],
      paymentMethod: 'invoice',
      purchaseOrder: 'PO-4242',
      billingContact: 'Accounts',
      billingEmail: 'accounts@nhs.test',
      billingAddress: '1 Trust Way, Leeds LS1 4AP',
    });
  expect(res.status).toBe(201);
  return res.body.booking as { reference: string; total: number };
}

async function outboxRow(dedupeKey: string) {
  return t.db('outbox_emails').where({ dedupe_key: dedupeKey }).first();
}

function received(address: string) {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(address));
}

function aPlainEmail(key: string): OutgoingEmail {
  return { dedupeKey: key, kind: 'test', to: `${key}@example.org`, subject: `Subject ${key}`, text: `Text ${key}`, html: `<p>HTML ${key}</p>` };
}

describe('payment notices are rendered when sent', () => {
  it('when a pro-forma waits in the outbox, then nothing was rendered while booking, the row keeps a payload and no body, and the email shows the booking and event as they are now with the amounts as booked', async () => {
    // Arrange: count every render while the booking is made
    const event = await invoiceSeminar('Survival analysis seminar');
    const render = t.ctx.emails.render;
    let rendersWhileBooking = 0;
    t.ctx.emails.render = (name, model) => {
      rendersWhileBooking++;
      return render(name, model);
    };
    let booking: { reference: string; total: number };
    try {
      booking = await bookByInvoice(event, 'late-pro-forma');
    } finally {
      t.ctx.emails.render = render;
    }
    const stored = await findBookingByReference(t.db, booking.reference);
    // The buyer attends: their confirmation carries the pro-forma (issue 15: one email per booking moment).
    const buyerSeat = await t.db('attendees').where({ booking_id: stored!.id, email: person('late-pro-forma').email }).first();
    const row = await outboxRow(`booking:${stored!.id}:confirmed:attendee:${buyerSeat.id}`);

    // Act: the event, its contact, the buyer's name and the ticket price change before the sender runs
    await t.db('events').where({ id: event.id }).update({ title: 'Survival analysis seminar (room 2)', contact_email: 'seminars@hsug.test' });
    await t.db('attendees').where({ id: buyerSeat.id }).update({ name: 'Dr Renamed Buyer' });
    await t.db('ticket_types').where({ id: event.ticketTypeIds[0] }).update({ price: 12000 });
    await t.sendMail();

    // Assert: the queue held a template and the money, not a message
    expect(rendersWhileBooking).toBe(0);
    expect(row).toMatchObject({ template: 'booking_notice', text_body: '', html_body: '', ical_method: null });
    expect(JSON.parse(row.template_payload).money).toEqual({ kind: 'pro_forma', lines: [{ label: '2 × Non-member', amount: 19000 }], total: 19000 });
    expect(await outboxRow(`booking:${stored!.id}:pro_forma`)).toBeUndefined();
    // The email: names and places as they are now, the amounts as they were booked
    // The confirmation; the invoice itself is an email of its own (issue 11), with its PDF made from the invoice as issued.
    const all = received(person('late-pro-forma').email);
    const mails = all.filter((m) => !m.subject?.startsWith('Invoice HSUG-'));
    expect(mails).toHaveLength(1);
    expect(all.filter((m) => m.subject?.startsWith('Invoice HSUG-'))).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.subject).toBe(`You're booked: Survival analysis seminar (invoice to follow for ${booking.reference})`);
    expect(mail?.text).toContain('Dear Dr Renamed Buyer,');
    expect(mail?.text).toContain('Your place is confirmed for Survival analysis seminar (room 2). You also booked a place for Attendee late-pro-forma-guest, who has been sent their own calendar invitation.');
    expect(mail?.text).toContain('Questions? Write to seminars@hsug.test.');
    expect(mail?.text).toContain('Non-member: £190.00');
    expect(mail?.text).toContain('Total: £190.00');
    expect(mail?.text).not.toContain('£240.00');
    expect(mail?.text).toContain('Purchase order: PO-4242');
    // The bank details and the payment reference are on the invoice, not here.
    expect(mail?.text).not.toContain('Sort code: 12-34-56');
    expect(mail?.text).toContain('Please quote the invoice number when you pay.');
  });

  it('when the treasurer records an invoice payment, then the notice is queued with no body and the email says the amount received', async () => {
    // Arrange
    const event = await invoiceSeminar('Invoice paid seminar');
    const booking = await bookByInvoice(event, 'invoice-paid');
    const stored = await findBookingByReference(t.db, booking.reference);

    // Act
    await recordInvoicePayment(t.ctx, CLI_ACTOR, booking.reference, { paidOn: '2026-03-02', amount: 19000, bankReference: 'BACS 991' });
    const row = await outboxRow(`booking:${stored!.id}:invoice_paid`);
    await t.sendMail();

    // Assert
    expect(row).toMatchObject({ template: 'payment_notice', text_body: '', html_body: '' });
    const mail = received(person('invoice-paid').email).find((m) => m.subject?.startsWith('Payment received'));
    expect(mail?.text).toContain('we have received your bank payment of £190.00');
  });

  it.each<[PaymentNoticeKind, string]>([
    ['receipt', 'we have received your payment for'],
    ['pro_forma', 'This is your pro-forma invoice'],
    ['refunded_after_expiry', 'we have refunded the full £50.00 to your card'],
    ['refunded_event_cancelled', 'we have refunded your payment of £50.00 in full'],
    ['payment_failed', 'did not go through, so the places we were holding have been released'],
    ['refund_issued', 'Refunded £50.00. Your refund for booking'],
    ['invoice_paid', 'we have received your bank payment of £50.00'],
  ])('when the %s notice is queued, then the row has no body and the sent email says what happened', async (kind, says) => {
    // Arrange
    const event = await invoiceSeminar(`Kinds seminar ${kind}`);
    const booking = await bookByInvoice(event, `kind-${kind}`);
    const stored = (await findBookingByReference(t.db, booking.reference))!;
    const eventRecord = (await findEventById(t.db, event.id))!;

    // Act
    await t.db.transaction((trx) =>
      enqueueEmail(trx, paymentNotice(t.ctx, { kind, event: eventRecord, booking: stored, lines: [], amount: 5000, dedupeSuffix: 'kinds' }), t.clock.now(), 'events.test'),
    );
    const row = await outboxRow(`booking:${stored.id}:${kind}:kinds`);
    await t.sendMail();

    // Assert
    expect(row).toMatchObject({ template: 'payment_notice', text_body: '', html_body: '', status: 'pending' });
    expect((await outboxRow(`booking:${stored.id}:${kind}:kinds`)).status).toBe('sent');
    const [mail] = received(person(`kind-${kind}`).email).filter((m) => m.messageId === row.message_id);
    expect(mail.text).toContain(says);
    expect(mail.text).toContain(`Booking reference: ${booking.reference}`);
  });
});

describe('organisers’ messages are rendered when sent', () => {
  it('when a message waits in the outbox, then the row keeps a payload and no body, and the email has the message with the event as it is now', async () => {
    // Arrange
    const event = await buildEvent(t.db, { title: 'Message meeting' });
    const attendee = person('messaged');
    await request(t.app).post(`/events/${event.slug}/register`).type('form').send(attendee).expect(303);

    // Act
    await sendStaffMessage(t.ctx, CLI_ACTOR, event.slug, { audience: 'attendees', subject: 'Bring your laptop', body: 'We will work through the examples together.', sendKey: 'template-test-send-key-1', expected: 1 });
    const [row] = await t.db('outbox_emails').where({ kind: 'staff_message', to_address: attendee.email });
    await t.db('events').where({ id: event.id }).update({ venue: 'The Moved Hall' });
    await t.sendMail();

    // Assert
    expect(row).toMatchObject({ template: 'staff_message', text_body: '', html_body: '', subject: 'Message meeting: Bring your laptop' });
    const mail = received(attendee.email).find((m) => m.subject === 'Message meeting: Bring your laptop');
    expect(mail?.text).toContain(`Dear ${attendee.name},`);
    expect(mail?.text).toContain('We will work through the examples together.');
    expect(mail?.text).toContain('Where: The Moved Hall');
  });
});

describe('the template registry', () => {
  it('when a queued payload does not match its template, then that email fails with the reason and the others still go out', async () => {
    // Arrange: a payment notice whose payload was damaged, an unknown template, and a good email after them
    await t.db.transaction(async (trx) => {
      const header = { kind: 'receipt', subject: 'Never' };
      await enqueueEmail(trx, { ...header, dedupeKey: 'bad-payload', to: 'bad-payload@example.org', deferred: { template: 'payment_notice', payload: { kind: 'receipt', bookingId: 'seven' } } }, t.clock.now(), 'events.test');
      await enqueueEmail(trx, { ...header, dedupeKey: 'unknown-template', to: 'unknown-template@example.org', deferred: { template: 'gone_template', payload: {} } }, t.clock.now(), 'events.test');
      await enqueueEmail(trx, aPlainEmail('good-after-bad'), t.clock.now(), 'events.test');
    });

    // Act
    const outcome = await t.sendMail();

    // Assert: each failed attempt records its reason and waits for a retry; the good email went out
    expect(outcome).toEqual({ sent: 1, failed: 2 });
    const bad = await outboxRow('bad-payload');
    expect(bad).toMatchObject({ status: 'pending', attempts: 1 });
    expect(bad.last_error).toMatch(/^invalid payload for email template payment_notice: /);
    expect(bad.last_error).toContain('bookingId');
    expect(bad.last_error).toContain('eventId');
    expect(await outboxRow('unknown-template')).toMatchObject({ status: 'pending', attempts: 1, last_error: 'unknown email template gone_template' });
    expect(received('bad-payload@example.org')).toHaveLength(0);
    expect(received('unknown-template@example.org')).toHaveLength(0);
    expect(received('good-after-bad@example.org')).toHaveLength(1);
  });

  it('when the booking a payment notice is about has gone, then that email fails with the reason', async () => {
    // Arrange
    await t.db.transaction((trx) =>
      enqueueEmail(trx, { kind: 'receipt', subject: 'Never', dedupeKey: 'no-booking', to: 'no-booking@example.org', deferred: { template: 'payment_notice', payload: { kind: 'receipt', bookingId: 999999, eventId: 999999, currency: 'GBP', lines: [], total: 0 } } }, t.clock.now(), 'events.test'),
    );

    // Act
    await t.sendMail();

    // Assert
    const row = await outboxRow('no-booking');
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.last_error).toContain('booking 999999 or event 999999 is gone');
  });

  it('when two templates share a name, then the registry refuses to be built', () => {
    const template = defineTemplate<object, { n: number }>({ name: 'twice', schema: z.object({ n: z.number() }), render: async () => ({ text: '', html: '' }) });
    expect(() => createTemplateRegistry([template, template])).toThrow('email template twice is registered twice');
  });

  it('when the app is composed, then booking notices, payment notices, staff messages, staff account emails, subscription confirmations, announcements, certificates, reminders/follow-ups and finance documents can be rendered', () => {
    expect([...t.ctx.emailTemplates.names].sort()).toEqual(['announcement', 'booking_notice', 'certificate_ready', 'finance_document', 'follow_up', 'payment_notice', 'staff_account', 'staff_message', 'subscription_confirm']);
  });
});
