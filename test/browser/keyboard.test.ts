import type { Browser, Page } from 'playwright-core';
import { buildEvent } from '../support/factories';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { lookAt, launchChromium } from './page-checks';

/**
 * Issue 17, "Proof": with the keyboard alone, a person books a free meeting, books and pays for a paid seminar on the
 * sandbox, and cancels. On every page on the way, Tab reaches every control, in order, and each one shows a visible
 * focus indicator (WCAG 2.2 2.1.1 Keyboard, 2.4.7 Focus Visible).
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

interface Stop {
  key: string;
  visible: boolean;
}

// Runs in the page: what the focused element is (a key to compare with the list of controls) and whether its focus shows.
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const key = [...document.querySelectorAll('*')].indexOf(el) + ' ' + el.tagName.toLowerCase() + ' ' + (el.id || el.getAttribute('name') || el.getAttribute('href') || (el.textContent || '').trim().slice(0, 40)).slice(0, 60);
  const style = getComputedStyle(el);
  const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
  return { key, visible };
})()`;

// Every control a keyboard user must be able to reach: visible, enabled, not taken out of the tab order.
const CONTROLS = `[...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')]
  .filter((el) => !el.disabled && el.getAttribute('tabindex') !== '-1' && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
  .filter((el) => !(el.type === 'radio' && !el.checked && document.querySelector('input[type=radio][name="' + el.name + '"]:checked')))
  .map((el) => [...document.querySelectorAll('*')].indexOf(el) + ' ' + el.tagName.toLowerCase() + ' ' + (el.id || el.getAttribute('name') || el.getAttribute('href') || (el.textContent || '').trim().slice(0, 40)).slice(0, 60))`;

/**
 * Tabs through the whole page from the top, and returns the problems: a control never reached, a stop without a
 * visible focus indicator. Radio groups are one stop (the checked one), as browsers make them.
 */
async function walkPage(page: Page, name: string): Promise<string[]> {
  await page.evaluate('document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)');
  await page.locator('body').focus();
  const controls = new Set(await page.evaluate<string[]>(CONTROLS));
  const reached = new Set<string>();
  const problems: string[] = [];
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate<Stop | null>(FOCUSED);
    if (!stop) break;
    if (reached.has(stop.key)) break;
    reached.add(stop.key);
    if (!stop.visible) problems.push(`${name}: no visible focus on ${stop.key}`);
  }
  for (const control of controls) if (!reached.has(control)) problems.push(`${name}: Tab never reaches ${control}`);
  return problems;
}

/** Presses Tab until the focused element matches `selector`; fails if it never does. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    if (await page.evaluate<boolean>(`document.activeElement && document.activeElement.matches(${JSON.stringify(selector)})`)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function typeInto(page: Page, selector: string, text: string): Promise<void> {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

describe('with the keyboard alone', () => {
  it('when a person books a free meeting and cancels it, then every control on every page is reached with a visible focus', async () => {
    const event = await buildEvent(t.db, { title: 'Keyboard evening meeting' });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    await page.goto(`${t.baseUrl}/events/${event.slug}`);
    problems.push(...(await walkPage(page, 'event page')));

    await page.locator('body').focus();
    await typeInto(page, '#field-name', 'Kay Board');
    await typeInto(page, '#field-email', 'kay@example.org');
    await tabTo(page, 'form[action*="/register"] button[type=submit]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/bookings\/HSUG-/);
    problems.push(...(await walkPage(page, 'booking page')));

    await page.locator('body').focus();
    await tabTo(page, 'a[href*="/cancel"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/cancel/);
    problems.push(...(await walkPage(page, 'cancel confirmation')));
    await page.locator('body').focus();
    await tabTo(page, 'form button.button-danger, form button[type=submit].button-danger');
    await page.keyboard.press('Enter');
    await page.getByText(/cancelled/i).first().waitFor();
    expect(await t.db('bookings').where({ buyer_email_normalised: 'kay@example.org' }).first('status')).toEqual({ status: 'cancelled' });
    expect(await lookAt(page, 'keyboard-cancelled')).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('when a person books and pays for a seminar on the sandbox, then the booking form, the payment step and the booking are all reachable by keyboard', async () => {
    const event = await buildEvent(t.db, { ...paidEvent(), title: 'Keyboard seminar' });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    await page.goto(`${t.baseUrl}/events/${event.slug}`);
    await page.locator('body').focus();
    await tabTo(page, `select[name="qty_${event.ticketTypeIds[1]}"]`);
    await page.keyboard.press('ArrowDown');
    await tabTo(page, 'form.quantities button[type=submit]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/book\?/);
    problems.push(...(await walkPage(page, 'booking form')));

    await page.locator('body').focus();
    await typeInto(page, 'input[name="buyer_name"], #field-buyer_name', 'Kay Board');
    await typeInto(page, 'input[name="buyer_email"], #field-buyer_email', 'kay.paid@example.org');
    await typeInto(page, '#field-seat_0_name', 'Kay Board');
    await typeInto(page, '#field-seat_0_email', 'kay.paid@example.org');
    await tabTo(page, 'form button[type=submit]:not([name])');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.sandbox.url}/checkout/**`);
    await page.locator('body').focus();
    await tabTo(page, 'button');
    for (let i = 0; i < 5 && !/^Pay/.test((await page.evaluate<string>('document.activeElement.textContent || ""')).trim()); i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${t.baseUrl}/bookings/**`);
    expect(await page.textContent('main')).toContain("Payment received — you're booked.");
    problems.push(...(await walkPage(page, 'paid booking page')));
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);

  it('when a page hides its focus ring or puts a control out of reach, then the walk reports both (the check can fail)', async () => {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html lang="en"><body><main><a href="#a" style="outline:none">Plain link</a><div inert><button>Unreachable</button></div></main></body></html>');
    const problems = await walkPage(page, 'bad page');
    expect(problems.some((p) => /no visible focus on \d+ a #a$/.test(p))).toBe(true);
    expect(problems.some((p) => /Tab never reaches .*Unreachable/.test(p))).toBe(true);
    await page.close();
  });
});
