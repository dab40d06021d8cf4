import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';
import { createStaff, PASSWORD } from '../admin/helpers';
import { lookAt, launchChromium } from './page-checks';

/**
 * Issue 20 in Chromium at 375 and 1280 px, with axe: a visitor subscribes from the home page, confirms from the email,
 * an organiser publishes an event with the announcement preview, the visitor receives it and unsubscribes from it.
 */

let t: TestApp;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  server.close();
  await t.close();
});

/** The first link in the newest email to `to` that starts with `prefix`, pointed at this test's server. */
function linkFromMail(to: string, prefix: string): string {
  const mail = [...t.smtp.messages].reverse().find((m) => JSON.stringify(m.to).includes(to));
  const match = new RegExp(`${prefix.replace(/[/.]/g, '\\$&')}[A-Za-z0-9_\\-/]+`).exec(mail?.text ?? '');
  if (!match) throw new Error(`no ${prefix} link in the email to ${to}`);
  return match[0].replace('http://events.test', base);
}

async function showEmail(page: Page, to: string, name: string): Promise<string[]> {
  const mail = [...t.smtp.messages].reverse().find((m) => JSON.stringify(m.to).includes(to));
  await page.setContent(String(mail?.html));
  return lookAt(page, name, { isEmail: true });
}

describe('announcements in a browser', () => {
  it('when a visitor subscribes to London events and an organiser publishes a London meeting with the announcement, then the visitor gets it and can unsubscribe from it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/`);
    const box = page.locator('.subscribe-box');
    await box.getByLabel('Email to send announcements to').fill('ann@nhs.example');
    await box.getByLabel('Only the kinds and regions I tick:').check();
    await box.getByLabel('London').check();
    expect(await lookAt(page, 'subscribe-home')).toEqual([]);
    await box.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    expect(await lookAt(page, 'subscribe-check-email')).toEqual([]);

    // A mistake on the full form keeps what was typed and puts the problem first.
    await page.goto(`${base}/subscribe`);
    await page.getByLabel('Email address').fill('ann@');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await page.getByLabel('Email address').inputValue()).toBe('ann@');
    expect(await lookAt(page, 'subscribe-error')).toEqual([]);

    await t.sendMail();
    expect(await showEmail(page, 'ann@nhs.example', 'email-subscription-confirm')).toEqual([]);
    await page.goto(linkFromMail('ann@nhs.example', 'http://events.test/subscriptions/confirm/'));
    expect(await lookAt(page, 'subscribe-confirm')).toEqual([]);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('You are subscribed.').waitFor();
    expect(await lookAt(page, 'subscribe-choices')).toEqual([]);

    const event = await buildEvent(t.db, { status: 'draft', title: 'Waiting times in London', region: 'london' });
    const organiser = await createStaff(t, 'organiser');
    const staff = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await staff.goto(`${base}/admin/events/${event.slug}`);
    await staff.getByLabel('Email address').fill(organiser.email);
    await staff.getByLabel('Password').fill(PASSWORD);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff.getByRole('link', { name: 'Publish…' }).click();
    await staff.getByText('1 subscriber follows evening meetings or London').waitFor();
    await staff.getByText('Subject: New HSUG event: Waiting times in London').waitFor();
    expect(await lookAt(staff, 'announce-publish-step')).toEqual([]);
    await staff.getByRole('button', { name: 'Publish and announce to 1 subscriber' }).click();
    await staff.getByText('Announced to subscribers: 1 email is on their way.').waitFor();
    expect(await lookAt(staff, 'announce-event-page')).toEqual([]);

    await t.sendMail();
    expect(await showEmail(page, 'ann@nhs.example', 'email-announcement')).toEqual([]);
    await page.getByRole('link', { name: 'Change what you hear about, or unsubscribe' }).waitFor();
    await page.goto(linkFromMail('ann@nhs.example', 'http://events.test/subscriptions/'));
    await page.getByRole('heading', { name: 'Your announcement choices' }).waitFor();
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'You have unsubscribed' }).waitFor();
    expect(await lookAt(page, 'subscribe-unsubscribed')).toEqual([]);
    expect(await t.db('subscribers').where({ email: 'ann@nhs.example' }).first()).toBeUndefined();
  });
});
