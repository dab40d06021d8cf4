import request from 'supertest';
import { buildEvent, person } from '../support/factories';
import { textOf } from '../support/html';
import { inviteOf } from '../support/ical';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * Issue 15, "Emails": what each email offers and promises. Cancellations say the attachment removes the event and offer
 * "View booking"; every email carries the venue's map link and a contact line (the organisation's when the event has
 * none of its own); the paid waitlist promises an offer to pay, not a booking. Parsed as a mail program would.
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

function mailsTo(email: string, subjectStart = '') {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(email) && (m.subject ?? '').startsWith(subjectStart));
}

async function register(slug: string, who: string) {
  const p = person(who);
  const res = await request(t.baseUrl).post(`/api/v1/events/${slug}/bookings`).send({ buyer: p, items: [{ attendee: p }] });
  expect(res.status).toBe(201);
  return res.body.booking as { reference: string; manageUrl: string; status: string };
}

describe('cancellation emails', () => {
  it('when an attendee cancels, then the email says the attachment removes the event from the calendar and offers "View booking", not "cancel"', async () => {
    const event = await buildEvent(t.db, { title: 'Evening meeting: cancelling' });
    const booking = await register(event.slug, 'wording-cancel');
    const manage = new URL(booking.manageUrl);
    expect((await request(t.baseUrl).post(`/api/v1/bookings/${booking.reference}/cancel`).set('Authorization', `Bearer ${manage.searchParams.get('token')}`)).status).toBe(200);
    await t.sendMail();

    const [mail] = mailsTo(person('wording-cancel').email, 'Cancelled');
    expect(inviteOf(mail).method).toBe('CANCEL');
    expect(mail.text).toContain('The calendar file attached to this email removes the event from your calendar.');
    expect(mail.text).not.toMatch(/adds the event/);
    expect(mail.text).toContain(`View booking (keep this link private):\n${booking.manageUrl}`);
    expect(mail.text).not.toMatch(/cancel your booking/i);
    expect(mail.text).not.toContain('Google Calendar');
    const html = String(mail.html);
    expect(html).toContain(`>View booking</a>`);
    expect(html).not.toMatch(/cancel your booking/i);
    expect(html).not.toContain('Add to Google Calendar');
  });
});

describe('the contact line and the map', () => {
  it('when an event has no contact email of its own, then its booking email, receipt and pro-forma name the organisation\'s, never "Write to ." or "contact  for"', async () => {
    const free = await buildEvent(t.db, { title: 'Evening meeting: no contact' });
    const paid = await buildEvent(t.db, { ...paidEvent(), title: 'Seminar: no contact' });
    await t.db('events').whereIn('id', [free.id, paid.id]).update({ contact_email: '' });
    const org = t.config.orgContactEmail;

    await register(free.slug, 'contact-free');
    const card = await request(t.baseUrl).post(`/api/v1/events/${paid.slug}/bookings`).send({ buyer: person('contact-card'), items: [{ ticketTypeId: paid.ticketTypeIds[1], attendee: person('contact-card') }] });
    t.sandbox.pay(sessionIdOf(card.body.booking.checkoutUrl));
    await t.sandbox.flush();
    await request(t.baseUrl)
      .post(`/api/v1/events/${paid.slug}/bookings`)
      .send({ buyer: person('contact-invoice'), items: [{ ticketTypeId: paid.ticketTypeIds[1], attendee: person('contact-invoice') }], paymentMethod: 'invoice', purchaseOrder: 'PO-1', billingContact: 'Accounts', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' })
      .expect(201);
    await t.sendMail();

    // The booking emails; the receipt and the invoice PDFs come in emails of their own (issue 11), checked below.
    const isDocument = (m: { subject?: string }) => /^(Invoice|Receipt) HSUG-/.test(m.subject ?? '');
    const all = [mailsTo(person('contact-free').email), mailsTo(person('contact-card').email), mailsTo(person('contact-invoice').email)].flat();
    const emails = all.filter((m) => !isDocument(m));
    expect(emails).toHaveLength(3);
    for (const mail of all.filter(isDocument)) expect(mail.text).toContain(`Questions? Write to ${org}, quoting`);
    for (const mail of emails) {
      expect(mail.text).toContain(`Questions? Write to ${org}.`);
      expect(textOf(String(mail.html)).replace(/ ([.:,])/g, "$1")).toContain(`Questions? Write to ${org}.`);
      expect(mail.text).not.toMatch(/Write to \.|contact {2}for/);
      expect(mail.text).toContain('Map:   https://www.google.com/maps/search/?api=1&query=Royal%20Statistical%20Society%2C%2012%20Errol%20Street%2C%20London%20EC1Y%208LX');
      expect(String(mail.html)).toContain('>Map of the venue</a>');
    }
    // The invoice itself says where to pay, or whom to ask for the bank details.
    const invoice = all.find((m) => m.subject?.startsWith('Invoice HSUG-'))!;
    expect(invoice.text).toContain('the bank details are on the invoice');
  });

  it('when a payment notice is sent for an event with a blank contact, then it names the organisation\'s contact too', async () => {
    const paid = await buildEvent(t.db, { ...paidEvent(), title: 'Seminar: refund contact' });
    await t.db('events').where({ id: paid.id }).update({ contact_email: '  ' });
    const card = await request(t.baseUrl).post(`/api/v1/events/${paid.slug}/bookings`).send({ buyer: person('contact-refund'), items: [{ ticketTypeId: paid.ticketTypeIds[1], attendee: person('contact-refund') }] });
    t.sandbox.pay(sessionIdOf(card.body.booking.checkoutUrl));
    await t.sandbox.flush();
    const token = new URL(card.body.booking.manageUrl).searchParams.get('token');
    await request(t.baseUrl).post(`/api/v1/bookings/${card.body.booking.reference}/cancel`).set('Authorization', `Bearer ${token}`).expect(200);
    await t.sandbox.flush();
    await t.sendMail();
    const [refund] = mailsTo(person('contact-refund').email, 'Refund for booking');
    expect(refund.text).toContain(`Questions? Write to ${t.config.orgContactEmail}.`);
  });
});

describe('the waitlist email', () => {
  it('when a paid event is full, then the waitlist email promises an offer to pay within 24 hours, not a booking; a free event\'s still says we book you', async () => {
    const paid = await buildEvent(t.db, { ...paidEvent(), capacity: 0, title: 'Seminar: full' });
    const free = await buildEvent(t.db, { capacity: 0, title: 'Evening meeting: full' });
    const res = await request(t.baseUrl).post(`/api/v1/events/${paid.slug}/bookings`).send({ buyer: person('wait-paid'), items: [{ ticketTypeId: paid.ticketTypeIds[1], attendee: person('wait-paid') }] });
    expect(res.body.booking.status).toBe('waitlisted');
    expect((await register(free.slug, 'wait-free')).status).toBe('waitlisted');
    await t.sendMail();

    const [paidMail] = mailsTo(person('wait-paid').email, "You're on the waitlist");
    expect(paidMail.text).toContain('If a place comes up, we will email you an offer: pay within 24 hours to confirm it, or it goes to the next person waiting. Nothing is booked or charged until it is paid for.');
    expect(paidMail.text).not.toMatch(/we will book you/i);
    const [freeMail] = mailsTo(person('wait-free').email, "You're on the waitlist");
    expect(freeMail.text).toContain('If a place comes up we will book you and send a calendar invitation.');
  });
});
