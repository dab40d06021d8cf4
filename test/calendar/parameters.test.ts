import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';
import { calendarNames, inviteOf, parseCalendar } from '../support/ical';

/** An organisation name with every character that has a meaning inside an iCalendar content line. */
const ORG_NAME = 'The "Stats" Group: Health; Care, ^Data^';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { ORG_NAME } });
});
afterAll(() => t.close());

function mailTo(address: string): ParsedMail {
  const mail = t.smtp.messages.find((m) => JSON.stringify(m.to).includes(address));
  if (!mail) throw new Error(`no email to ${address}`);
  return mail;
}

describe('names in the calendar files people receive (RFC 5545 parameters)', () => {
  it('when attendees are named with quotes and a would-be second address, then each invitation names them as typed and is addressed to them alone', async () => {
    // Arrange
    const event = await buildEvent(t.db, { capacity: 10 });
    const sam = { name: 'Sam "Stats" Patel', email: 'sam@example.org' };
    const eve = { name: 'Eve":MAILTO:evil@example.net', email: 'eve@example.org' };

    // Act
    const res = await request(t.app)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer: sam, items: [{ attendee: sam }, { attendee: eve }] });
    await t.sendMail();

    // Assert
    expect(res.status).toBe(201);
    for (const who of [sam, eve]) {
      const invite = inviteOf(mailTo(who.email));
      expect(invite.attendees.map((a) => a.toLowerCase())).toEqual([`mailto:${who.email}`]);
      expect(invite.attendeeNames).toEqual([who.name]);
      expect(invite.organizerName).toBe(ORG_NAME);
      expect(invite.organizer.toLowerCase()).toBe('mailto:events@hsug.test');
    }
    const recipients = t.smtp.messages.flatMap((m) => (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((to) => to.value.map((v) => v.address)));
    expect(recipients).not.toContain('evil@example.net');
  });

  it('when the organisation name has quotes, a colon, a semicolon, a comma and carets, then event.ics names the organiser as configured', async () => {
    const event = await buildEvent(t.db);

    const res = await request(t.app).get(`/events/${event.slug}/event.ics`);

    expect(res.status).toBe(200);
    const [entry] = parseCalendar(res.text);
    expect(entry.organizerName).toBe(ORG_NAME);
    expect(entry.organizer.toLowerCase()).toBe('mailto:events@hsug.test');
    expect(calendarNames(res.text).prodId).toBe(`-//${ORG_NAME}//hsug-events//EN`);
  });

  it('when the organisation name has quotes, then the calendar feed names the organiser on every event and the calendar by that name', async () => {
    await buildEvent(t.db);
    await buildEvent(t.db);

    const res = await request(t.app).get('/calendar.ics');

    expect(res.status).toBe(200);
    const entries = parseCalendar(res.text);
    expect(entries.length).toBeGreaterThanOrEqual(2);
    for (const entry of entries) {
      expect(entry.organizerName).toBe(ORG_NAME);
      expect(entry.organizer.toLowerCase()).toBe('mailto:events@hsug.test');
    }
    expect(calendarNames(res.text)).toMatchObject({ name: `${ORG_NAME} events`, xWrCalname: `${ORG_NAME} events` });
  });

  it('when an attendee downloads their own copy, then it names the organiser as configured', async () => {
    const event = await buildEvent(t.db);
    const created = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: 'Ann', email: 'ann@example.org' }, items: [{ attendee: { name: 'Ann', email: 'ann@example.org' } }] });
    const manage = new URL(created.body.booking.manageUrl);
    const booking = await request(t.app).get(`/api/v1/bookings/${created.body.booking.reference}`).set('Authorization', `Bearer ${manage.searchParams.get('token')}`);
    const attendeeId = booking.body.booking.attendees[0].id;

    const res = await request(t.app).get(`/bookings/${created.body.booking.reference}/attendees/${attendeeId}/invite.ics?token=${manage.searchParams.get('token')}`);

    expect(res.status).toBe(200);
    expect(parseCalendar(res.text)[0].organizerName).toBe(ORG_NAME);
  });
});
