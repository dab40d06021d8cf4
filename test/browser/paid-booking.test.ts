import { chromium, type Browser } from 'playwright-core';
import { buildEvent } from '../support/factories';
import { inviteOf } from '../support/ical';
import { lookAt } from './page-checks';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

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

describe('booking a charged seminar in a browser', () => {
  it('when a buyer books two places and presses Pay on the test payment page, then they land on a confirmed booking and both attendees are invited', async () => {
    const event = await buildEvent(t.db, { ...paidEvent(), title: 'Seminar: small area estimation' });
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/events/${event.slug}`);
    await page.selectOption(`select[name="qty_${event.ticketTypeIds[1]}"]`, '2');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByLabel('Full name').first().fill('Ada Lovelace');
    await page.getByLabel('Email address').first().fill('ada@example.org');
    await page.locator('#field-seat_1_name').fill('Florence Nightingale');
    await page.locator('#field-seat_1_email').fill('florence@example.org');
    await page.getByRole('button', { name: 'Continue to payment' }).click();

    await page.waitForURL(`${t.sandbox.url}/checkout/**`);
    expect(await page.textContent('body')).toContain('TEST PAYMENT');
    expect(await page.textContent('body')).toContain('£190.00');
    await page.getByRole('button', { name: /^Pay/ }).click();

    await page.waitForURL(`${t.baseUrl}/bookings/**`);
    const body = await page.textContent('main');
    expect(body).toContain("Payment received — you're booked.");
    expect(body).toContain('£190.00 — Paid by card');

    await t.sandbox.flush();
    await t.sendMail();
    const invited = t.smtp.messages.filter((m) => m.subject?.startsWith("You're booked")).map((m) => inviteOf(m).attendees[0].toLowerCase());
    expect(invited.sort()).toEqual(['mailto:ada@example.org', 'mailto:florence@example.org']);
    await page.close();
  }, 60_000);

  it('when the test payment page shows a long line (a conference ticket with its discount), then it reflows at 320 and 375 px without scrolling sideways and passes the accessibility checks, declined too', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Non-member', price: 29500 }]), kind: 'conference', title: 'HSUG Conference 2027: statistics for a changing health service' });
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/events/${event.slug}/book?qty_${event.ticketTypeIds[0]}=1`);
    await page.getByLabel('Full name').first().fill('Ada Lovelace');
    await page.getByLabel('Email address').first().fill('ada-long@example.org');
    await page.getByRole('button', { name: 'Continue to payment' }).last().click();
    await page.waitForURL(`${t.sandbox.url}/checkout/**`);
    expect(await lookAt(page, 'sandbox-checkout-long-line')).toEqual([]);
    await page.getByRole('button', { name: 'Decline' }).click();
    await expect(page.textContent('body')).resolves.toContain('Your card was declined.');
    expect(await lookAt(page, 'sandbox-checkout-declined')).toEqual([]);
    await page.close();
  }, 60_000);
});
