import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { buildEvent } from '../support/factories';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { lookAt } from './page-checks';

/**
 * Issue 15, "Calendar and pages": every public page a visitor or buyer can reach, looked at with axe at 375 and
 * 1280 px and checked for sideways scrolling at 320 px (WCAG 2.2 1.4.10), with a screenshot of each under
 * SCREENSHOT_DIR for a person to look at. The clock is TEST_NOW (Monday 2 March 2026, noon).
 */

/** Debian's Chromium; a browser is never downloaded. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

let t: PaymentsTestApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t.close();
});

const free = () => buildEvent(t.db, { title: 'Waiting times in London', startsAt: '2026-03-17T18:00:00Z' });

/** A free booking made through the API, and its private link. */
async function register(slug: string, email: string): Promise<string> {
  const res = await request(t.baseUrl).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: 'Ada Lovelace', email }, items: [{ attendee: { name: 'Ada Lovelace', email } }] }).expect(201);
  return res.body.booking.manageUrl as string;
}

describe('every public page in a browser, with axe, at 375 and 1280 px', () => {
  it('when a visitor looks at the lists, the subscribe page and each kind of event page, then axe finds nothing and nothing scrolls sideways at 320 px', async () => {
    const meeting = await free();
    const paid = await buildEvent(t.db, { ...paidEvent(), title: 'Seminar: record linkage with a rather long title that has to wrap on a phone', startsAt: '2026-03-24T09:30:00Z', endsAt: '2026-03-24T16:30:00Z' });
    const full = await buildEvent(t.db, { title: 'Full evening meeting', capacity: 1, startsAt: '2026-04-14T17:00:00Z' });
    await register(full.slug, 'first@example.org');
    const cancelled = await buildEvent(t.db, { title: 'Cancelled evening meeting', status: 'cancelled', startsAt: '2026-04-21T17:00:00Z' });
    const past = await buildEvent(t.db, { ...paidEvent(), title: 'Last month’s seminar', startsAt: '2026-02-10T09:30:00Z', endsAt: '2026-02-10T16:30:00Z' });
    const twoDay = await buildEvent(t.db, {
      ...paidEvent(), kind: 'conference', title: 'Annual conference', startsAt: '2027-02-10T09:00:00Z', endsAt: '2027-02-11T17:00:00Z',
    });

    const pages: Array<[string, string]> = [
      ['home', '/'],
      ['home-filtered', '/?kind=seminar&region=london'],
      ['past-events', '/events/past'],
      ['subscribe', '/calendar'],
      ['event-free', `/events/${meeting.slug}`],
      ['event-paid-public', `/events/${paid.slug}`],
      ['event-full', `/events/${full.slug}`],
      ['event-cancelled', `/events/${cancelled.slug}`],
      ['event-past', `/events/${past.slug}`],
      ['event-two-day', `/events/${twoDay.slug}`],
      ['book-waitlist', `/events/${full.slug}/book?qty_${full.ticketTypeIds[0]}=1`],
      ['resent', `/events/${meeting.slug}/resent`],
      ['privacy', '/privacy'],
      ['accessibility', '/accessibility'],
      ['announcements-subscribe', '/subscribe'],
    ];
    const problems: string[] = [];
    for (const [name, path] of pages) {
      const res = await page.goto(`${t.baseUrl}${path}`);
      if (res?.status() !== 200) problems.push(`${name} answered ${res?.status()}`);
      problems.push(...(await lookAt(page, name)));
    }
    const missing = await page.goto(`${t.baseUrl}/events/no-such-event`);
    expect(missing?.status()).toBe(404);
    problems.push(...(await lookAt(page, 'not-found')));
    expect(problems).toEqual([]);
  }, 180_000);

  it('when a visitor sends the registration form empty, then focus is on the error summary, axe finds nothing, and after registering a refresh does not post again', async () => {
    const meeting = await free();
    await page.goto(`${t.baseUrl}/events/${meeting.slug}`);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForSelector('.error-summary');
    await expect(page.evaluate<string>('document.activeElement.className')).resolves.toBe('error-summary');
    expect(await lookAt(page, 'register-errors')).toEqual([]);

    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.locator('#field-email').fill('ada@example.org');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL(/\/bookings\/HSUG-/);
    expect(await lookAt(page, 'manage-free')).toEqual([]);
    // The answer to the POST was a redirect: reloading asks for the booking page again, it does not register again.
    await page.reload();
    expect(Number((await t.db('bookings').where({ event_id: meeting.id }).count({ n: '*' }).first())?.n)).toBe(1);

    await page.getByRole('link', { name: 'Cancel booking…' }).click();
    await page.waitForURL(/\/cancel\?token=/);
    expect(await lookAt(page, 'cancel-free-confirm')).toEqual([]);

    // Registering again with the same address: the problem banner takes the focus, and offers to resend.
    await page.goto(`${t.baseUrl}/events/${meeting.slug}`);
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.locator('#field-email').fill('ada@example.org');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForSelector('.banner-problem');
    await expect(page.evaluate<string>('document.activeElement.className')).resolves.toBe('banner banner-problem');
    expect(await lookAt(page, 'register-already-booked')).toEqual([]);
    await page.getByRole('button', { name: 'Send my confirmation again' }).click();
    await page.waitForURL(`${t.baseUrl}/events/${meeting.slug}/resent`);
  }, 120_000);

  it('when a buyer sends the booking form empty, then focus is on the error summary and axe finds nothing', async () => {
    const paid = await buildEvent(t.db, { ...paidEvent(), title: 'Seminar: missing data' });
    await page.goto(`${t.baseUrl}/events/${paid.slug}/book?qty_${paid.ticketTypeIds[1]}=2`);
    expect(await lookAt(page, 'book-form-empty')).toEqual([]);
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForSelector('.error-summary');
    await expect(page.evaluate<string>('document.activeElement.className')).resolves.toBe('error-summary');
    expect(await lookAt(page, 'book-form-errors')).toEqual([]);
  }, 120_000);

  it('when a buyer leaves the payment page, then "Payment not completed" offers both ways on, and axe finds nothing', async () => {
    const paid = await buildEvent(t.db, { ...paidEvent(), title: 'Seminar: left the payment page' });
    const res = await request(t.baseUrl).post(`/api/v1/events/${paid.slug}/bookings`)
      .send({ buyer: { name: 'Ada Lovelace', email: 'ada@example.org' }, items: [{ ticketTypeId: paid.ticketTypeIds[1], attendee: { name: 'Ada Lovelace', email: 'ada@example.org' } }] }).expect(201);
    const manage = new URL(res.body.booking.manageUrl);
    await page.goto(`${t.baseUrl}/checkout/cancelled?reference=${res.body.booking.reference}&token=${manage.searchParams.get('token')}`);
    await expect(page.getByRole('link', { name: 'Return to payment' }).count()).resolves.toBe(1);
    await expect(page.getByRole('button', { name: 'Release these places' }).count()).resolves.toBe(1);
    expect(await lookAt(page, 'checkout-cancelled')).toEqual([]);
    await page.goto(res.body.booking.manageUrl);
    expect(await lookAt(page, 'manage-held')).toEqual([]);

    // On the waitlist of a full event.
    const full = await buildEvent(t.db, { title: 'Full again', capacity: 1 });
    await register(full.slug, 'first-in@example.org');
    await page.goto(await register(full.slug, 'waiting@example.org'));
    await expect(page.locator('main').textContent()).resolves.toContain('On the waitlist');
    expect(await lookAt(page, 'manage-waitlisted')).toEqual([]);
  }, 120_000);
});
