import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { createStaff, PASSWORD } from '../admin/helpers';
import { buildEvent } from '../support/factories';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { pdfText } from '../support/pdf-text';
import { launchChromium, lookAt, SCREENSHOTS } from './page-checks';

/**
 * Issue 11 in a browser: a buyer books by invoice on the booking form, then downloads the invoice from their booking
 * page; the treasurer sees it on the documents list. Every page is looked at (axe, 320/375/1280 px) and screenshotted.
 */

let t: PaymentsTestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startPaymentsTestApp({ env: { INVOICE_ACCOUNT_NAME: 'Health Statistics User Group', INVOICE_SORT_CODE: '12-34-56', INVOICE_ACCOUNT_NUMBER: '12345678', ORG_ADDRESS: 'c/o Royal Statistical Society, 12 Errol Street, London EC1Y 8LX', VAT_NUMBER: 'GB123456789' } });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await t.close();
});

describe('finance documents in a browser', () => {
  it('when a buyer books by invoice and downloads the invoice from the booking page, then it is the invoice; the treasurer sees it on the documents list', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Standard', price: 9500 }]), title: 'Seminar: NHS waiting lists' });
    const page: Page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });

    // The booking form: one place, by invoice, first without the billing address.
    await page.goto(`${t.baseUrl}/events/${event.slug}/book?qty_${event.ticketTypeIds[0]}=1`);
    await page.locator('#field-buyer_name').fill('Grace Hopper');
    await page.locator('#field-buyer_email').fill('grace.hopper@example.org');
    await page.locator('#field-buyer_organisation').fill('Leeds Teaching Hospitals NHS Trust');
    await page.getByLabel('Invoice my organisation (purchase order needed)').check();
    await page.getByLabel('Purchase order number').fill('PO-77123');
    await page.getByLabel('Billing contact name').fill('Accounts Payable');
    await page.getByLabel('Billing email address').fill('ap@leeds.nhs.test');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await page.locator('.error-summary').textContent()).toContain('Enter the billing postal address for the invoice');
    await expect(page.getByLabel('Purchase order number').inputValue()).resolves.toBe('PO-77123');
    expect(await lookAt(page, 'documents-form-error')).toEqual([]);
    await page.getByLabel('Billing postal address').fill('St James’s University Hospital\nBeckett Street\nLeeds LS9 7TF');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL(/\/bookings\/HSUG-/);

    // The booking page: the invoice to download.
    const link = page.getByRole('link', { name: /^Download Invoice HSUG-\d{4}-\d{4} \(PDF\)$/ });
    await link.waitFor();
    expect(await lookAt(page, 'documents-manage')).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = `${SCREENSHOTS}/documents-downloaded.pdf`;
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await download.saveAs(file);
    const { text } = await pdfText(fs.readFileSync(file));
    const seen = text.replace(/\s+/g, ' ');
    const number = /Invoice (HSUG-\d{4}-\d{4})/.exec(seen)![1];
    expect(download.suggestedFilename()).toBe(`invoice-${number}.pdf`);
    expect(seen).toContain('Purchase order: PO-77123');
    expect(seen).toContain(`Payment reference: ${number}`);
    expect(seen).toContain('Net: £79.17 VAT at 20%: £15.83 Total (gross): £95.00');

    // The treasurer: the documents list.
    const treasurer = await createStaff(t, 'treasurer');
    const staff = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await staff.goto(`${t.baseUrl}/admin`);
    await staff.getByLabel('Email address').fill(treasurer.email);
    await staff.getByLabel('Password').fill(PASSWORD);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff.getByRole('heading', { level: 1, name: 'Finance' }).waitFor();
    await staff.getByRole('link', { name: 'Documents' }).click();
    await staff.getByRole('heading', { level: 1, name: /^Documents, financial year/ }).waitFor();
    const row = staff.getByRole('row', { name: new RegExp(number) });
    await expect(row.textContent()).resolves.toContain('Outstanding: £95.00');
    expect(await lookAt(staff, 'documents-treasurer-list')).toEqual([]);
  });
});
