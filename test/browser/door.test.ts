import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';
import { createStaff, PASSWORD } from '../admin/helpers';
import { lookAt, SCREENSHOTS } from './page-checks';

/**
 * Issue 16, organisers, in a browser at 375 and 1280 px: the door (walk-ins, an empty search, a cancelled person,
 * focus after each check-in and after the refresh), the message preview and test send, the warning before a change of
 * time emails people, and the member import preview, undo and look-up. Screenshots go to SCREENSHOT_DIR.
 */

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
/** 6 pm on the test clock's day (TEST_NOW is 2026-03-02 12:00 UTC): the door is open. */
const ON_THE_DAY = '2026-03-02T18:00:00.000Z';

let t: TestApp;
let server: Server;
let base: string;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const organiser = await createStaff(t, 'organiser', 'door.organiser@hsug.test');
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/admin`);
  await page.getByLabel('Email address').fill(organiser.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
  await page.close();
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  server.close();
  await t.close();
});

/** Whether the door's search box has the focus (a string, so the test needs no DOM types: it runs in the page). */
const searchHasFocus = (page: Page) => page.evaluate<boolean>('document.activeElement === document.getElementById("door-q")');

async function book(slug: string, tag: string, name: string) {
  const p = person(tag, { name });
  return request(server).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] }).expect(201);
}

describe('the door in a browser', () => {
  it('when a volunteer checks people in on a phone, then the search box is emptied and focused after each, a refresh keeps focus, a failed search says so, a cancelled person shows when, and a walk-in is added', async () => {
    const event = await buildEvent(t.db, { capacity: 4, startsAt: ON_THE_DAY, title: 'Evening meeting: waiting times' });
    await book(event.slug, 'door-grace', 'Grace Hopper');
    await book(event.slug, 'door-flo', 'Florence Nightingale');
    const cancelled = await book(event.slug, 'door-cora', 'Cora Cancel');
    await request(server).post(`/api/v1/bookings/${cancelled.body.booking.reference}/cancel`).set('Authorization', `Bearer ${new URL(cancelled.body.booking.manageUrl).searchParams.get('token')}`).send({}).expect(200);
    const page = await context.newPage();
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${base}/admin/events/${event.slug}/check-in`);
    const search = page.getByLabel('Find a name, organisation or reference');
    expect(await searchHasFocus(page)).toBe(true);

    await search.fill('flor');
    await page.locator('.door-person').filter({ hasText: 'Grace Hopper' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Check in Florence Nightingale' }).click();
    await page.getByText('Florence Nightingale checked in at 12:00.').waitFor();
    await page.locator('.door-person').filter({ hasText: 'Grace Hopper' }).waitFor();
    expect(await search.inputValue()).toBe('');
    expect(await searchHasFocus(page)).toBe(true);
    expect(await page.locator('[data-checked-in]').textContent()).toBe('1');

    // The 15-second refresh rebuilds the list: the button that had focus has it again (a page with a controlled clock).
    const refreshed = await context.newPage();
    await refreshed.clock.install();
    await refreshed.goto(`${base}/admin/events/${event.slug}/check-in`);
    await refreshed.getByRole('button', { name: 'Check in Grace Hopper' }).focus();
    await Promise.all([refreshed.waitForResponse((r) => r.url().includes('/check-in.json')), refreshed.clock.runFor(15_000)]);
    await refreshed.waitForFunction('document.activeElement && document.activeElement.textContent === "Check in Grace Hopper"');
    await refreshed.close();

    await search.fill('zzzz');
    await page.getByText('Nobody with a place matches “zzzz”.').waitFor();
    expect(await page.locator('.door-person').count()).toBe(0);
    await search.fill('cora');
    await page.getByText(/Cora Cancel \(HSUG-[0-9A-Z-]+\): cancelled on Monday 2 March 2026 at 12:00/).waitFor();
    expect(await lookAt(page, 'door-cancelled-search')).toEqual([]);

    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByLabel('Name', { exact: true }).fill('Aisha Khan');
    await page.getByRole('button', { name: 'Add walk-in and check in' }).click();
    await page.getByText('Aisha Khan added as a walk-in and checked in at 12:00.').waitFor();
    expect(await page.locator('[data-checked-in]').textContent()).toBe('2');
    expect(await page.locator('[data-expected]').textContent()).toBe('3');
    expect(await searchHasFocus(page)).toBe(true);
    expect(await lookAt(page, 'door-after-walk-in')).toEqual([]);

    // The last place goes; a second walk-in is refused, with the name kept.
    await page.getByLabel('Name', { exact: true }).fill('Second Walker');
    await page.getByRole('button', { name: 'Add walk-in and check in' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Third Walker');
    await page.getByRole('button', { name: 'Add walk-in and check in' }).click();
    await page.getByText('The event is full (4 places)').waitFor();
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Third Walker');
    expect(await lookAt(page, 'door-full')).toEqual([]);
    await page.close();
  }, 60_000);

  it('when the door is not open yet, then the page says when it opens and offers no check-in', async () => {
    const event = await buildEvent(t.db, { capacity: 10, startsAt: '2026-03-17T18:00:00.000Z', title: 'March evening meeting' });
    await book(event.slug, 'door-early', 'Early Bird');
    const page = await context.newPage();
    await page.goto(`${base}/admin/events/${event.slug}/check-in`);
    await page.getByText('Check-in opens on the day of the event, Tuesday 17 March 2026.').waitFor();
    expect(await page.getByRole('button', { name: /Check in/ }).count()).toBe(0);
    expect(await lookAt(page, 'door-before-the-day')).toEqual([]);
    await page.close();
  }, 60_000);
});

describe('emailing people, changing the time, and the member list in a browser', () => {
  it('when an organiser writes to everyone, then the preview shows the email with its greeting and manage link, a test goes to them only, and Send goes once', async () => {
    const event = await buildEvent(t.db, { capacity: 20, title: 'Evening meeting: waiting times' });
    for (const [i, name] of ['Aisha Khan', 'Ben Okafor', 'Cara Lewis', 'Dev Shah', 'Ella Price', 'Finn Walsh'].entries()) await book(event.slug, `mail-${i}`, name);
    const page = await context.newPage();
    await page.goto(`${base}/admin/events/${event.slug}/messages/new`);
    await page.getByLabel('Subject').fill('Room change');
    await page.getByLabel('Message').fill('We have moved to room 2.\nSee you there.');
    expect(await lookAt(page, 'message-form')).toEqual([]);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your message' }).waitFor();
    expect(await page.locator('[data-preview-text]').textContent()).toContain('Dear Aisha Khan,\n\nWe have moved to room 2.');
    await page.getByText('Evening meeting: waiting times: Room change').waitFor();
    expect(await lookAt(page, 'message-preview')).toEqual([]);
    await page.getByRole('button', { name: /Send a test to me/ }).click();
    await page.getByText('A test has been sent to door.organiser@hsug.test only.').waitFor();
    expect(await lookAt(page, 'message-test-sent')).toEqual([]);
    await page.getByRole('button', { name: 'Send to 6 people' }).click();
    await page.getByText('Message queued for 6 people.').waitFor();
    await t.sendMail();
    expect(t.smtp.messages.filter((m) => m.subject === 'Evening meeting: waiting times: Room change')).toHaveLength(6);
    expect(t.smtp.messages.filter((m) => m.subject === '[TEST] Evening meeting: waiting times: Room change')).toHaveLength(1);
    // The message went through the preview's hidden fields with its line break intact.
    expect((await t.db('staff_messages').orderBy('id', 'desc').first()).body).toBe('We have moved to room 2.\nSee you there.');
    const aisha = t.smtp.messages.find((m) => m.subject === 'Evening meeting: waiting times: Room change' && JSON.stringify(m.to).includes('Aisha'));
    // A fresh page: the staff page's Content-Security-Policy would block the email's inline styles.
    const mail = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await mail.setContent(String(aisha?.html));
    await mail.getByText('Dear Aisha Khan,').waitFor();
    await mail.getByRole('link', { name: 'Your booking' }).waitFor();
    expect(await lookAt(mail, 'message-email', { isEmail: true })).toEqual([]);
    await mail.close();
    await page.close();
  }, 60_000);

  it('when an organiser moves the start, then before saving they see how many people will be emailed and that booking closes too early', async () => {
    const event = await buildEvent(t.db, { capacity: 20, title: 'April evening meeting', startsAt: '2026-04-14T17:00:00Z', bookingClosesAt: '2026-04-13T17:00:00Z' });
    for (const [i, name] of ['Grace Hopper', 'Alan Turing'].entries()) await book(event.slug, `move-${i}`, name);
    const page = await context.newPage();
    await page.goto(`${base}/admin/events/${event.slug}/edit`);
    await page.getByLabel('Starts').fill('2026-04-21T18:00');
    await page.getByLabel('Ends').fill('2026-04-21T20:00');
    await page.getByRole('button', { name: /Save/ }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Check before saving' }).waitFor();
    await page.getByText('2 people will be emailed').waitFor();
    await page.getByText(/Booking still closes on Monday 13 April 2026, 6:00pm: that is 8 days before the new start/).waitFor();
    expect(await lookAt(page, 'event-change-confirm')).toEqual([]);
    await page.getByRole('button', { name: 'Save and email 2 people' }).click();
    await page.getByText('2 attendees have been sent an updated calendar invitation.').waitFor();
    await page.close();
  }, 60_000);

  it('when an organiser imports a new member list, then they see what changes before confirming, can undo it, and can look a member up', async () => {
    const csv = (rows: string[]) => Buffer.from(['Email,Name,Membership Number,Expiry Date', ...rows].join('\n'));
    const page = await context.newPage();
    await page.goto(`${base}/admin/members`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'members.csv', mimeType: 'text/csv', buffer: csv(['ada@example.org,Ada Lovelace,RSS-001,2026-12-31', 'john@example.org,John Snow,RSS-003,2026-12-31']) });
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await page.getByRole('button', { name: 'Import 2 members and replace the list' }).click();
    await page.getByText('Imported 2 members.').waitFor();
    await page.getByLabel('CSV file').setInputFiles({ name: 'members.csv', mimeType: 'text/csv', buffer: csv(['ada@example.org,Ada Lovelace,RSS-001,2027-12-31', 'mary@example.org,Mary Seacole,RSS-004,2026-01-31']) });
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await page.getByRole('heading', { name: 'Check the new list before importing' }).waitFor();
    expect(await page.locator('[data-count="removed"]').textContent()).toBe('1');
    expect(await lookAt(page, 'members-preview')).toEqual([]);
    await page.getByRole('button', { name: 'Import 2 members and replace the list' }).click();
    await page.getByRole('button', { name: 'Undo the last import' }).click();
    await page.getByText('Import undone: the previous list of 2 members is back.').waitFor();
    await page.getByLabel('Email, name or membership number').fill('snow');
    await page.getByRole('button', { name: 'Look up' }).click();
    await page.getByText('John Snow · john@example.org · RSS-003').waitFor();
    expect(await lookAt(page, 'members-lookup')).toEqual([]);
    await page.close();
  }, 60_000);
});

