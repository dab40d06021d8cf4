import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';
import { calendarPart, inviteOf, parseCalendar } from '../support/ical';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

function mailsTo(address: string): ParsedMail[] {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(address));
}

/** Registers through the public form, as a person does, and returns the manage link's path. */
async function registerByForm(slug: string, name: string, email: string): Promise<string> {
  const res = await request(t.app).post(`/events/${slug}/register`).type('form').send({ name, email });
  expect(res.status).toBe(303);
  return res.headers.location as string;
}

describe('the invitation email', () => {
  it('when someone registers for a late-March meeting after the clocks change, then the invitation is a REQUEST at 17:00Z for 18:00 London', async () => {
    // Arrange
    t.clock.set('2026-03-20T09:00:00Z');
    const event = await buildEvent(t.db, {
      slug: 'march-bst', title: 'Waiting times after the change', startsAt: '2026-03-31T17:00:00Z', endsAt: '2026-03-31T19:00:00Z', sequence: 3,
    });

    // Act
    await registerByForm(event.slug, 'Ada Lovelace', 'ada@example.org');
    await t.sendMail();

    // Assert
    const [mail] = mailsTo('ada@example.org');
    expect(mail.subject).toBe("You're booked: Waiting times after the change");
    const invite = inviteOf(mail);
    const attendee = await t.db('attendees').where({ email: 'ada@example.org' }).first();
    expect(invite).toMatchObject({
      method: 'REQUEST',
      uid: attendee.ical_uid,
      sequence: 3,
      summary: 'Waiting times after the change',
      location: 'Royal Statistical Society, 12 Errol Street, London EC1Y 8LX',
      url: 'http://events.test/events/march-bst',
    });
    expect(invite.organizer.toLowerCase()).toBe('mailto:events@hsug.test');
    expect(invite.attendees.map((a) => a.toLowerCase())).toEqual(['mailto:ada@example.org']);
    expect(invite.start.toISOString()).toBe('2026-03-31T17:00:00.000Z');
    expect(invite.end.toISOString()).toBe('2026-03-31T19:00:00.000Z');
  });

  it('when someone registers for a late-October meeting after the clocks go back, then 18:00 London is 18:00Z', async () => {
    t.clock.set('2026-10-01T09:00:00Z');
    const event = await buildEvent(t.db, { slug: 'october-gmt', startsAt: '2026-10-27T18:00:00Z', endsAt: '2026-10-27T20:00:00Z' });
    await registerByForm(event.slug, 'Florence Nightingale', 'florence@example.org');
    await t.sendMail();
    const invite = inviteOf(mailsTo('florence@example.org')[0]);
    expect(invite.start.toISOString()).toBe('2026-10-27T18:00:00.000Z');
    expect(invite.end.toISOString()).toBe('2026-10-27T20:00:00.000Z');
  });

  it('when the invitation arrives, then it has plain-text and HTML parts with the manage link, and the calendar entry of the person who holds that link carries it with the reference', async () => {
    // Arrange
    t.clock.set('2026-03-20T09:00:00Z');
    const event = await buildEvent(t.db, { startsAt: '2026-04-21T17:00:00Z' });

    // Act
    const managePath = await registerByForm(event.slug, 'Mary Seacole', 'mary@example.org');
    await t.sendMail();

    // Assert
    const [mail] = mailsTo('mary@example.org');
    const token = new URL(managePath, 'http://events.test').searchParams.get('token')!;
    const manageLink = `http://events.test${managePath.replace('&new=1', '')}`;
    expect(mail.text).toContain(manageLink);
    expect(mail.html).toBeTruthy();
    expect(String(mail.html)).toContain(manageLink.replace(/&/g, '&amp;').replace(/=/g, '&#x3D;'));
    // Issue 15: the entry's description carries the booking reference and, for the person who holds it (Mary booked
    // for herself), the manage link. Another attendee's entry never does (test/calendar/calendar-and-pages.test.ts).
    const [entry] = parseCalendar(calendarPart(mail));
    const reference = /\/bookings\/(HSUG-[0-9A-Z-]+)/.exec(managePath)![1];
    expect(entry.description).toContain(`Booking reference: ${reference}`);
    expect(entry.description).toContain(`Manage or cancel your booking: http://events.test/bookings/${reference}?token=${token}`);
    const raw = t.smtp.raw.find((r) => r.includes('mary@example.org'))!;
    expect(raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
  });

  it('when the confirmation is sent again, then the invitation keeps the same UID', async () => {
    t.clock.set('2026-03-20T09:00:00Z');
    const event = await buildEvent(t.db, { startsAt: '2026-04-28T17:00:00Z' });
    await registerByForm(event.slug, 'Karl Pearson', 'karl@example.org');
    await request(t.app).post(`/events/${event.slug}/resend`).type('form').send({ email: 'karl@example.org' }).expect(303);
    await t.sendMail();
    const [first, again] = mailsTo('karl@example.org');
    expect(again.subject).toContain('Your booking');
    expect(inviteOf(again).method).toBe('REQUEST');
    expect(inviteOf(again).uid).toBe(inviteOf(first).uid);
  });

  it('when the attendee cancels, then a METHOD:CANCEL arrives with the same UID and a sequence not older than the REQUEST', async () => {
    // Arrange
    t.clock.set('2026-03-20T09:00:00Z');
    const event = await buildEvent(t.db, { startsAt: '2026-05-05T17:00:00Z', sequence: 2 });
    const managePath = await registerByForm(event.slug, 'John Snow', 'john@example.org');
    const token = new URL(managePath, 'http://events.test').searchParams.get('token')!;
    const reference = managePath.split('/')[2].split('?')[0];

    // Act
    await request(t.app).post(`/bookings/${reference}/cancel`).type('form').send({ token }).expect(303);
    await t.sendMail();

    // Assert
    const [requestMail, cancelMail] = mailsTo('john@example.org');
    const requested = inviteOf(requestMail);
    const cancelled = inviteOf(cancelMail);
    expect(cancelMail.subject).toContain('Cancelled');
    expect(cancelled.method).toBe('CANCEL');
    expect(cancelled.status).toBe('CANCELLED');
    expect(cancelled.uid).toBe(requested.uid);
    expect(cancelled.sequence).toBeGreaterThanOrEqual(requested.sequence);
    expect(cancelled.attendees.map((a) => a.toLowerCase())).toEqual(['mailto:john@example.org']);
  });

  it('when two people register for the same event, then each invitation has its own UID', async () => {
    t.clock.set('2026-03-20T09:00:00Z');
    const event = await buildEvent(t.db, { startsAt: '2026-05-12T17:00:00Z' });
    await registerByForm(event.slug, 'One', 'one@example.org');
    await registerByForm(event.slug, 'Two', 'two@example.org');
    await t.sendMail();
    expect(inviteOf(mailsTo('one@example.org')[0]).uid).not.toBe(inviteOf(mailsTo('two@example.org')[0]).uid);
  });

  it('when someone is put on the waitlist, then the email says so and carries no invitation', async () => {
    t.clock.set('2026-03-20T09:00:00Z');
    const event = await buildEvent(t.db, { capacity: 1, startsAt: '2026-05-19T17:00:00Z' });
    await registerByForm(event.slug, 'Seated', 'seated@example.org');
    await registerByForm(event.slug, 'Waiting', 'waiting@example.org');
    await t.sendMail();
    const [mail] = mailsTo('waiting@example.org');
    expect(mail.subject).toContain("You're on the waitlist");
    expect(mail.text).toContain('position 1');
    expect(() => calendarPart(mail)).toThrow(/no text\/calendar part/);
  });

  it('when a waitlisted person asks for their confirmation again, then the email gives their position and carries no invitation', async () => {
    t.clock.set('2026-03-20T09:00:00Z');
    const event = await buildEvent(t.db, { capacity: 1, startsAt: '2026-05-26T17:00:00Z' });
    await registerByForm(event.slug, 'Seated Again', 'seated-again@example.org');
    await registerByForm(event.slug, 'Still Waiting', 'still-waiting@example.org');
    await request(t.app).post(`/events/${event.slug}/resend`).type('form').send({ email: 'still-waiting@example.org' }).expect(303);
    await t.sendMail();
    const resent = mailsTo('still-waiting@example.org').find((m) => m.subject?.startsWith('Your booking'))!;
    expect(resent.text).toContain('You are on the waitlist at position 1');
    expect(() => calendarPart(resent)).toThrow(/no text\/calendar part/);
  });

  it('when a waitlisted person leaves the waitlist, then they get a plain note, not a METHOD:CANCEL for an invitation they never had', async () => {
    // Arrange
    t.clock.set('2026-03-20T09:00:00Z');
    const event = await buildEvent(t.db, { capacity: 1, startsAt: '2026-06-02T17:00:00Z' });
    await registerByForm(event.slug, 'Has Seat', 'has-seat@example.org');
    const managePath = await registerByForm(event.slug, 'Leaves Queue', 'leaves-queue@example.org');
    const token = new URL(managePath, 'http://events.test').searchParams.get('token')!;
    const reference = managePath.split('/')[2].split('?')[0];

    // Act
    await request(t.app).post(`/bookings/${reference}/cancel`).type('form').send({ token }).expect(303);
    await t.sendMail();

    // Assert
    const cancelMail = mailsTo('leaves-queue@example.org').find((m) => m.subject?.startsWith('Cancelled'))!;
    expect(cancelMail).toBeDefined();
    expect(() => calendarPart(cancelMail)).toThrow(/no text\/calendar part/);
  });
});
