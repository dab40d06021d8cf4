import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';
import { createStaff, PASSWORD } from '../admin/helpers';
import { lookAt, launchChromium } from './page-checks';

/** Issue 17 in Chromium: the privacy notice, the accessibility statement, an event's Access section and the administrators' Personal data page, at 320, 375 and 1280 px with axe. */

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

describe('privacy and accessibility pages in a browser', () => {
  it('when a visitor reads the privacy notice, the accessibility statement and an event with access details, then every page passes axe and reflows', async () => {
    const event = await buildEvent(t.db, { title: 'Accessible meeting' });
    await t.db('events').where({ id: event.id }).update({ access_step_free: true, access_hearing_loop: true, access_transport: 'Old Street station (step-free), 400 m' });
    const page = await browser.newPage();
    for (const [path, name] of [['/privacy', 'privacy-notice'], ['/accessibility', 'accessibility-statement'], [`/events/${event.slug}`, 'event-access']] as const) {
      await page.goto(`${base}${path}`);
      expect(await lookAt(page, name)).toEqual([]);
    }
    await page.getByRole('heading', { name: 'Access', exact: true }).waitFor();
    expect(await page.locator('.access li').allTextContents()).toEqual(['Step-free access', 'Hearing loop', 'Nearest accessible transport: Old Street station (step-free), 400 m']);
  });

  it('when an administrator reviews an erasure, then the Personal data page and its review pass axe and reflow', async () => {
    await request(t.app).post('/subscribe').type('form').send('email=someone%40nhs.example&choice=all').expect(303);
    const admin = await createStaff(t, 'admin');
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/admin/privacy`);
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Personal data' }).waitFor();
    expect(await lookAt(page, 'admin-privacy')).toEqual([]);
    await page.locator('#field-erase-email').fill('someone@nhs.example');
    await page.getByRole('button', { name: 'Review erasure' }).click();
    await page.getByRole('heading', { name: 'What erasing someone@nhs.example will do' }).waitFor();
    expect(await lookAt(page, 'admin-privacy-review')).toEqual([]);
  });
});
