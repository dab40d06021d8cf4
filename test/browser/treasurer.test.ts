import fs from 'node:fs';
import request from 'supertest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createStaff, PASSWORD } from '../admin/helpers';
import { person } from '../support/factories';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { financeEvent, invoiceBooking, paidBooking } from '../finance/support';

let t: PaymentsTestApp;
let browser: Browser;

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/hsug-screens';

beforeAll(async () => {
  t = await startPaymentsTestApp();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t.close();
});

async function expectHeading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

/** The page itself never scrolls sideways (a wide table scrolls inside its own labelled, focusable region). */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const { scroll, width } = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, width: window.innerWidth })')) as { scroll: number; width: number };
  expect(scroll).toBeLessThanOrEqual(width);
}

/** Every scrolling table region can be reached by keyboard and has a name (what axe's scrollable-region-focusable asks). */
async function expectScrollRegionsReachable(page: Page): Promise<void> {
  const regions = await page.$$eval('.table-scroll', (els) => els.map((el) => ({ tabindex: el.getAttribute('tabindex'), named: Boolean(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) })));
  for (const region of regions) expect(region).toEqual({ tabindex: '0', named: true });
}

async function shoot(page: Page, name: string): Promise<void> {
  await expectNoSidewaysScroll(page);
  await expectScrollRegionsReachable(page);
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  // A phone page is long and narrow: also in screen-sized parts, to look at as a person on a phone sees it.
  const { width, height } = (await page.evaluate('({ width: window.innerWidth, height: document.documentElement.scrollHeight })')) as { width: number; height: number };
  if (width < 500) {
    for (let y = 0, part = 1; y < height && part <= 6; y += 800, part++) {
      await page.screenshot({ path: `${SCREENSHOTS}/${name}-part${part}.png`, fullPage: true, clip: { x: 0, y, width, height: Math.min(800, height - y) } });
    }
  }
}

describe('the treasurer in the browser', () => {
  it('when the treasurer signs in before any sync, then Finance warns; after syncing they explain a donation, attach a payment, and refund through a review, at 1280 and 375 px', async () => {
    // Card payments before any sync; a donation; a booking marked paid whose money came through a payment link; a dispute; an invoice.
    const seminar = await financeEvent(t, 'Spring seminar: survival analysis in practice');
    const conference = await financeEvent(t, 'Annual conference 2026: measuring waiting times, outcomes and inequalities across the four nations', 15000);
    const refundable = await paidBooking(t, seminar, 2);
    await paidBooking(t, conference);
    const disputed = await paidBooking(t, conference);
    t.sandbox.dispute(disputed.chargeId);
    await t.sandbox.flush();
    t.sandbox.createCharge({ amount: 2500, description: 'Donation' });
    const p = person('waiting-browser');
    const waiting = await request(t.baseUrl).post(`/api/v1/events/${seminar.slug}/bookings`).send({ buyer: p, items: [{ ticketTypeId: seminar.ticketTypeIds[0], attendee: p }] }).expect(201);
    await t.db('bookings').where({ reference: waiting.body.booking.reference }).update({ status: 'confirmed' });
    t.sandbox.createCharge({ amount: 9500, description: 'Paid by payment link' });
    t.sandbox.createPayout();
    await invoiceBooking(t, seminar);
    const treasurer = await createStaff(t, 'treasurer');

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${t.baseUrl}/admin`);
    await expectHeading(page, 'Staff sign-in');
    await page.getByLabel('Email address').fill(treasurer.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectHeading(page, 'Finance');
    await page.getByText('Not synced with Stripe yet').waitFor();
    await page.getByText("3 card payments (£490.00) recorded here are not in Stripe's figures below yet").waitFor();
    await shoot(page, 'finance-overview-unsynced-1280');
    await page.getByRole('link', { name: 'Mismatches', exact: true }).click();
    await page.getByText("3 card payments (£490.00) recorded here are not in Stripe's figures below yet").waitFor();
    expect(await page.getByText('Everything matches').count()).toBe(0);
    await shoot(page, 'finance-mismatches-unsynced-1280');

    await page.getByRole('button', { name: 'Sync with Stripe now' }).click();
    await page.getByText('Stripe sync finished.').waitFor();
    await page.getByText('Respond by').first().waitFor();
    await shoot(page, 'finance-mismatches-1280');

    const donation = page.locator('.mismatch', { hasText: '£25.00' });
    await donation.getByRole('link', { name: 'Mark as explained' }).click();
    await expectHeading(page, 'Mark as explained');
    await page.getByRole('button', { name: 'Mark as explained' }).click();
    await page.getByText('Say what this money is').first().waitFor();
    await shoot(page, 'finance-explain-error-1280');
    await page.getByLabel('What is this money?').fill('Donation from the AGM raffle');
    await page.getByRole('button', { name: 'Mark as explained' }).click();
    await page.getByText('Marked as explained.').waitFor();

    await page.getByRole('link', { name: 'Attach to a booking' }).click();
    await expectHeading(page, 'Attach to a booking');
    await shoot(page, 'finance-attach-1280');
    await page.getByLabel(new RegExp(waiting.body.booking.reference)).check();
    await page.getByLabel('Why you are sure').fill('Paid by the payment link after checkout failed; receipt matches');
    await page.getByRole('button', { name: 'Attach to the booking' }).click();
    await page.getByText('Attached to the booking.').waitFor();
    await page.getByText(`Attached to booking ${waiting.body.booking.reference}`).waitFor();
    await shoot(page, 'finance-mismatches-explained-1280');

    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    await page.getByText('Not from a booking (explained)').first().waitFor();
    await shoot(page, 'finance-overview-1280');

    await page.getByRole('link', { name: 'Payouts', exact: true }).click();
    const payoutLink = page.getByRole('link', { name: /paid on 3 Mar 2026$/ });
    await shoot(page, 'finance-payouts-1280');
    await payoutLink.click();
    await expectHeading(page, /^Payout of £[\d,.]+ paid on 3 Mar 2026$/);
    await shoot(page, 'finance-payout-1280');

    await page.goto(`${t.baseUrl}/admin/finance/bookings/${refundable.reference}`);
    await page.getByLabel('Reason (kept in the record and the audit log)').fill('Room too hot');
    await page.getByRole('button', { name: 'Review the refund' }).click();
    await expectHeading(page, `Check the refund for booking ${refundable.reference}`);
    await page.getByText('Refund £190.00 to the card ending 4242').waitFor();
    await shoot(page, 'finance-review-refund-1280');
    expect(await t.db('refunds').where({ booking_id: refundable.bookingId })).toHaveLength(0);
    await page.getByLabel('Amount to refund (£)').fill('50.00');
    await page.getByRole('button', { name: 'Refund £190.00 to the card' }).click();
    await page.getByText('You changed what you are confirming.').waitFor();
    await page.getByText('It is a partial refund: £140.00 is left to refund after it.').waitFor();
    await page.getByRole('button', { name: 'Refund £50.00 to the card' }).click();
    await page.getByText('Refund recorded and requested from Stripe.').waitFor();
    expect(await t.db('refunds').where({ booking_id: refundable.bookingId })).toEqual([expect.objectContaining({ amount: 5000 })]);

    await page.getByRole('link', { name: 'Payments ledger', exact: true }).first().click();
    await shoot(page, 'finance-ledger-1280');
    await page.getByRole('link', { name: 'Exports', exact: true }).click();
    await shoot(page, 'finance-exports-1280');

    // The same pages on a phone.
    const phone = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
    await phone.addCookies(await context.cookies());
    const small = await phone.newPage();
    const payoutPath = new URL(page.url()).pathname === '/admin/finance/exports' ? await payoutHref(small) : '';
    for (const [path, name] of [
      ['/admin/finance', 'finance-overview'],
      ['/admin/finance/mismatches', 'finance-mismatches'],
      ['/admin/finance/payouts', 'finance-payouts'],
      [payoutPath, 'finance-payout'],
      ['/admin/finance/payments', 'finance-ledger'],
      ['/admin/finance/exports', 'finance-exports'],
      [`/admin/finance/bookings/${refundable.reference}`, 'finance-booking'],
    ]) {
      await small.goto(`${t.baseUrl}${path}`);
      await small.getByRole('heading', { level: 1 }).waitFor();
      await shoot(small, `${name}-375`);
    }
    const explainable = await small.goto(`${t.baseUrl}/admin/finance/mismatches`);
    expect(explainable?.status()).toBe(200);
    await small.goto(`${t.baseUrl}/admin/finance/bookings/${refundable.reference}`);
    await small.getByLabel('Reason (kept in the record and the audit log)').fill('Goodwill');
    await small.getByRole('button', { name: 'Review the refund' }).click();
    await small.getByText('What will happen').waitFor();
    await shoot(small, 'finance-review-refund-375');
    await phone.close();
    await context.close();
  }, 120_000);
});

/** The first payout's page, as the payouts list links it. */
async function payoutHref(page: Page): Promise<string> {
  await page.goto(`${t.baseUrl}/admin/finance/payouts`);
  return (await page.getByRole('link', { name: /paid on/ }).first().getAttribute('href'))!;
}
