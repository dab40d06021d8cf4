import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Browser, BrowserContext } from 'playwright-core';
import { createStaff, PASSWORD } from '../admin/helpers';
import { startTestApp, type TestApp } from '../support/app';
import { pdfText } from '../support/pdf-text';
import { AFTER, book, buildSeminar, checkIn, runCertificates, type Booked } from '../certificates/support';
import { launchChromium, lookAt, SCREENSHOTS } from './page-checks';

/**
 * Issue 13 in Chromium: an organiser sets the CPD hours and uploads a Zoom attendance report (preview, then record);
 * an attendee follows the certificate email's link, corrects their name, downloads the PDF, checks its code on the
 * verification page and answers the survey; the organiser reads the summary. Screenshots go to SCREENSHOT_DIR
 * (cpd-*.png), and the PDF to SCREENSHOT_DIR/cpd-certificate.pdf for a person to look at.
 */

let t: TestApp;
let server: Server;
let base: string;
let browser: Browser;
let organiser: BrowserContext;
let attendee: BrowserContext;
let slug: string;
let online: Booked;

const ZOOM = [
  'Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants',
  '812 3456 7890,Waiting times in the NHS,03/17/2026 12:58:01 PM,03/17/2026 03:02:44 PM,host@hsug.test,125,3',
  '',
  'Name (Original Name),User Email,Total Duration (Minutes),Guest',
  'Grace Hopper,attendeeonline@example.org,70,No',
  'Short Stay,attendeebrief@example.org,20,No',
  'Phone caller,,80,Yes',
].join('\n');

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const event = await buildSeminar(t);
  slug = event.slug;
  const door = await book(t, slug, 'door');
  await checkIn(t, door.attendeeId);
  online = await book(t, slug, 'online');
  await t.db('attendees').where({ id: online.attendeeId }).update({ name: 'Grace Hoper', mode: 'online' });
  await book(t, slug, 'brief');
  t.clock.set(AFTER);
  const staff = await createStaff(t, 'organiser', 'cpd.organiser@hsug.test');
  organiser = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  attendee = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await organiser.newPage();
  await page.goto(`${base}/admin`);
  await page.getByLabel('Email address').fill(staff.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
  await page.close();
}, 60_000);

afterAll(async () => {
  await organiser?.close();
  await attendee?.close();
  await browser?.close();
  server.close();
  await t.close();
});

describe('certificates and feedback in a browser', () => {
  it('when an organiser sets the hours and uploads a Zoom report, then the preview shows who matched and recording it counts them', async () => {
    const page = await organiser.newPage();
    await page.goto(`${base}/admin/events/${slug}`);
    await page.getByRole('link', { name: 'Certificates' }).click();
    await page.getByRole('heading', { level: 1, name: 'Certificates of attendance' }).waitFor();
    await page.getByLabel('CPD hours').fill('1.5');
    await page.getByLabel('Topics or speakers').fill('Waiting-time statistics; speakers Ada Lovelace and William Farr');
    await page.getByRole('button', { name: 'Save certificate settings' }).click();
    await page.getByText('Certificate settings saved.').waitFor();

    await page.getByLabel('Attendance report (CSV)').setInputFiles({ name: 'participants.csv', mimeType: 'text/csv', buffer: Buffer.from(ZOOM, 'utf8') });
    await page.getByRole('button', { name: 'Upload and check' }).click();
    await page.getByRole('heading', { name: 'Check the attendance report before recording it' }).waitFor();
    expect(await page.locator('[data-count="matched"]').textContent()).toBe('1');
    expect(await page.locator('[data-count="below"]').textContent()).toBe('1');
    expect(await page.locator('[data-count="unmatched"]').textContent()).toBe('1');
    expect(await lookAt(page, 'cpd-attendance-preview')).toEqual([]);

    await page.getByRole('button', { name: 'Record this attendance' }).click();
    await page.getByText('Attendance recorded: 1 person present long enough.').waitFor();
    expect(await page.locator('[data-count="attended"]').textContent()).toBe('2');
    expect(await lookAt(page, 'cpd-certificates-admin')).toEqual([]);
    await page.close();
  });

  it('when the attendee follows the email link, corrects the name and downloads the certificate, then the PDF carries the corrected name and its code verifies', async () => {
    expect(await runCertificates(t)).toBe(2);
    await t.sendMail();
    const mail = t.smtp.messages.find((m) => JSON.stringify(m.to).includes(online.email) && m.subject?.startsWith('Your certificate'));
    const link = /http:\/\/events\.test(\/\S+\/certificate\?token=\S+)/.exec(mail?.text ?? '')?.[1] as string;
    // The email as a mail program shows it (a fresh page: no site Content-Security-Policy on inline styles).
    const shown = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await shown.setContent(String(mail?.html));
    expect(await lookAt(shown, 'cpd-certificate-email', { isEmail: true })).toEqual([]);
    await shown.close();

    const page = await attendee.newPage();
    await page.goto(`${base}${link}`);
    await page.getByRole('heading', { level: 1, name: 'Certificate of attendance' }).waitFor();
    expect(await lookAt(page, 'cpd-certificate-page')).toEqual([]);

    await page.getByLabel('Name as it should appear').fill('');
    await page.getByRole('button', { name: 'Save the name' }).click();
    await page.getByText('Enter the name as it should appear on the certificate').first().waitFor();
    expect(await lookAt(page, 'cpd-certificate-name-error')).toEqual([]);
    await page.getByLabel('Name as it should appear').fill('Grace Hopper');
    await page.getByRole('button', { name: 'Save the name' }).click();
    await page.getByText('Your certificate now shows the name as you corrected it.').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download your certificate (PDF)' }).click()]);
    const file = `${SCREENSHOTS}/cpd-certificate.pdf`;
    await download.saveAs(file);
    const { text } = await pdfText(fs.readFileSync(file));
    expect(text).toContain('Grace Hopper');
    expect(text).toContain('Continuing professional development: 1.5 hours');

    await page.reload();
    await page.getByText('The name was fixed when the certificate was first downloaded').waitFor();
    await page.getByRole('link', { name: 'check it' }).click();
    await page.getByRole('heading', { name: 'This certificate is valid' }).waitFor();
    expect(await page.locator('.facts').first().textContent()).toContain('Grace Hopper');
    expect(await lookAt(page, 'cpd-verify-valid')).toEqual([]);

    await page.getByLabel('Verification code').fill('ABCDE-FGHJK-MNPQR-STVWX');
    await page.getByRole('button', { name: 'Check the code' }).click();
    await page.getByRole('heading', { name: 'This code is not valid' }).waitFor();
    expect(await lookAt(page, 'cpd-verify-invalid')).toEqual([]);
    await page.close();
  });

  it('when the attendee answers the survey, then a missing rating is shown first, the answer is thanked, and the organiser sees it in the summary', async () => {
    const page = await attendee.newPage();
    await page.goto(`${base}/bookings/${online.reference}?token=${online.token}`);
    await page.getByRole('link', { name: 'Give feedback as Grace Hoper' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your feedback' }).waitFor();
    expect(await lookAt(page, 'cpd-survey')).toEqual([]);

    await page.getByLabel('What was most useful?').fill('The funnel plots');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    expect(await page.getByLabel('What was most useful?').inputValue()).toBe('The funnel plots');
    expect(await lookAt(page, 'cpd-survey-error')).toEqual([]);

    await page.getByLabel('4 — Very good').check();
    await page.getByLabel('What should we cover next?').fill('Survival analysis');
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByText('Your answers have been recorded.').waitFor();
    expect(await lookAt(page, 'cpd-survey-sent')).toEqual([]);
    await page.close();

    const summary = await organiser.newPage();
    await summary.goto(`${base}/admin/events/${slug}/feedback`);
    expect(await summary.locator('[data-count="responses"]').textContent()).toBe('1');
    await summary.getByText('The funnel plots').waitFor();
    expect(await lookAt(summary, 'cpd-feedback-summary')).toEqual([]);
    await summary.close();
  });
});
