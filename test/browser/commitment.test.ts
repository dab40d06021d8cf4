import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { buildEvent } from '../support/factories';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { lookAt, SCREENSHOTS } from './page-checks';

/**
 * Issue 15, "Money and commitment", in a browser at 375 and 1280 px: the terms before paying, a refused member
 * price put right in place, "Continue" with no places, the cancel confirmation, and what the buyer is told after.
 * Every page and email here is screenshotted under SCREENSHOT_DIR (default /tmp/hsug-screens) for a person to look at.
 */

/** Debian's Chromium; a browser is never downloaded. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

let t: PaymentsTestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t.close();
});

async function newPage(): Promise<Page> {
  return browser.newPage({ viewport: { width: 1280, height: 900 } });
}

/** Shows an email's HTML part in the browser, to look at it as a mail program would (no network: it is set inline). */
async function lookAtEmail(page: Page, html: string, name: string): Promise<string[]> {
  await page.setContent(html);
  return lookAt(page, name, { isEmail: true });
}

function mailTo(email: string, subjectStart: string) {
  const mail = t.smtp.messages.find((m) => JSON.stringify(m.to).includes(email) && m.subject?.startsWith(subjectStart));
  if (!mail) throw new Error(`no "${subjectStart}" email to ${email}`);
  return mail;
}

describe('money and commitment in a browser', () => {
  it('when a buyer chooses no places, then the error summary is in view at the top of the booking section and its link takes them to the first place selector', async () => {
    const event = await buildEvent(t.db, { ...paidEvent(), title: 'Seminar: record linkage' });
    const page = await newPage();
    await page.goto(`${t.baseUrl}/events/${event.slug}`);
    expect(await lookAt(page, 'event-paid')).toEqual([]);
    await expect(page.locator('#terms').textContent()).resolves.toContain('cancel online by Tuesday 10 March 2026, 12:00am');

    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(`${t.baseUrl}/events/${event.slug}`);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(/\/book\?/);
      await expect(page.evaluate<string>('document.activeElement.className')).resolves.toBe('error-summary');
      const summary = await page.locator('.error-summary').boundingBox();
      expect(summary).not.toBeNull();
      expect(summary!.y).toBeGreaterThanOrEqual(0);
      expect(summary!.y + summary!.height).toBeLessThanOrEqual(800);
      await page.getByRole('link', { name: 'Choose at least one place' }).click();
      await expect(page.evaluate<string>('document.activeElement.id')).resolves.toBe(`qty-${event.ticketTypeIds[0]}`);
    }
    expect(await lookAt(page, 'event-no-places')).toEqual([]);
    await page.close();
  }, 90_000);

  it('when a non-member books a member place, is refused, switches that place to the non-member price and pays, then cancels through the confirmation page, then each page says what is true and each email what was refunded', async () => {
    const event = await buildEvent(t.db, { ...paidEvent(), title: 'Seminar: small area estimation' });
    const page = await newPage();
    await page.goto(`${t.baseUrl}/events/${event.slug}`);
    await page.selectOption(`select[name="qty_${event.ticketTypeIds[0]}"]`, '1');
    await page.selectOption(`select[name="qty_${event.ticketTypeIds[1]}"]`, '1');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/book\?/);

    // The terms sit right above "Continue to payment".
    const terms = (await page.locator('#terms').boundingBox())!;
    const button = (await page.getByRole('button', { name: 'Continue to payment' }).boundingBox())!;
    expect(button.y).toBeGreaterThan(terms.y + terms.height);
    expect(button.y - (terms.y + terms.height)).toBeLessThan(60);
    await page.getByLabel('Full name').first().fill('Ada Lovelace');
    await page.getByLabel('Email address').first().fill('ada@example.org');
    await page.locator('#field-seat_0_dietary').fill('Vegetarian');
    await page.locator('#field-seat_1_name').fill('Florence Nightingale');
    await page.locator('#field-seat_1_email').fill('florence@example.org');
    expect(await lookAt(page, 'book-form')).toEqual([]);

    // Refused: place 1 is marked and offers the non-member price; what was typed is still there.
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForSelector('.error-summary');
    expect(await lookAt(page, 'book-member-refused')).toEqual([]);
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('events@hsug.test');
    await page.getByRole('link', { name: /^Place 1: ada@example.org is not on the current member list/ }).click();
    await expect(page.evaluate<string>('document.activeElement.id')).resolves.toBe('field-seat_0_type');
    await expect(page.locator('#field-seat_0_dietary').inputValue()).resolves.toBe('Vegetarian');
    await page.getByLabel('Non-member, £95.00').check();
    await page.getByRole('button', { name: 'Continue to payment' }).click();

    await page.waitForURL(`${t.sandbox.url}/checkout/**`);
    expect(await page.textContent('body')).toContain('£190.00');
    await page.getByRole('button', { name: /^Pay/ }).click();
    await page.waitForURL(`${t.baseUrl}/bookings/**`);
    await t.sandbox.flush();
    await page.reload();
    await expect(page.locator('#cancel-heading + p').textContent()).resolves.toContain('Card payments: cancel online by Tuesday 10 March 2026, 12:00am');
    expect(await lookAt(page, 'manage-paid')).toEqual([]);

    // The confirmation page: "Keep my booking" first, the refund after the fee, no JavaScript needed.
    await page.getByRole('link', { name: 'Cancel booking…' }).click();
    await page.waitForURL(/\/cancel\?token=/);
    expect(await lookAt(page, 'cancel-confirm')).toEqual([]);
    await expect(page.locator('main').textContent()).resolves.toContain('We will refund £180.00');
    const order = await page.evaluate<string[]>(`[...document.querySelectorAll('.confirm-actions a, .confirm-actions button')].map((el) => el.textContent.trim())`);
    expect(order).toEqual(['Keep my booking', 'Yes, cancel and refund £180.00']);
    await page.getByRole('button', { name: 'Yes, cancel and refund £180.00' }).click();
    await page.waitForURL(/cancelled=1/);
    await expect(page.locator('main').textContent()).resolves.toContain('Refunded £180.00 (£10.00 cancellation fee kept)');
    expect(await lookAt(page, 'manage-cancelled')).toEqual([]);

    await t.sandbox.flush();
    await t.sendMail();
    const emailPage = await newPage();
    // The buyer's confirmation carries the receipt (issue 15: one email per booking moment).
    const receipt = mailTo('ada@example.org', "You're booked");
    expect(receipt.subject).toContain('(receipt for HSUG-');
    const cancelled = mailTo('ada@example.org', 'Cancelled');
    const refunded = mailTo('ada@example.org', 'Refund for booking');
    expect(refunded.text).toContain('Refunded £180.00 (£10.00 cancellation fee kept).');
    expect(await lookAtEmail(emailPage, String(receipt.html), 'email-receipt')).toEqual([]);
    expect(await lookAtEmail(emailPage, String(cancelled.html), 'email-cancelled')).toEqual([]);
    expect(await lookAtEmail(emailPage, String(refunded.html), 'email-refunded')).toEqual([]);
    await emailPage.close();
    await page.close();
  }, 120_000);

  it('when an invoice booking is opened before its deadline, then the page says how to cancel it by writing, at both widths', async () => {
    const event = await buildEvent(t.db, { ...paidEvent(), title: 'Seminar: invoices' });
    const res = await request(t.baseUrl)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer: { name: 'Mary Seacole', email: 'mary@example.org', organisation: 'NHS Test Trust' }, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: { name: 'Mary Seacole', email: 'mary@example.org' } }], paymentMethod: 'invoice', purchaseOrder: 'PO-9', billingContact: 'Accounts <ap@example.org>', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
    const page = await newPage();
    await page.goto(res.body.booking.manageUrl);
    await expect(page.locator('#contact-heading + p').textContent()).resolves.toContain('Invoice bookings are cancelled by the organisers. If you cancel by Tuesday 10 March 2026, 12:00am');
    expect(await lookAt(page, 'manage-invoice')).toEqual([]);
    await page.close();
    expect(SCREENSHOTS).toBeTruthy();
  }, 60_000);
});
