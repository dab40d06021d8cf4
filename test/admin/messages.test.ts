import type { Server } from 'node:http';
import request from 'supertest';
import { buildEvent, person } from '../support/factories';
import type { TestApp } from '../support/app';
import { createStaff, signIn, startWithOrganiser, type OrganiserApp, type SignedIn } from './helpers';

let t: TestApp;
let server: Server;
let organiser: SignedIn;
let app: OrganiserApp;

beforeAll(async () => {
  app = await startWithOrganiser();
  ({ t, server, organiser } = app);
});
afterAll(() => app.close());

async function book(slug: string, tag: string, name: string) {
  const p = person(tag, { name });
  return request(server).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] }).expect(201);
}

/** An event with six people holding places, Aisha Khan first. */
async function eventWithSix(title: string) {
  const event = await buildEvent(t.db, { capacity: 20, title });
  const names = ['Aisha Khan', 'Ben Okafor', 'Cara Lewis', 'Dev Shah', 'Ella Price', 'Finn Walsh'];
  const references: string[] = [];
  for (const [i, name] of names.entries()) references.push((await book(event.slug, `msg-${title.length}-${i}-${Math.random().toString(36).slice(2, 6)}`, name)).body.booking.reference);
  await t.sendMail();
  return { event, references };
}

const message = { audience: 'attendees', subject: 'Room change', body: 'We are in room 2 now.\nSee you there.' };
const sendKeyIn = (html: string) => /name="sendKey" value="([^"]+)"/.exec(html)?.[1] as string;
const outboxCount = async (eventId: number) => Number((await t.db('outbox_emails').where({ event_id: eventId, kind: 'staff_message' }).count({ n: '*' }).first())?.n);

describe('emailing an event’s people', () => {
  it('when an organiser previews a message, then they see the real subject and greeting, a manage link and “Send to 6 people”, and nothing is sent', async () => {
    const { event } = await eventWithSix('Evening meeting: waiting times');
    const res = await organiser.agent.post(`/admin/events/${event.slug}/messages/preview`).type('form').send({ _csrf: organiser.csrf, ...message }).expect(200);
    expect(res.text).toContain('<strong>Evening meeting: waiting times: Room change</strong>');
    expect(res.text).toContain('Dear Aisha Khan,\n\nWe are in room 2 now.');
    expect(res.text).toMatch(/Your booking \(to change or cancel it\): http:\/\/events\.test\/bookings\/HSUG-[0-9A-Z]{4}-[0-9A-Z]{4}\?token&#x3D;\(their private key\)/);
    expect(res.text).not.toMatch(/token&#x3D;[A-Za-z0-9_-]{20}/);
    expect(res.text).toContain('<button type="submit" class="button">Send to 6 people</button>');
    expect(res.text).toContain('name="body" value="We are in room 2 now.\nSee you there."');
    expect(await outboxCount(event.id)).toBe(0);
  });

  it('when the message starts with its own greeting, then people get that greeting only, not “Dear Aisha Khan, Dear all”', async () => {
    const { event } = await eventWithSix('Greeting meeting');
    const body = 'Dear all,\n\nThe room has changed.';
    const preview = await organiser.agent.post(`/admin/events/${event.slug}/messages/preview`).type('form').send({ _csrf: organiser.csrf, ...message, body }).expect(200);
    expect(preview.text).not.toContain('Dear Aisha Khan');
    const before = t.smtp.messages.length;
    await organiser.agent.post(`/admin/events/${event.slug}/messages`).type('form').send({ _csrf: organiser.csrf, ...message, body, sendKey: sendKeyIn(preview.text), expected: '6' }).expect(303);
    await t.sendMail();
    const aisha = t.smtp.messages.slice(before).find((m) => JSON.stringify(m.to).includes('Aisha'));
    expect(aisha?.text?.trimStart().startsWith('Dear all,')).toBe(true);
    expect(aisha?.text).not.toContain('Dear Aisha Khan');
  });

  it('when the organiser sends a test, then only they get it, marked [TEST], and the preview comes back with what they typed', async () => {
    const { event } = await eventWithSix('Test-send meeting');
    const me = await createStaff(t, 'organiser', 'olu.organiser@hsug.test');
    const olu = await signIn(server, me.email);
    const before = t.smtp.messages.length;
    const res = await olu.agent.post(`/admin/events/${event.slug}/messages/test`).type('form').send({ _csrf: olu.csrf, ...message }).expect(200);
    expect(res.text).toContain('A test has been sent to olu.organiser@hsug.test only.');
    expect(res.text).toContain('name="subject" value="Room change"');
    await t.sendMail();
    const mails = t.smtp.messages.slice(before);
    expect(mails).toHaveLength(1);
    expect(JSON.stringify(mails[0].to)).toContain('olu.organiser@hsug.test');
    expect(mails[0].subject).toBe('[TEST] Test-send meeting: Room change');
    expect(mails[0].text).toContain('Dear Test organiser,');
    expect(await outboxCount(event.id)).toBe(0);
  });

  it('when the event is online, then the message says "Where: Online", not an empty "Where:" and no map', async () => {
    const event = await buildEvent(t.db, { mode: 'online', venue: '', address: '', region: 'online', meetingUrl: 'https://zoom.example/j/3', title: 'Online message meeting' });
    const me = await createStaff(t, 'organiser', 'ola.online@hsug.test');
    const ola = await signIn(server, me.email);
    const before = t.smtp.messages.length;
    await ola.agent.post(`/admin/events/${event.slug}/messages/test`).type('form').send({ _csrf: ola.csrf, ...message }).expect(200);
    await t.sendMail();
    const [mail] = t.smtp.messages.slice(before);
    expect(mail.text).toContain('Where: Online\n');
    expect(mail.text).not.toContain('Map:');
    expect(mail.html).toContain('<br>Online</p>');
  });

  it('when Send is pressed twice (one after the other, or both at once), then each person gets the message once, with their own manage link', async () => {
    const { event, references } = await eventWithSix('Twice meeting');
    const preview = await organiser.agent.post(`/admin/events/${event.slug}/messages/preview`).type('form').send({ _csrf: organiser.csrf, ...message }).expect(200);
    const send = () => organiser.agent.post(`/admin/events/${event.slug}/messages`).type('form').send({ _csrf: organiser.csrf, ...message, sendKey: sendKeyIn(preview.text), expected: '6' });
    const [a, b] = await Promise.all([send(), send()]);
    const third = await send();
    expect([a.status, b.status, third.status]).toEqual([303, 303, 303]);
    expect(third.headers.location).toContain('notice=message_already_sent');
    expect(await outboxCount(event.id)).toBe(6);
    expect(Number((await t.db('staff_messages').where({ event_id: event.id }).count({ n: '*' }).first())?.n)).toBe(1);
    const before = t.smtp.messages.length;
    await t.sendMail();
    const mails = t.smtp.messages.slice(before).filter((m) => m.subject === 'Twice meeting: Room change');
    expect(mails).toHaveLength(6);
    for (const reference of references) expect(mails.some((m) => m.text?.includes(`/bookings/${reference}?token=`))).toBe(true);
    const page = await organiser.agent.get(third.headers.location).expect(200);
    expect(page.text).toContain('That message had already been sent (to 6 people), so it was not sent again.');
  });

  it('when a colleague booked someone’s place, then that person’s email carries their own seat link, never the booking’s', async () => {
    const event = await buildEvent(t.db, { capacity: 20, title: 'Colleague meeting' });
    const booker = person('msg-booker', { name: 'Bea Booker' });
    const guest = person('msg-guest', { name: 'Gus Guest' });
    const booked = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: booker.name, email: booker.email }, items: [{ attendee: guest }] }).expect(201);
    const seat = await t.db('attendees').where({ email: guest.email }).first();
    await t.sendMail();
    const preview = await organiser.agent.post(`/admin/events/${event.slug}/messages/preview`).type('form').send({ _csrf: organiser.csrf, ...message }).expect(200);
    expect(preview.text).toContain(`/bookings/${booked.body.booking.reference}/seats/${seat.id}?token&#x3D;(their private key)`);
    const before = t.smtp.messages.length;
    await organiser.agent.post(`/admin/events/${event.slug}/messages`).type('form').send({ _csrf: organiser.csrf, ...message, sendKey: sendKeyIn(preview.text), expected: '1' }).expect(303);
    await t.sendMail();
    const [mail] = t.smtp.messages.slice(before);
    expect(JSON.stringify(mail.to)).toContain(guest.email);
    expect(mail.text).toContain(`/bookings/${booked.body.booking.reference}/seats/${seat.id}?token=`);
    expect(mail.text).not.toContain(`/bookings/${booked.body.booking.reference}?token=`);
  });

  it('when someone books between the preview and Send, then nothing is sent and the preview shows the new number', async () => {
    const { event } = await eventWithSix('Changing meeting');
    const preview = await organiser.agent.post(`/admin/events/${event.slug}/messages/preview`).type('form').send({ _csrf: organiser.csrf, ...message }).expect(200);
    await book(event.slug, 'msg-late', 'Gina Late');
    const res = await organiser.agent.post(`/admin/events/${event.slug}/messages`).type('form').send({ _csrf: organiser.csrf, ...message, sendKey: sendKeyIn(preview.text), expected: '6' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('The list has changed since you looked: it was 6 people. Nothing has been sent.');
    expect(res.text).toContain('Send to 7 people');
    expect(await outboxCount(event.id)).toBe(0);
  });

  it('when the form is posted to Send without a preview, then the preview is shown and nothing is sent; a mistake keeps what was typed', async () => {
    const { event } = await eventWithSix('Direct meeting');
    const res = await organiser.agent.post(`/admin/events/${event.slug}/messages`).type('form').send({ _csrf: organiser.csrf, ...message }).expect(200);
    expect(res.text).toContain('Check your message');
    expect(await outboxCount(event.id)).toBe(0);
    const bad = await organiser.agent.post(`/admin/events/${event.slug}/messages/preview`).type('form').send({ _csrf: organiser.csrf, ...message, subject: '' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Enter a subject');
    expect(bad.text).toContain('We are in room 2 now.');
  });

  it('when a treasurer tries to preview, test or send, then 403', async () => {
    const { event } = await eventWithSix('Treasurer meeting');
    const treasurer = await signIn(server, (await createStaff(t, 'treasurer')).email);
    for (const path of ['messages/preview', 'messages/test', 'messages']) {
      const res = await treasurer.agent.post(`/admin/events/${event.slug}/${path}`).type('form').send({ _csrf: treasurer.csrf, ...message });
      expect(res.status).toBe(403);
    }
  });
});
