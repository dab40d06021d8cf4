import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { buildEvent } from '../support/factories';
import { lastMailTo, linkIn, subscribeAndConfirm, subscribeBody } from './support';

/** Issue 20, "What people can do" and "Rules": double opt-in, choices, the same answer for known and unknown addresses. */

let t: TestApp;

beforeEach(async () => {
  t = await startTestApp();
});
afterEach(async () => {
  await t.close();
});

const status = async (email: string) => (await t.db('subscribers').where({ email }).first('status'))?.status ?? null;

describe('subscribing', () => {
  it('when someone subscribes, then nothing but a confirmation is sent until they press Confirm on the page the link opens (a GET changes nothing)', async () => {
    const res = await request(t.app).post('/subscribe').type('form').send(subscribeBody(' Ann.Lee@NHS.example ', 'all')).expect(303);
    expect(res.headers.location).toBe('/subscribe/check-email');
    expect(textOf((await request(t.app).get('/subscribe/check-email').expect(200)).text)).toContain('Nothing is sent to you until you confirm');
    await t.sendMail();
    const mail = lastMailTo(t, 'ann.lee@nhs.example');
    expect(mail.subject).toBe('Confirm: hear about future HSUG events');
    expect(await status('ann.lee@nhs.example')).toBe('pending');

    // An event announced now does not reach an address that has not confirmed.
    const event = await buildEvent(t.db, { status: 'draft' });
    const { announceEvent } = await import('../../src/announcements/announce');
    await t.db('events').where({ id: event.id }).update({ status: 'published' });
    expect(await announceEvent(t.ctx, { id: null, email: 'test@hsug.test' }, event.id, 'key-aaaaaaaaaaaaaaaa')).toBe(0);

    const confirm = linkIn(mail, 'http://events.test/subscriptions/confirm/').replace('http://events.test', '');
    const page = await request(t.app).get(confirm).expect(200);
    expect(textOf(page.text)).toContain('Start sending announcements of all HSUG events to ann.lee@nhs.example ?');
    expect(await status('ann.lee@nhs.example')).toBe('pending');

    const confirmed = await request(t.app).post(confirm).type('form').send('').expect(303);
    expect(await status('ann.lee@nhs.example')).toBe('confirmed');
    const choices = await request(t.app).get(String(confirmed.headers.location)).expect(200);
    expect(textOf(choices.text)).toContain('You are subscribed. We will email ann.lee@nhs.example about all HSUG events.');
    // The link is used up.
    await request(t.app).get(confirm).expect(404);
  });

  it('when the same address subscribes twice, then it is one subscription, the page is the same as for a new address, and the second email links to the choices page', async () => {
    await subscribeAndConfirm(t, 'bo@uni.example');
    const again = await request(t.app).post('/subscribe').type('form').send(subscribeBody('BO@uni.example', { kinds: ['seminar'] })).expect(303);
    const fresh = await request(t.app).post('/subscribe').type('form').send(subscribeBody('new@uni.example', 'all')).expect(303);
    expect(again.headers.location).toBe(fresh.headers.location);
    expect(Number((await t.db('subscribers').where({ email: 'bo@uni.example' }).count({ n: '*' }).first())!.n)).toBe(1);
    await t.sendMail();
    const mail = lastMailTo(t, 'bo@uni.example');
    expect(mail.subject).toBe('You already get our event announcements');
    expect(mail.text).toContain('You already do (all HSUG events)');
    // The choices did not change behind the subscriber's back.
    expect((await t.db('subscribers').where({ email: 'bo@uni.example' }).first()).all_events).toBeTruthy();
  });

  it('when the form has a bad address and "only some" with nothing ticked, then both errors show at 422 with what was typed kept', async () => {
    const res = await request(t.app).post('/subscribe').type('form').send('email=not-an-address&choice=some').expect(422);
    const text = textOf(res.text);
    expect(text).toContain('Enter an email address like name@example.org');
    expect(text).toContain('Tick at least one kind of event or region, or choose all events');
    expect(res.text).toContain('value="not-an-address"');
    expect(res.text).toMatch(/id="field-choice-some" name="choice" value="some" checked/);
    expect(Number((await t.db('subscribers').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('when a subscriber changes their choices on their page, then the new choices are saved and shown', async () => {
    const page = await subscribeAndConfirm(t, 'cy@trust.example');
    await request(t.app).post(page).type('form').send('choice=some&kinds=seminar&regions=scotland').expect(303);
    const shown = textOf((await request(t.app).get(`${page}?saved=1`).expect(200)).text);
    expect(shown).toContain('Saved. We will email you about seminars, events in Scotland.');
    const row = await t.db('subscribers').where({ email: 'cy@trust.example' }).first();
    expect([Boolean(row.all_events), row.kinds, row.regions]).toEqual([false, 'seminar', 'scotland']);
  });

  it('when a confirmation link is 7 days old, then it no longer works, and the hourly purge removes the unconfirmed address', async () => {
    await request(t.app).post('/subscribe').type('form').send(subscribeBody('late@nhs.example')).expect(303);
    await t.sendMail();
    const confirm = linkIn(lastMailTo(t, 'late@nhs.example'), 'http://events.test/subscriptions/confirm/').replace('http://events.test', '');
    t.clock.advance(7 * 86400_000 + 1000);
    expect(textOf((await request(t.app).get(confirm).expect(404)).text)).toContain('This link has expired, has been used already, or belongs to an address that has unsubscribed.');
    await request(t.app).post(confirm).expect(404);
    const { announcementJobs } = await import('../../src/announcements/jobs');
    expect(await announcementJobs(t.ctx)[0].run(new AbortController().signal)).toBe(1);
    expect(await status('late@nhs.example')).toBeNull();
  });

  it('when a person ticks "Tell me about future HSUG events" while registering, then they get a confirmation email as well as their booking; unticked, they do not', async () => {
    const event = await buildEvent(t.db);
    await request(t.app).post(`/events/${event.slug}/register`).type('form').send({ name: 'Dee Ray', email: 'dee@nhs.example', subscribe: 'on' }).expect(303);
    await request(t.app).post(`/events/${event.slug}/register`).type('form').send({ name: 'Eve Ng', email: 'eve@nhs.example' }).expect(303);
    await t.sendMail();
    const subjects = (to: string) => t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(to)).map((m) => m.subject);
    expect(subjects('dee@nhs.example')).toContain('Confirm: hear about future HSUG events');
    expect(subjects('eve@nhs.example')).not.toContain('Confirm: hear about future HSUG events');
    expect(await t.db('subscribers').where({ email: 'dee@nhs.example' }).first('consent_source')).toEqual({ consent_source: 'booking form' });
    // The box is never ticked to begin with.
    const page = await request(t.app).get(`/events/${event.slug}`).expect(200);
    expect(page.text).toMatch(/<input id="field-subscribe" name="subscribe" type="checkbox" aria-describedby="field-subscribe-hint">/);
  });

  it('when the home page and an event page are shown, then each offers the subscribe form', async () => {
    const event = await buildEvent(t.db);
    for (const path of ['/', `/events/${event.slug}`, '/subscribe']) {
      const res = await request(t.app).get(path).expect(200);
      expect(res.text).toContain('action="/subscribe"');
    }
  });

  it('when subscribing is rate limited like booking, then the next attempt is refused with 429 and the form kept', async () => {
    await t.close();
    t = await startTestApp({ env: { RATE_LIMITS: 'on', RATE_LIMIT_BOOKINGS_PER_EMAIL: '2/1h' } });
    await request(t.app).post('/subscribe').type('form').send(subscribeBody('flood@x.example')).expect(303);
    await request(t.app).post('/subscribe').type('form').send(subscribeBody('flood@x.example')).expect(303);
    const refused = await request(t.app).post('/subscribe').type('form').send(subscribeBody('flood@x.example')).expect(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect(textOf(refused.text)).toContain('We have had a lot of subscription requests in a short time');
    expect(refused.text).toContain('value="flood@x.example"');
  });
});
