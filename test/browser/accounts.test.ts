import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { createStaff, linkPathIn, PASSWORD, totpCode } from '../admin/helpers';

let t: TestApp;
let server: Server;
let base: string;
let browser: Browser;

const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? '/tmp/hsug-screens';

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  server.close();
  await t.close();
});

/** A phone 375 px wide with JavaScript switched off: every step must work by plain forms and links. */
async function phone(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, javaScriptEnabled: false, isMobile: true, deviceScaleFactor: 2 });
  return context.newPage();
}

/** The page fits the phone: nothing sticks out sideways (tables scroll inside their own box). */
async function expectFits(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}-375.png`, fullPage: true });
  const width = await page.evaluate<number>('document.documentElement.scrollWidth');
  expect({ page: name, width }).toEqual({ page: name, width: 375 });
}

async function heading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

describe('staff accounts on a phone without JavaScript', () => {
  it('when an administrator invites someone and they set their password and two-factor sign-in, then every page works at 375 px', async () => {
    const admin = await createStaff(t, 'admin');
    const adminPage = await phone();
    await adminPage.goto(`${base}/admin/sign-in`);
    await expectFits(adminPage, 'sign-in');
    await adminPage.getByLabel('Email address').fill(admin.email);
    await adminPage.getByLabel('Password').fill(PASSWORD);
    await adminPage.getByRole('button', { name: 'Sign in' }).click();
    await heading(adminPage, 'Events');

    await adminPage.goto(`${base}/admin/users`);
    await heading(adminPage, 'Staff accounts');
    await expectFits(adminPage, 'staff-accounts');
    await adminPage.getByRole('link', { name: 'Invite someone' }).first().click();
    await heading(adminPage, 'Invite someone');
    await adminPage.getByLabel('Name').fill('Petra Phone');
    await adminPage.getByLabel('Email address').fill('petra@hsug.test');
    await adminPage.getByLabel('Treasurer').check();
    await expectFits(adminPage, 'invite');
    await adminPage.getByRole('button', { name: 'Send invitation' }).click();
    await adminPage.getByText('Invitation sent.').waitFor();
    await heading(adminPage, 'Petra Phone');
    await expectFits(adminPage, 'staff-person');

    await t.sendMail();
    const mail = t.smtp.messages.find((m) => m.subject?.startsWith('You are invited'));
    const invitee = await phone();
    await invitee.goto(`${base}${linkPathIn(mail?.text)}`);
    await heading(invitee, 'Choose your password');
    await expectFits(invitee, 'set-password');
    await invitee.getByLabel('New password').fill('petra picks a long passphrase');
    await invitee.getByLabel('Type it again').fill('petra picks a long passphrase');
    await invitee.getByRole('button', { name: 'Set password' }).click();
    await invitee.getByText('Your password is set. Sign in with it now.').waitFor();
    await invitee.getByLabel('Email address').fill('petra@hsug.test');
    await invitee.getByLabel('Password').fill('petra picks a long passphrase');
    await invitee.getByRole('button', { name: 'Sign in' }).click();
    // A treasurer lands on the finance pages (issue 16).
    await heading(invitee, 'Finance');

    await invitee.getByRole('link', { name: 'Your account' }).click();
    await heading(invitee, 'Your account');
    await expectFits(invitee, 'account');
    await invitee.getByRole('link', { name: 'Set up two-factor sign-in' }).click();
    await invitee.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    await invitee.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    const image = await invitee.locator('.qr-code img').evaluate((img) => ({ complete: (img as unknown as { complete: boolean }).complete, width: (img as unknown as { naturalWidth: number }).naturalWidth }));
    expect(image.complete && image.width > 0).toBe(true);
    await expectFits(invitee, 'two-factor-setup');
    const secret = (await invitee.locator('#secret-key').textContent())!.replace(/\s/g, '');
    await invitee.getByLabel('Code from the app').fill(await totpCode(secret, t.clock.now()));
    await invitee.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await heading(invitee, 'Your recovery codes');
    expect(await invitee.locator('.recovery-codes li').count()).toBe(10);
    await expectFits(invitee, 'recovery-codes');

    // Next sign-in asks for the code, on its own page.
    await invitee.getByRole('button', { name: 'Sign out' }).click();
    await invitee.getByLabel('Email address').fill('petra@hsug.test');
    await invitee.getByLabel('Password').fill('petra picks a long passphrase');
    await invitee.getByRole('button', { name: 'Sign in' }).click();
    await heading(invitee, 'Two-factor code');
    await expectFits(invitee, 'sign-in-code');
    t.clock.advance(30_000);
    await invitee.getByLabel('Code').fill(await totpCode(secret, t.clock.now()));
    await invitee.getByRole('button', { name: 'Continue' }).click();
    await heading(invitee, 'Finance');

    await adminPage.goto(`${base}/admin/users`);
    await expectFits(adminPage, 'staff-accounts-after');
    await adminPage.getByRole('link', { name: 'Petra Phone' }).click();
    await adminPage.getByRole('button', { name: 'Disable Petra Phone' }).click();
    await adminPage.getByText('The account is disabled').waitFor();
    await expectFits(adminPage, 'staff-person-disabled');
    await adminPage.context().close();
    await invitee.context().close();
  }, 90_000);
});
