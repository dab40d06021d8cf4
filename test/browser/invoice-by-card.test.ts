import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { buildEvent, person } from '../support/factories';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { launchChromium, lookAt } from './page-checks';

/**
 * Issue 11, "pay by card instead", in a browser: the buyer of an invoice booking opens their booking page, follows
 * "Pay £95.00 by card instead", pays on the sandbox's test payment page and comes back to a paid invoice. Every page
 * is looked at (axe, 320/375/1280 px) and screenshotted.
 */

let t: PaymentsTestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startPaymentsTestApp({ env: { INVOICE_ACCOUNT_NAME: 'Health Statistics User Group', INVOICE_SORT_CODE: '12-34-56', INVOICE_ACCOUNT_NUMBER: '12345678', ORG_ADDRESS: 'c/o Royal Statistical Society, 12 Errol Street, London EC1Y 8LX' } });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t.close();
});

describe('paying an invoice by card in a browser', () => {
  it('when the buyer pays their invoice by card from the booking page, then they come back to a paid invoice and the page no longer offers to pay', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 9500 }]), title: 'Seminar: hospital episode statistics' });
    const buyer = { ...person('card-instead'), organisation: 'Leeds Teaching Hospitals NHS Trust' };
    const res = await request(t.baseUrl)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: person('card-instead') }], paymentMethod: 'invoice', purchaseOrder: 'PO-5150', billingContact: 'Accounts Payable', billingEmail: 'ap@leeds.nhs.test', billingAddress: 'Beckett Street\nLeeds LS9 7TF' })
      .expect(201);
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 } });

    await page.goto(res.body.booking.manageUrl);
    const payLink = page.getByRole('link', { name: 'Pay £95.00 by card instead' });
    await payLink.waitFor();
    expect(await lookAt(page, 'invoice-card-manage')).toEqual([]);
    await payLink.click();

    await page.getByRole('heading', { level: 1, name: 'Pay £95.00 by card instead' }).waitFor();
    expect(await lookAt(page, 'invoice-card-pay')).toEqual([]);
    await page.getByRole('button', { name: 'Pay £95.00 by card' }).click();

    await page.waitForURL(`${t.sandbox.url}/checkout/**`);
    await page.getByRole('button', { name: /^Pay/ }).click();
    await page.waitForURL(/\/pay-invoice\?token=.*&paid=1/);
    await t.sandbox.flush();
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Payment received' }).waitFor();
    expect(await page.locator('main').textContent()).toContain('the invoice is paid');
    expect(await lookAt(page, 'invoice-card-paid')).toEqual([]);

    const booking = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
    expect(booking).toMatchObject({ status: 'confirmed', invoice_status: 'paid' });
    expect(await t.db('payments').where({ booking_id: booking.id, method: 'card' })).toHaveLength(1);

    await page.goto(res.body.booking.manageUrl);
    await page.getByRole('link', { name: /^Download Receipt HSUG-R-/ }).waitFor();
    expect(await page.getByRole('link', { name: /by card instead/ }).count()).toBe(0);
  });
});
