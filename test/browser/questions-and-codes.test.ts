import type { Browser } from 'playwright-core';
import { buildCode, buildQuestion } from '../support/codes';
import { buildEvent } from '../support/factories';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { launchChromium, lookAt } from './page-checks';

/**
 * Issue 18 in a browser: a conditional registration question (no JavaScript needed) and a discount code on the
 * booking form, their errors beside them, then paying the discounted price; axe clean at every width.
 */

let t: PaymentsTestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t.close();
});

describe('booking with a conditional question and a discount code in a browser', () => {
  it('when a buyer says yes to the dinner, forgets the menu, mistypes the code, then puts both right and pays, then the discounted booking shows their answers', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Non-member', price: 29500 }]), kind: 'conference', title: 'HSUG Conference: statistics for a changing health service' });
    const dinner = await buildQuestion(t.db, event.id, { kind: 'yes_no', label: 'Will you come to the conference dinner?', position: 1 });
    await buildQuestion(t.db, event.id, { kind: 'single_choice', label: 'Which dinner menu would you like?', options: ['Meat', 'Fish', 'Vegetarian'], conditionQuestionId: dinner, conditionValue: 'yes', position: 2 });
    await buildQuestion(t.db, event.id, { scope: 'attendee', kind: 'multiple_choice', label: 'Which sessions will you attend?', options: ['Methods', 'Data linkage'], isRequired: false, position: 3 });
    await buildCode(t.db, { code: 'BROWSER20', eventId: event.id, kind: 'percent', percent: 20 });

    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/events/${event.slug}`);
    await page.selectOption(`select[name="qty_${event.ticketTypeIds[0]}"]`, '1');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(/\/book\?/);
    // The conditional question is on the page without JavaScript, with its note.
    await expect(page.locator('main').textContent()).resolves.toContain('Answer this only if you answered “yes” to “Will you come to the conference dinner?”.');
    expect(await lookAt(page, 'codes-book-form')).toEqual([]);

    await page.getByLabel('Full name').first().fill('Ada Lovelace');
    await page.getByLabel('Email address').first().fill('ada@example.org');
    await page.getByLabel('Data linkage').check();
    await page.getByRole('radio', { name: 'Yes' }).check();
    await page.getByLabel('Discount code').fill('BROWSER2O');
    await page.getByRole('button', { name: 'Continue to payment' }).click();

    // 422: the menu is required once the answer is yes; everything typed is kept.
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Choose an answer to “Which dinner menu would you like?”');
    await expect(page.getByRole('radio', { name: 'Yes' }).isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Data linkage').isChecked()).resolves.toBe(true);
    await expect(page.getByLabel('Discount code').inputValue()).resolves.toBe('BROWSER2O');
    expect(await lookAt(page, 'codes-book-missing-answer')).toEqual([]);

    await page.getByRole('radio', { name: 'Fish' }).check();
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    // 409: the mistyped code, beside its field.
    await expect(page.locator('#field-discount_code-error').textContent()).resolves.toContain('We do not recognise the code “BROWSER2O” for this event.');
    await expect(page.getByRole('radio', { name: 'Fish' }).isChecked()).resolves.toBe(true);
    expect(await lookAt(page, 'codes-book-wrong-code')).toEqual([]);

    await page.getByLabel('Discount code').fill('browser20');
    await page.getByRole('button', { name: 'Apply code' }).click();
    // The price shown on the form is now the discounted one; nothing is booked yet and everything typed is kept.
    await expect(page.locator('#discount-applied').textContent()).resolves.toContain('Code BROWSER20 applied: £59.00 off.');
    await expect(page.locator('main').textContent()).resolves.toContain('Total: £236.00');
    await expect(page.getByRole('radio', { name: 'Fish' }).isChecked()).resolves.toBe(true);
    expect(await lookAt(page, 'codes-book-applied')).toEqual([]);
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL(`${t.sandbox.url}/checkout/**`);
    const checkout = await page.textContent('body');
    expect(checkout).toContain('£236.00');
    expect(checkout).toContain('code BROWSER20: £59.00 off £295.00 each');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? '/tmp/hsug-screens'}/codes-checkout-1280.png`, fullPage: true });
    await page.getByRole('button', { name: /^Pay/ }).click();

    await page.waitForURL(`${t.baseUrl}/bookings/**`);
    const main = await page.textContent('main');
    expect(main).toContain('BROWSER20: £59.00 off');
    expect(main).toContain('£236.00 — Paid by card');
    expect(main).toContain('Which dinner menu would you like?');
    expect(main).toContain('Fish');
    expect(main).toContain('Which sessions will you attend? — Data linkage');
    expect(await lookAt(page, 'codes-booked')).toEqual([]);
    await page.close();
  }, 90_000);
});
