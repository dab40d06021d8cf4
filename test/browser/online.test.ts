import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { createStaff, PASSWORD } from '../admin/helpers';
import { startTestApp, type TestApp } from '../support/app';
import { inviteOf } from '../support/ical';
import { buildEvent, person } from '../support/factories';
import { seatToken } from '../../src/lib/links';
import { launchChromium, lookAt } from './page-checks';

/**
 * Issue 12 in Chromium: an organiser creates a hybrid meeting and sets its link; an attendee books online, receives the
 * invitation, and opens the joining link, first before it opens, then at the opening time (the browser is sent to the
 * meeting's address; the network is blocked, so the request it makes there is what is checked). Every page is looked at with axe at 320, 375 and 1280 px.
 */
let t: TestApp;
let server: Server;
let browser: Browser;
let base: string;

const MEETING = 'https://teams.example.com/l/meetup-join/19%3ameeting_HSUGdemo%40thread.v2/0';

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

async function heading(page: Page): Promise<string> {
  return (await page.getByRole('heading', { level: 1 }).textContent())?.trim() ?? '';
}

describe('online and hybrid meetings in a browser', () => {
  it('when an organiser creates a hybrid meeting with its link and an attendee books online, then the attendee gets their own joining link, which shows when it opens and then leads into the meeting', async () => {
    const problems: string[] = [];
    const organiser = await createStaff(t, 'organiser');
    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const admin = await staff.newPage();

    // The organiser signs in and creates the hybrid meeting.
    await admin.goto(`${base}/admin`);
    await admin.getByLabel('Email address').fill(organiser.email);
    await admin.getByLabel('Password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.getByRole('link', { name: 'New event', exact: true }).first().click();
    await admin.getByLabel('Title').fill('Hybrid evening: ethnicity coding');
    await admin.getByLabel('Starts').fill('2026-04-14T18:00');
    await admin.getByLabel('Ends').fill('2026-04-14T20:00');
    await admin.getByLabel('In person or online').check();
    await admin.getByLabel('Venue').fill('Royal Statistical Society');
    // A first try without the online places, and with a plain-http link: both refused, beside their fields.
    await admin.getByLabel('Meeting address').fill('http://teams.example.com/meeting');
    await admin.getByRole('button', { name: 'Create draft event' }).click();
    await admin.locator('.error-summary').waitFor();
    expect(await admin.locator('.error-summary li').allTextContents()).toEqual(['Enter the meeting address starting with https://', 'Enter the number of online places, from 1 to 100000']);
    problems.push(...(await lookAt(admin, 'online-event-form-errors')));
    await admin.getByLabel('Meeting address').fill(MEETING);
    await admin.getByLabel('Passcode').fill('4242');
    await admin.getByLabel('Places', { exact: true }).fill('30');
    await admin.getByLabel('Online places (hybrid events)').fill('100');
    await admin.getByRole('button', { name: 'Create draft event' }).click();
    await admin.getByText('Event created as a draft').waitFor();
    await admin.getByRole('link', { name: 'Publish…' }).click();
    await admin.getByRole('button', { name: 'Publish without announcing' }).click();
    await admin.getByText('Event published').waitFor();
    problems.push(...(await lookAt(admin, 'online-staff-event')));
    await admin.getByRole('link', { name: 'Reminders and follow-ups' }).click();
    expect(await heading(admin)).toBe('Reminders and follow-ups');
    problems.push(...(await lookAt(admin, 'online-follow-ups')));
    await admin.goBack();
    await admin.getByRole('link', { name: 'Slides and recordings' }).click();
    problems.push(...(await lookAt(admin, 'online-materials')));

    // The attendee finds it among the online events and books an online place.
    const visitor = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    let page = await visitor.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Taking part').selectOption('online');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/mode=online/);
    problems.push(...(await lookAt(page, 'online-home-filtered')));
    await page.getByRole('link', { name: 'Hybrid evening: ethnicity coding' }).click();
    expect(await page.locator('.taking-part').textContent()).toContain('the email says when it opens');
    problems.push(...(await lookAt(page, 'online-event-page')));
    await page.getByLabel('Full name').fill('Grace Hopper');
    await page.locator('#field-email').fill('grace@example.org');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await page.locator('.error-summary').textContent()).toContain('Choose how this attendee will take part');
    await page.getByLabel(/^Online, with a personal joining link/).check();
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL(/\/bookings\/HSUG-/);
    expect(await page.textContent('body')).toContain('Your personal joining link');
    expect(await page.content()).not.toContain('teams.example.com');
    problems.push(...(await lookAt(page, 'online-booking-page')));

    // The invitation email carries the personal link; the email itself is looked at too.
    await t.sendMail();
    const mail = t.smtp.messages.find((m) => JSON.stringify(m.to).includes('grace@example.org'))!;
    const invite = inviteOf(mail);
    expect(invite.location).toMatch(/\/join\/[A-Za-z0-9_-]{43}$/);
    expect(invite.raw).toContain('BEGIN:VALARM');
    const joinUrl = invite.location.replace('http://events.test', base);
    const mailPage = await visitor.newPage();
    await mailPage.setContent(String(mail.html));
    problems.push(...(await lookAt(mailPage, 'online-invitation-email', { isEmail: true })));

    // Before the link opens: a page saying when.
    await page.goto(joinUrl);
    expect(await page.textContent('body')).toContain('Your joining link opens at Tuesday 14 April 2026, 5:30pm BST');
    problems.push(...(await lookAt(page, 'online-join-not-yet')));

    // At the opening time: straight into the meeting. (The browser is sent to the meeting's address; the network is
    // blocked, so what it asks for there is checked, not a page from it.)
    t.clock.set('2026-04-14T16:30:00Z');
    const asked = page.waitForRequest((r) => r.url().startsWith('https://teams.example.com/'));
    await page.goto(joinUrl).catch((error: Error) => expect(error.message).toContain('ERR_NAME_NOT_RESOLVED'));
    const meetingRequest = await asked;
    expect(meetingRequest.url()).toBe(MEETING);
    expect(meetingRequest.redirectedFrom()?.url()).toBe(joinUrl);
    expect(meetingRequest.headers().referer).toBeUndefined();

    // Someone else's guess gets the refusal page (in a fresh tab: the last one ended on the browser's error page).
    await page.close();
    page = await visitor.newPage();
    await page.goto(`${base}/join/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde`);
    expect(await heading(page)).toBe('This joining link does not work');
    problems.push(...(await lookAt(page, 'online-join-refused')));

    expect(problems).toEqual([]);
  }, 120_000);

  it("when a colleague opens their own place at a hybrid event and switches it online with the button, then their page says so and shows their own joining link; the page, the publish refusal beside 'Taking part' and a refused material link pass axe at every width", async () => {
    const problems: string[] = [];
    const event = await buildEvent(t.db, { title: 'Hybrid seat page', mode: 'hybrid', capacity: 10, onlineCapacity: 10, meetingUrl: MEETING, startsAt: new Date(t.clock.now().getTime() + 10 * 24 * 3600_000).toISOString(), endsAt: new Date(t.clock.now().getTime() + 10 * 24 * 3600_000 + 7200_000).toISOString() });
    const buyer = person('browser-seat-buyer');
    const colleague = person('browser-seat-colleague');
    const res = await fetch(`${base}/api/v1/events/${event.slug}/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ buyer: { name: buyer.name, email: buyer.email }, items: [{ attendee: { ...buyer, mode: 'online' } }, { attendee: { ...colleague, mode: 'in_person' } }] }) });
    expect(res.status).toBe(201);
    const reference = ((await res.json()) as { booking: { reference: string } }).booking.reference;
    const seat = await t.db('attendees').where({ email: colleague.email }).first();
    const page = await browser.newPage();
    await page.goto(`${base}/bookings/${reference}/seats/${seat.id}?token=${seatToken(t.config, seat.ical_uid, seat.email)}`);
    problems.push(...(await lookAt(page, 'online-seat-page-in-person')));
    await page.getByRole('button', { name: 'Take part online instead' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('status').textContent()).toContain('how this place takes part has changed');
    expect(await page.getByRole('link', { name: 'Your personal joining link' }).getAttribute('href')).toMatch(/\/join\/[A-Za-z0-9_-]{43}$/);
    problems.push(...(await lookAt(page, 'online-seat-page-online')));
    await page.close();

    // The organiser publishes an online event that has no meeting address yet.
    const draft = await buildEvent(t.db, { title: 'Webinar without its link', mode: 'online', venue: '', address: '', status: 'draft' });
    const organiser = await createStaff(t, 'organiser');
    const admin = await browser.newPage();
    await admin.goto(`${base}/admin`);
    await admin.getByLabel('Email address').fill(organiser.email);
    await admin.getByLabel('Password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.goto(`${base}/admin/events/${draft.slug}/publish`);
    await admin.getByRole('button', { name: 'Publish without announcing' }).click();
    await admin.waitForLoadState();
    expect(await admin.locator('#meeting-problem').textContent()).toContain('Enter the meeting address');
    problems.push(...(await lookAt(admin, 'online-publish-refused')));
    // The slides and recordings page refusing a link with nothing chosen: each message beside its field, and summarised.
    await admin.goto(`${base}/admin/events/${draft.slug}/materials`);
    await admin.getByRole('textbox', { name: 'Link' }).fill('javascript:alert(1)');
    await admin.getByRole('button', { name: 'Add', exact: true }).click();
    await admin.waitForLoadState();
    expect(await admin.locator('.error-summary').textContent()).toContain('Enter a web address starting with https://');
    expect(await admin.getByRole('textbox', { name: 'Link' }).inputValue()).toBe('javascript:alert(1)');
    problems.push(...(await lookAt(admin, 'online-materials-refused')));
    await admin.close();
    expect(problems).toEqual([]);
  }, 60_000);
});
