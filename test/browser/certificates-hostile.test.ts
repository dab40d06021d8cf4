import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Browser, BrowserContext } from 'playwright-core';
import { createStaff, PASSWORD } from '../admin/helpers';
import { startTestApp, type TestApp } from '../support/app';
import { AFTER, book, buildSeminar, certificatePath, checkIn, type Booked } from '../certificates/support';
import { launchChromium, lookAt, SCREENSHOTS } from './page-checks';

/**
 * Review of issue 13 in Chromium with JavaScript off (the public pages must work without it): a booking whose name the
 * certificate's font cannot print (Chinese characters) is asked to correct it before downloading, the correction
 * refused the same way, and a code typed with an en dash verifies; the organisers' page names the title's characters
 * that are left out. Screenshots: SCREENSHOT_DIR/cpdfix-*.png.
 */
let t: TestApp;
let server: Server;
let base: string;
let browser: Browser;
let noScript: BrowserContext;
let withScript: BrowserContext;
let who: Booked;
let slug: string;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const event = await buildSeminar(t, { title: 'Waiting times in the NHS 王' });
  slug = event.slug;
  who = await book(t, slug, 'li');
  await t.db('attendees').where({ id: who.attendeeId }).update({ name: '李小龙' });
  await checkIn(t, who.attendeeId);
  await t.db('certificate_settings').insert({ event_id: event.id, issues_certificates: true, cpd_minutes: 90, topics: '', updated_at: new Date('2026-03-01T00:00:00Z').toISOString() });
  t.clock.set(AFTER);
  noScript = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  withScript = await browser.newContext({ viewport: { width: 1280, height: 900 } });
}, 60_000);

afterAll(async () => {
  await noScript?.close();
  await withScript?.close();
  await browser?.close();
  server.close();
  await t.close();
});

describe('certificates with names and titles the font cannot print, without JavaScript', () => {
  it('when the booking’s name cannot be printed, then the page asks for a correction beside the field, refuses another unprintable one, and offers the download once it prints', async () => {
    // The same steps with JavaScript off (does it work) and on (axe, which needs scripts, looks at each state).
    for (const context of [withScript, noScript]) {
      const isChecked = context === withScript;
      const page = await context.newPage();
      await page.goto(`${base}${certificatePath(who)}`);
      await page.getByRole('heading', { level: 1, name: 'Certificate of attendance' }).waitFor();
      await page.getByText('Correct the name below, then you can download your certificate.').waitFor();
      expect(await page.getByRole('link', { name: 'Download your certificate (PDF)' }).count()).toBe(0);
      if (isChecked) expect(await lookAt(page, 'cpdfix-unprintable-name')).toEqual([]);

      await page.getByLabel('Name as it should appear').fill('李 Bruce');
      await page.getByRole('button', { name: 'Save the name' }).click();
      await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
      expect(await page.getByLabel('Name as it should appear').inputValue()).toBe('李 Bruce');
      if (isChecked) expect(await lookAt(page, 'cpdfix-unprintable-name-error')).toEqual([]);
      await page.close();
    }
    const page = await noScript.newPage();
    await page.goto(`${base}${certificatePath(who)}`);
    await page.getByLabel('Name as it should appear').fill('Bruce Lee');
    await page.getByRole('button', { name: 'Save the name' }).click();
    await page.getByRole('link', { name: 'Download your certificate (PDF)' }).waitFor();
    await page.close();
  });

  it('when a code is typed with en dashes, then it verifies without JavaScript', async () => {
    const code = String((await t.db('certificates').where({ attendee_id: who.attendeeId }).first('code')).code);
    for (const context of [noScript, withScript]) {
      const page = await context.newPage();
      await page.goto(`${base}/certificates/verify`);
      await page.getByLabel('Verification code').fill(code.match(/.{5}/g)!.join(' – '));
      await page.getByRole('button', { name: 'Check the code' }).click();
      await page.getByRole('heading', { name: 'This certificate is valid' }).waitFor();
      if (context === withScript) expect(await lookAt(page, 'cpdfix-verify-dashes')).toEqual([]);
      await page.close();
    }
  });

  it('when the title has characters the certificate cannot print, then the organisers’ page names them', async () => {
    const staff = await createStaff(t, 'organiser', 'cpdfix.organiser@hsug.test');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/admin`);
    await page.getByLabel('Email address').fill(staff.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
    await page.goto(`${base}/admin/events/${slug}/certificates`);
    await page.getByText("The event's title has characters the certificate cannot print (王)").waitFor();
    expect(await lookAt(page, 'cpdfix-title-warning')).toEqual([]);
    await context.close();
  });
});
