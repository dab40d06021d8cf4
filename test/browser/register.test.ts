import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';
import { inviteOf } from '../support/ical';

/** Debian's Chromium; a browser is never downloaded (`apt-get install -y chromium` provides it). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

let t: TestApp;
let server: Server;
let browser: Browser;
let page: Page;
let base: string;

beforeAll(async () => {
  t = await startTestApp();
  await buildEvent(t.db, { slug: 'london-evening', title: 'Waiting times in London', region: 'london', startsAt: '2026-03-17T18:00:00Z' });
  await buildEvent(t.db, {
    slug: 'edinburgh-evening', title: 'Inside the Scottish Health Survey', region: 'scotland', startsAt: '2026-03-31T17:00:00Z',
    venue: 'Edinburgh Futures Institute', address: '1 Lauriston Place, Edinburgh EH3 9EF',
  });
  server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

describe('registering in a browser', () => {
  it('when a visitor filters by region, opens an evening meeting and registers, then they see "You\'re registered" and get an invitation', async () => {
    // The home page, filtered to Scotland
    await page.goto(`${base}/`);
    await page.getByLabel('Region', { exact: true }).selectOption('scotland');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/region=scotland/);
    await expect(page.getByRole('link', { name: 'Waiting times in London' }).count()).resolves.toBe(0);

    // The evening meeting's page
    await page.getByRole('link', { name: 'Inside the Scottish Health Survey' }).click();
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Inside the Scottish Health Survey');
    await expect(page.locator('.facts').textContent()).resolves.toContain('6:00pm – 8:00pm BST');

    // An empty form shows the problems beside the fields
    await page.getByRole('button', { name: 'Register' }).click();
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('There is a problem');
    await expect(page.getByLabel('Full name').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#field-name-error').textContent()).resolves.toContain('Enter your name');

    // Filled in, it registers
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.locator('#field-email').fill('ada@example.org');
    await page.getByLabel('Organisation').fill('Public Health Scotland');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL(/\/bookings\/HSUG-/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain("You're registered.");

    // The invitation arrives
    await t.sendMail();
    const [mail] = await t.smtp.waitFor(1);
    expect(mail.subject).toBe("You're booked: Inside the Scottish Health Survey");
    expect(inviteOf(mail).start.toISOString()).toBe('2026-03-31T17:00:00.000Z');
    const manage = new URL(page.url());
    expect(mail.text).toContain(`http://events.test${manage.pathname}?token=${manage.searchParams.get('token')}`);
  }, 60_000);

  it('when a keyboard user tabs into the page, then the first stop is a visible skip link to the main content', async () => {
    await page.goto(`${base}/`);
    await page.keyboard.press('Tab');
    // A string, so the test needs no DOM types: it runs in the page.
    const focused = await page.evaluate<{ text: string; href: string; left: number; outline: string }>(`(() => {
      const el = document.activeElement;
      return { text: el.textContent, href: el.getAttribute('href'), left: el.getBoundingClientRect().left, outline: getComputedStyle(el).outlineStyle };
    })()`);
    expect(focused).toMatchObject({ text: 'Skip to main content', href: '#main', outline: 'solid' });
    expect(focused.left).toBeGreaterThanOrEqual(0);
    await page.keyboard.press('Enter');
    await expect(page.evaluate<string>('document.activeElement.id')).resolves.toBe('main');
  });
});
