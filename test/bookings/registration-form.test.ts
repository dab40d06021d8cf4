import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';
import { attribute, decode, tagWithId, textOf } from '../support/html';
import { parseCalendar } from '../support/ical';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

function fieldBlock(html: string, id: string): string {
  const start = html.indexOf(`<label for="${id}"`);
  const end = html.indexOf('</div>', start);
  return html.slice(html.lastIndexOf('<div class="field', start), end);
}

async function register(slug: string, fields: Record<string, string>) {
  return request(t.app).post(`/events/${slug}/register`).type('form').send(fields);
}

/** Registers and follows the redirect to the manage page, as a browser would. */
async function registerAndFollow(slug: string, fields: Record<string, string>) {
  const res = await register(slug, fields);
  expect(res.status).toBe(303);
  const page = await request(t.app).get(res.headers.location);
  return { location: res.headers.location as string, page };
}

describe('registering with the form', () => {
  it('when fields are wrong, then 422 shows each message beside its field, an error summary, and keeps what was typed, escaped', async () => {
    // Arrange
    const event = await buildEvent(t.db);

    // Act
    const res = await register(event.slug, { name: '  ', email: 'not-an-email', organisation: '<script>alert("x")</script> & Co', dietary: 'Vegan' });

    // Assert
    expect(res.status).toBe(422);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(res.text)?.[0] ?? '';
    expect(textOf(summary)).toContain('There is a problem');
    expect(summary).toContain('href="#field-name"');
    expect(summary).toContain('href="#field-email"');

    expect(textOf(fieldBlock(res.text, 'field-name'))).toContain('Enter your name');
    expect(textOf(fieldBlock(res.text, 'field-email'))).toContain('Enter an email address like name@example.org');
    const name = tagWithId(res.text, 'field-name');
    const email = tagWithId(res.text, 'field-email');
    expect(attribute(name, 'aria-invalid')).toBe('true');
    expect(attribute(email, 'aria-invalid')).toBe('true');
    expect(attribute(email, 'aria-describedby')?.split(' ')).toEqual(['field-email-hint', 'field-email-error']);
    expect(attribute(tagWithId(res.text, 'field-organisation'), 'aria-invalid')).toBeUndefined();

    expect(attribute(email, 'value')).toBe('not-an-email');
    const organisation = tagWithId(res.text, 'field-organisation');
    expect(organisation).not.toContain('<script>');
    expect(attribute(organisation, 'value')).toBe('<script>alert("x")</script> & Co');
    expect(res.text).not.toContain('<script>alert');
    expect(decode(/<textarea id="field-dietary"[^>]*>([\s\S]*?)<\/textarea>/.exec(res.text)?.[1] ?? '')).toBe('Vegan');
    expect(Number((await t.db('bookings').where({ event_id: event.id }).count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('when the form is right and there is room, then 303 to the manage page that says "You\'re registered"', async () => {
    const event = await buildEvent(t.db, { title: 'Waiting times' });
    const { location, page } = await registerAndFollow(event.slug, { name: 'Ada Lovelace', email: 'ada@example.org', organisation: 'NHS England' });
    expect(location).toMatch(/^\/bookings\/HSUG-[0-9A-Z]{4}-[0-9A-Z]{4}\?token=[\w-]+&new=1$/);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const text = textOf(page.text);
    expect(text).toContain("You're registered.");
    expect(text).toContain('Waiting times');
    expect(text).toContain('Ada Lovelace (ada@example.org), NHS England');
  });

  it('when the event is full, then the manage page says "You\'re on the waitlist, position N"', async () => {
    const event = await buildEvent(t.db, { capacity: 1 });
    await registerAndFollow(event.slug, { name: 'First', email: 'first@example.org' });
    await registerAndFollow(event.slug, { name: 'Second', email: 'second@example.org' });
    const { page } = await registerAndFollow(event.slug, { name: 'Third', email: 'third@example.org' });
    expect(textOf(page.text)).toContain("You're on the waitlist, position 2.");
  });

  it('when the email is already registered, then 409 offers "Send my confirmation again", and that form queues the email again', async () => {
    // Arrange
    const event = await buildEvent(t.db, { title: 'Linked data' });
    await registerAndFollow(event.slug, { name: 'Grace Hopper', email: 'grace@example.org' });
    await t.sendMail();
    const before = t.smtp.messages.length;

    // Act
    const duplicate = await register(event.slug, { name: 'Grace H', email: 'GRACE@example.org' });

    // Assert
    expect(duplicate.status).toBe(409);
    const text = textOf(duplicate.text);
    expect(text).toContain("You're already registered");
    expect(text).toContain('Send my confirmation again');
    const resendForm = /<form method="post" action="(\/events\/[^"]+\/resend)"[\s\S]*?<\/form>/.exec(duplicate.text)!;
    const hiddenEmail = attribute(/<input type="hidden" name="email"[^>]*>/.exec(resendForm[0])![0], 'value')!;
    expect(hiddenEmail).toBe('GRACE@example.org');

    const resent = await request(t.app).post(resendForm[1]).type('form').send({ email: hiddenEmail });
    // Redirected (no "resubmit the form?" on refresh) to a page that names no address.
    expect(resent.status).toBe(303);
    const landed = await request(t.app).get(resent.headers.location).expect(200);
    expect(textOf(landed.text)).toContain('Confirmation sent again');
    expect(landed.text).not.toContain('GRACE@example.org');
    await t.sendMail();
    const mails = t.smtp.messages.slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Your booking: Linked data');
    expect(mails[0].text).toContain('/bookings/HSUG-');
  });

  it('when someone asks for a resend with an email that is not registered, then the page looks the same and nothing is sent', async () => {
    const event = await buildEvent(t.db);
    const queuedBefore = Number((await t.db('outbox_emails').count({ n: '*' }).first())!.n);
    const res = await request(t.app).post(`/events/${event.slug}/resend`).type('form').send({ email: 'stranger@example.org' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/events/${event.slug}/resent`);
    expect(textOf((await request(t.app).get(res.headers.location)).text)).toContain('Confirmation sent again');
    expect(Number((await t.db('outbox_emails').count({ n: '*' }).first())!.n)).toBe(queuedBefore);
  });

  it.each([
    ['booking has closed', { bookingClosesAt: '2026-03-01T00:00:00Z' }, 'Booking for this event has closed.'],
    ['the event is cancelled', { status: 'cancelled' as const }, 'This event has been cancelled.'],
    ['the event has taken place', { startsAt: '2026-02-20T18:00:00Z' }, 'This event has already taken place'],
  ])('when %s, then 409 with a clear message and nothing stored', async (_label, overrides, message) => {
    const event = await buildEvent(t.db, overrides);
    const res = await register(event.slug, { name: 'Late Comer', email: 'late@example.org' });
    expect(res.status).toBe(409);
    const text = textOf(res.text);
    expect(text).toContain('We could not take your booking');
    expect(text).toContain(message);
    expect(Number((await t.db('bookings').where({ event_id: event.id }).count({ n: '*' }).first())!.n)).toBe(0);
  });
});

describe('the manage page', () => {
  it('when the attendee follows "Cancel booking…" and confirms, then the cancelled page says so and the place is freed', async () => {
    // Arrange
    const event = await buildEvent(t.db, { capacity: 1 });
    const { location, page } = await registerAndFollow(event.slug, { name: 'Cancel Me', email: 'cancel@example.org' });
    const link = decode(/<a class="button button-secondary" href="([^"]+)">Cancel booking…<\/a>/.exec(page.text)![1]);
    const confirm = await request(t.app).get(link).expect(200);
    const form = /<form method="post" action="(\/bookings\/[^"]+\/cancel)">[\s\S]*?<\/form>/.exec(confirm.text)!;
    const token = attribute(/<input type="hidden" name="token"[^>]*>/.exec(form[0])![0], 'value')!;
    expect(textOf(form[0])).toContain('Yes, cancel my booking');

    // Act
    const posted = await request(t.app).post(form[1]).type('form').send({ token });

    // Assert
    expect(posted.status).toBe(303);
    const res = await request(t.app).get(posted.headers.location);
    expect(res.status).toBe(200);
    expect(textOf(res.text)).toContain('Your booking is cancelled.');
    expect(textOf(res.text)).toContain('Status Cancelled');
    expect(res.text).not.toContain('Cancel booking…');
    const again = await request(t.app).get(location);
    expect(textOf(again.text)).toContain('Status Cancelled');
    expect(textOf(again.text)).not.toContain('Your booking is cancelled.');
    const api = await request(t.app).get(`/api/v1/events/${event.slug}`);
    expect(api.body.event.remaining).toBe(1);
  });

  it('when the cancel form is posted without the token, then nothing is cancelled', async () => {
    const event = await buildEvent(t.db);
    const { location } = await registerAndFollow(event.slug, { name: 'Keep Me', email: 'keep@example.org' });
    const reference = /\/bookings\/([^?]+)/.exec(location)![1];
    const res = await request(t.app).post(`/bookings/${reference}/cancel`).type('form').send({});
    expect(res.status).toBe(401);
    expect((await t.db('bookings').where({ reference }).first()).status).toBe('confirmed');
  });

  it('when the attendee downloads the .ics from the manage page, then it is their entry, with their invitation UID and UTC times', async () => {
    const event = await buildEvent(t.db, { title: 'After the clocks change', startsAt: '2026-03-31T17:00:00Z' });
    const { page } = await registerAndFollow(event.slug, { name: 'Ics Person', email: 'ics@example.org' });
    const href = decode(/<a href="([^"]+invite\.ics[^"]*)">Add to calendar \(\.ics\)<\/a>/.exec(page.text)![1]);

    const res = await request(t.app).get(href);

    expect(res.status).toBe(200);
    expect(res.type).toBe('text/calendar');
    const [entry] = parseCalendar(res.text);
    const attendee = await t.db('attendees').where({ email: 'ics@example.org' }).first();
    expect(entry.uid).toBe(attendee.ical_uid);
    expect(entry.summary).toBe('After the clocks change');
    expect(entry.start.toISOString()).toBe('2026-03-31T17:00:00.000Z');
    // Their own entry, downloaded by the holder of the manage link: it carries the reference and that link (issue 15).
    const booking = await t.db('bookings').where({ id: attendee.booking_id }).first();
    expect(entry.description).toContain(`Booking reference: ${booking.reference}`);
    expect(entry.description).toContain(`http://events.test/bookings/${booking.reference}?token=`);
  });

  it('when the manage page is opened with a wrong token, then 404 and nothing about the booking', async () => {
    const event = await buildEvent(t.db);
    const { location } = await registerAndFollow(event.slug, { name: 'Private Person', email: 'private@example.org' });
    const wrong = location.replace(/token=[^&]+/, `token=${'x'.repeat(43)}`);
    const res = await request(t.app).get(wrong);
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('private@example.org');
  });
});
