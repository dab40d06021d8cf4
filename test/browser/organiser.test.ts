import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser } from 'playwright-core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { createStaff, PASSWORD } from '../admin/helpers';

let t: TestApp;
let server: Server;
let base: string;
let browser: Browser;

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/hsug-screens';

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  server.close();
  await t.close();
});

describe('an organiser in the browser', () => {
  it('when an organiser signs in, creates and publishes an event, downloads the CSV and checks someone in, then each step shows what they expect', async () => {
    const organiser = await createStaff(t, 'organiser');
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();

    await page.goto(`${base}/admin`);
    await expectHeading(page, 'Staff sign-in');
    await page.getByLabel('Email address').fill(organiser.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectHeading(page, 'Events');

    await page.getByRole('link', { name: 'New event', exact: true }).first().click();
    await page.getByLabel('Title').fill('Spring evening meeting: waiting times');
    // This evening (the test clock is 2 March 2026, noon), so the door is open later in the test.
    await page.getByLabel('Starts').fill('2026-03-02T18:00');
    await page.getByLabel('Ends').fill('2026-03-02T20:00');
    await page.getByLabel('Venue').fill('Royal Statistical Society');
    await page.getByLabel('Places', { exact: true }).fill('40');
    await page.getByRole('button', { name: 'Create draft event' }).click();
    await page.getByText('Event created as a draft').waitFor();
    await page.getByRole('link', { name: 'Publish…' }).click();
    await page.getByRole('button', { name: 'Publish without announcing' }).click();
    await page.getByText('Event published').waitFor();
    await page.screenshot({ path: `${SCREENSHOTS}/event-desktop.png`, fullPage: true });

    const publicPage = await context.newPage();
    await publicPage.goto(`${base}/`);
    await publicPage.getByRole('link', { name: 'Spring evening meeting: waiting times' }).waitFor();
    const slug = 'spring-evening-meeting-waiting-times';
    for (const [n, name] of [['1', 'Grace Hopper'], ['2', 'Florence Nightingale'], ['3', '=HYPERLINK("x")']]) {
      await request(server).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name, email: `b${n}@example.org` }, items: [{ attendee: { name, email: `b${n}@example.org`, organisation: 'NHS England', dietary: n === '1' ? 'Vegetarian' : undefined } }] }).expect(201);
    }

    await page.getByRole('link', { name: /^Attendees/ }).click();
    await expectHeading(page, /Attendees/);
    await page.screenshot({ path: `${SCREENSHOTS}/attendees-desktop.png`, fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`${slug}-attendees.csv`);
    const csv = parse(fs.readFileSync((await download.path())!), { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(csv.map((r) => r.Name)).toEqual(['Grace Hopper', 'Florence Nightingale', `'=HYPERLINK("x")`]);

    // At the door, on a phone (the meeting is this evening: check-in opens on the event's day).
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await phone.addCookies(await context.cookies());
    const door = await phone.newPage();
    await door.goto(`${base}/admin/events/${slug}/check-in`);
    await door.getByLabel('Find a name, organisation or reference').fill('flor');
    await door.locator('.door-person').filter({ hasText: 'Grace Hopper' }).waitFor({ state: 'detached' });
    await door.screenshot({ path: `${SCREENSHOTS}/check-in-phone-search.png`, fullPage: true });
    await door.getByRole('button', { name: 'Check in Florence Nightingale' }).click();
    await door.getByText('In at 12:00', { exact: true }).waitFor();
    expect(await door.locator('[data-checked-in]').textContent()).toBe('1');
    expect(await door.locator('[data-expected]').textContent()).toBe('3');
    await door.screenshot({ path: `${SCREENSHOTS}/check-in-phone.png`, fullPage: true });
    const row = await t.db('attendees').where({ name: 'Florence Nightingale' }).first();
    expect(row.checked_in_at).not.toBeNull();

    const phoneEvent = await phone.newPage();
    await phoneEvent.goto(`${base}/admin/events/${slug}/attendees`);
    await phoneEvent.screenshot({ path: `${SCREENSHOTS}/attendees-phone.png`, fullPage: true });
    await phone.close();
    await context.close();
  }, 60_000);
});

async function expectHeading(page: import('playwright-core').Page, name: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}
