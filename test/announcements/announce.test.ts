import type { Server } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { buildEvent } from '../support/factories';
import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { lastMailTo, subscribeAndConfirm } from './support';

/**
 * Issue 20, "Organisers" and "Rules": publishing offers to announce with a preview; an announcement reaches those who
 * follow the event's kind or region (or everything), once each; RFC 8058 one-click unsubscribe by POST, never by GET;
 * updates go to the same audience.
 */

let t: TestApp;
let server: Server;
let organiser: SignedIn;

beforeEach(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
});
afterEach(async () => {
  server.close();
  await t.close();
});


/** Opens the publish step and presses "Publish and announce", as an organiser would. */
async function publishAndAnnounce(slug: string) {
  const step = await organiser.agent.get(`/admin/events/${slug}/publish`).expect(200);
  const key = /name="requestKey" value="([^"]+)"/.exec(step.text)![1];
  return { step, res: await organiser.agent.post(`/admin/events/${slug}/publish-and-announce`).type('form').send({ _csrf: organiser.csrf, requestKey: key }) };
}

describe('announcing a new event', () => {
  it('when a London evening meeting is published with an announcement, then only those who follow evening meetings, London or everything get it, once each, with a preview first', async () => {
    await subscribeAndConfirm(t, 'all@x.example');
    await subscribeAndConfirm(t, 'evening@x.example', { kinds: ['evening_meeting'] });
    await subscribeAndConfirm(t, 'london@x.example', { regions: ['london'] });
    await subscribeAndConfirm(t, 'other@x.example', { kinds: ['seminar'], regions: ['scotland'] });
    await request(t.app).post('/subscribe').type('form').send('email=unconfirmed%40x.example&choice=all').expect(303);
    const event = await buildEvent(t.db, { status: 'draft', kind: 'evening_meeting', region: 'london', title: 'Linking hospital data' });
    await t.sendMail();
    t.smtp.messages.length = 0;

    const { step, res } = await publishAndAnnounce(event.slug);
    const page = textOf(step.text);
    expect(page).toContain('3 subscribers follow evening meetings or London (or all events)');
    expect(page).toContain('Subject: New HSUG event: Linking hospital data');
    expect(page).toContain('Publish and announce to 3 subscribers');
    expect(page).toContain('Publish without announcing');
    expect(res.status).toBe(303);
    expect(textOf((await organiser.agent.get(String(res.headers.location)).expect(200)).text)).toContain('Announced to subscribers: 3 emails are on their way.');

    await t.sendMail();
    const to = t.smtp.messages.map((m) => (m.to as { text: string }).text).sort();
    expect(to).toEqual(['all@x.example', 'evening@x.example', 'london@x.example']);
    const mail = lastMailTo(t, 'london@x.example');
    expect(mail.subject).toBe('New HSUG event: Linking hospital data');
    expect(mail.text).toContain('Tuesday 17 March 2026');
    expect(mail.text).toContain(`Details and booking: http://events.test/events/${event.slug}`);
    expect(mail.text).toContain('You get this because you asked to hear about events in London.');

    // Pressing announce again, or publishing again, sends nothing more.
    const again = await organiser.agent.get(`/admin/events/${event.slug}/announcements`).expect(200);
    expect(textOf(again.text)).toContain('Send an update to the same people');
    const key = /name="requestKey" value="([^"]+)"/.exec(again.text)![1];
    const refused = await organiser.agent.post(`/admin/events/${event.slug}/announcements/new`).type('form').send({ _csrf: organiser.csrf, requestKey: key }).expect(409);
    expect(textOf(refused.text)).toContain('This event has already been announced to subscribers');
    await t.sendMail();
    expect(t.smtp.messages).toHaveLength(3);
  });

  it('when an announcement arrives, then it has RFC 8058 one-click headers; a GET of the links changes nothing, a POST unsubscribes and leaves only a suppression an import cannot undo', async () => {
    const page = await subscribeAndConfirm(t, 'reader@trust.example');
    const event = await buildEvent(t.db, { status: 'draft' });
    await publishAndAnnounce(event.slug);
    await t.sendMail();
    const mail = lastMailTo(t, 'reader@trust.example');
    // The header as received, unfolded (RFC 5322 §2.2.3): a long field is folded onto a second line.
    const raw = t.smtp.raw.find((r) => r.includes('Subject: New HSUG event'))!.replace(/\r?\n[ \t]+/g, ' ');
    const target = /^List-Unsubscribe: <(http:\/\/events\.test\/subscriptions\/[A-Za-z0-9_-]{43}\/unsubscribe)>\r?$/m.exec(raw);
    expect(target).not.toBeNull();
    expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(mail.text).toContain(`Change what you hear about, or unsubscribe: http://events.test${page}`);

    // A mail scanner opens every link: nothing changes.
    const path = target![1].replace('http://events.test', '');
    expect(textOf((await request(t.app).get(path).expect(200)).text)).toContain('Stop sending announcements of new events to reader@trust.example ?');
    await request(t.app).get(page).expect(200);
    expect(await t.db('subscribers').where({ email: 'reader@trust.example' }).first('status')).toEqual({ status: 'confirmed' });

    // The mail program's one-click POST.
    await request(t.app).post(path).type('form').send('List-Unsubscribe=One-Click').expect(303);
    expect(await t.db('subscribers').where({ email: 'reader@trust.example' }).first()).toBeUndefined();
    expect(Number((await t.db('subscriber_suppressions').count({ n: '*' }).first())!.n)).toBe(1);
    // Pressing it again (or a second click) is harmless; the page link no longer works.
    await request(t.app).post(path).type('form').send('List-Unsubscribe=One-Click').expect(303);
    await request(t.app).get(page).expect(404);

    // An old list that still holds the address cannot add it back.
    const imported = await organiserAdmin().then((admin) =>
      admin.agent.post('/admin/subscribers/import').field('_csrf', admin.csrf).attach('file', Buffer.from('email,consent date,consent source\nReader@Trust.example,2024-05-01,RSS sign-up sheet\nfresh@trust.example,2024-05-01,RSS sign-up sheet\n'), 'old.csv').expect(200),
    );
    expect(textOf(imported.text)).toContain('Imported 1 address. 1 had unsubscribed before, so were not added back.');
    expect(await t.db('subscribers').where({ email: 'reader@trust.example' }).first()).toBeUndefined();
  });

  it('when someone unsubscribes after an announcement was queued but before it is sent, then it is not sent', async () => {
    const page = await subscribeAndConfirm(t, 'quick@x.example');
    const event = await buildEvent(t.db, { status: 'draft' });
    await publishAndAnnounce(event.slug);
    await request(t.app).post(`${page}/unsubscribe`).type('form').send('').expect(303);
    t.smtp.messages.length = 0;
    await t.sendMail();
    expect(t.smtp.messages).toHaveLength(0);
    expect(await t.db('outbox_emails').where({ kind: 'announcement' }).first('status', 'last_error')).toEqual({ status: 'skipped', last_error: 'the subscriber unsubscribed before this announcement was sent' });
  });

  it('when the organiser sends an update, then it previews with the real subject and goes once to the people first told who are still subscribed', async () => {
    await subscribeAndConfirm(t, 'one@x.example');
    const leaving = await subscribeAndConfirm(t, 'two@x.example');
    const event = await buildEvent(t.db, { status: 'draft', title: 'Survey methods' });
    await publishAndAnnounce(event.slug);
    await subscribeAndConfirm(t, 'later@x.example');
    await request(t.app).post(`${leaving}/unsubscribe`).type('form').send('').expect(303);
    await t.sendMail();
    t.smtp.messages.length = 0;

    const page = await organiser.agent.get(`/admin/events/${event.slug}/announcements`).expect(200);
    const key = /name="requestKey" value="([^"]+)"/.exec(page.text)![1];
    const empty = await organiser.agent.post(`/admin/events/${event.slug}/announcements/update`).type('form').send({ _csrf: organiser.csrf, requestKey: key, subject: '', message: 'x', step: 'preview' }).expect(422);
    expect(textOf(empty.text)).toContain('Enter a subject');
    expect(empty.text).toContain('>x</textarea>');
    const preview = await organiser.agent.post(`/admin/events/${event.slug}/announcements/update`).type('form').send({ _csrf: organiser.csrf, requestKey: key, subject: 'New room', message: 'We have moved to the Council Room.', step: 'preview' }).expect(200);
    expect(textOf(preview.text)).toContain('Subject: Survey methods: New room');
    expect(textOf(preview.text)).toContain('Send to 1 person');
    for (let i = 0; i < 2; i++) {
      await organiser.agent.post(`/admin/events/${event.slug}/announcements/update`).type('form').send({ _csrf: organiser.csrf, requestKey: key, subject: 'New room', message: 'We have moved to the Council Room.', step: 'send' }).expect(303);
    }
    await t.sendMail();
    expect(t.smtp.messages.map((m) => [(m.to as { text: string }).text, m.subject])).toEqual([['one@x.example', 'Survey methods: New room']]);
    expect(t.smtp.messages[0].text).toContain('We have moved to the Council Room.');
  });

  it('when announcements go out, then they leave at ANNOUNCEMENTS_PER_MINUTE, and a relay refusal is recorded against the address', async () => {
    await t.close();
    server.close();
    t = await startTestApp({ env: { ANNOUNCEMENTS_PER_MINUTE: '2' } });
    server = t.app.listen(0);
    organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
    for (const who of ['a', 'b', 'c']) await subscribeAndConfirm(t, `${who}@x.example`);
    const event = await buildEvent(t.db, { status: 'draft' });
    await publishAndAnnounce(event.slug);
    t.smtp.messages.length = 0;
    t.smtp.refuse('b@x.example');
    await t.sendMail();
    expect(t.smtp.messages.map((m) => (m.to as { text: string }).text)).toEqual(['a@x.example']);
    expect(await t.db('subscribers').where({ email: 'b@x.example' }).first('refusals')).toEqual({ refusals: 1 });
    expect(String((await t.db('subscribers').where({ email: 'b@x.example' }).first('last_refusal')).last_refusal)).toMatch(/550/);
    t.clock.advance(60_000);
    await t.sendMail();
    expect(t.smtp.messages.map((m) => (m.to as { text: string }).text)).toEqual(['a@x.example', 'c@x.example']);
  });

  async function organiserAdmin(): Promise<SignedIn> {
    return signIn(server, (await createStaff(t, 'admin')).email);
  }

  it('when an online or a hybrid event is announced, then the email says where: "Online", or the venue "or online", never an empty "Where:"', async () => {
    await subscribeAndConfirm(t, 'where@x.example');
    const online = await buildEvent(t.db, { status: 'draft', mode: 'online', venue: '', address: '', region: 'online', meetingUrl: 'https://zoom.example/j/1', title: 'A webinar' });
    const hybrid = await buildEvent(t.db, { status: 'draft', mode: 'hybrid', onlineCapacity: 100, meetingUrl: 'https://zoom.example/j/2', title: 'A hybrid meeting' });
    for (const event of [online, hybrid]) {
      const { step, res } = await publishAndAnnounce(event.slug);
      expect(res.status).toBe(303);
      expect(textOf(step.text)).not.toMatch(/Where:\s*Details and booking/);
    }
    await t.sendMail();
    const mails = t.smtp.messages.filter((m) => JSON.stringify(m.to).includes('where@x.example') && m.subject?.startsWith('New HSUG event'));
    const webinar = mails.find((m) => m.subject?.includes('A webinar'))!;
    expect(webinar.text).toContain('Where: Online\n');
    expect(webinar.html).toContain('<br>Online</p>');
    const both = mails.find((m) => m.subject?.includes('A hybrid meeting'))!;
    expect(both.text).toContain('Where: Royal Statistical Society, 12 Errol Street, London EC1Y 8LX, or online\n');
    expect(both.html).toContain('Royal Statistical Society, 12 Errol Street, London EC1Y 8LX, or online</p>');
  });
});
