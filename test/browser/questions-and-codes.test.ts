import type { Browser } from 'playwright-core';
import { createStaff, PASSWORD } from '../admin/helpers';
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

    // A hidden speaker ticket: the event page offers a code field for it, and does not list it.
    await t.db('ticket_types').insert({ event_id: event.id, name: 'Speaker', price: 29500, currency: 'GBP', is_hidden: true, position: 5 });
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/events/${event.slug}`);
    await expect(page.getByLabel('Have a code for a place not listed here (speakers, chairs)?').count()).resolves.toBe(1);
    expect(await lookAt(page, 'codes-event-page')).toEqual([]);
    // A wrong code there is said beside that field, the code typed kept.
    await page.getByLabel('Have a code for a place not listed here (speakers, chairs)?').fill('NOTATALK');
    await page.getByRole('button', { name: 'Use the code' }).click();
    await expect(page.locator('#field-code-place-error').textContent()).resolves.toContain('We do not recognise the code “NOTATALK” for this event.');
    await expect(page.getByLabel('Have a code for a place not listed here (speakers, chairs)?').inputValue()).resolves.toBe('NOTATALK');
    expect(await lookAt(page, 'codes-event-page-wrong-code')).toEqual([]);
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

  it('when a buyer presses Enter in a field of the booking form, then it books (as the main button does), and Apply code still works from the keyboard', async () => {
    const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Non-member', price: 9500 }]), title: 'Seminar: pressing Enter on the booking form' });
    await buildCode(t.db, { code: `ENTER10-${event.id}`, eventId: event.id, kind: 'percent', percent: 10 });
    const page = await browser.newPage();
    await page.goto(`${t.baseUrl}/events/${event.slug}/book?qty_${event.ticketTypeIds[0]}=1`);

    // Apply code by keyboard: focus the button and press Enter; the price after the code is shown, nothing is booked.
    await page.getByLabel('Full name').first().fill('Grace Hopper');
    await page.getByLabel('Email address').first().fill(`grace-enter-${event.id}@example.org`);
    await page.getByLabel('Discount code').fill(`enter10-${event.id}`);
    await page.getByRole('button', { name: 'Apply code' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('#discount-applied').textContent()).resolves.toContain('£9.50 off');
    await expect(page.getByLabel('Full name').first().inputValue()).resolves.toBe('Grace Hopper');
    expect(Number((await t.db('bookings').where({ event_id: event.id }).count({ n: '*' }).first())?.n)).toBe(0);
    expect(await lookAt(page, 'codes-book-enter-applied')).toEqual([]);

    // Enter in the name field books, like "Continue to payment": the buyer lands on the checkout at the discounted price.
    await page.getByLabel('Full name').first().press('Enter');
    await page.waitForURL(`${t.sandbox.url}/checkout/**`);
    expect(await page.textContent('body')).toContain('£85.50');
    expect(await t.db('bookings').where({ event_id: event.id }).select('status', 'total', 'discount_code')).toEqual([{ status: 'pending_payment', total: 8550, discount_code: `ENTER10-${event.id}` }]);
    await page.close();
  }, 60_000);

  it('when an organiser builds a question and a code and slips up on each form, then every page is axe clean with the errors beside the fields', async () => {
    const event = await buildEvent(t.db, { ...paidEvent(), title: 'Seminar: linking hospital and mortality data' });
    const staff = await createStaff(t, 'organiser');
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${t.baseUrl}/admin/sign-in`);
    await page.getByLabel('Email address').fill(staff.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/admin/sign-in'));

    await page.goto(`${t.baseUrl}/admin/events/${event.slug}/questions/new`);
    await page.getByLabel('Question', { exact: true }).fill('Which table at the networking?');
    await page.getByLabel('Kind of answer').selectOption('single_choice');
    await page.getByLabel('Answers to choose from').fill('Methods');
    await page.getByRole('button', { name: 'Save question' }).click();
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Give at least two answers to choose from');
    expect(await lookAt(page, 'codes-admin-question-error')).toEqual([]);
    await page.getByLabel('Answers to choose from').fill('Methods\nData linkage');
    await page.getByRole('button', { name: 'Save question' }).click();
    await page.waitForURL(/questions\?notice=added/);
    expect(await lookAt(page, 'codes-admin-questions')).toEqual([]);

    await page.goto(`${t.baseUrl}/admin/events/${event.slug}/codes/new`);
    await page.getByLabel('Code', { exact: true }).fill('SEMINAR10');
    await page.getByLabel('A fixed amount off each place').check();
    await page.getByRole('button', { name: 'Create code' }).click();
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Enter the amount off each place in pounds');
    expect(await lookAt(page, 'codes-admin-code-error')).toEqual([]);
    await page.getByLabel('Amount off each place (£)').fill('10.00');
    await page.getByLabel('Places in all').fill('20');
    await page.getByRole('button', { name: 'Create code' }).click();
    await page.waitForURL(/codes\?notice=created/);
    await expect(page.locator('main').textContent()).resolves.toContain('SEMINAR10');
    expect(await lookAt(page, 'codes-admin-codes')).toEqual([]);
    await context.close();
  }, 90_000);
});
