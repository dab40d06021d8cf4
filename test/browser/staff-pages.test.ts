import fs from 'node:fs';
import request from 'supertest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Role } from '../../src/admin/auth/roles';
import { createStaff, PASSWORD } from '../admin/helpers';
import { buildEvent, person } from '../support/factories';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { financeEvent, paidBooking, sync } from '../finance/support';
import { lookAt, SCREENSHOTS } from './page-checks';

let t: PaymentsTestApp;
let browser: Browser;
let slug: string;
let draftSlug: string;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });

  // A conference with long names and organisations, 6 confirmed places and 1 cancelled, a card payment and a payout.
  const event = await financeEvent(t, 'Annual conference 2026: measuring waiting times, outcomes and inequalities across the four nations');
  slug = event.slug;
  const people = [
    ['Grace Brewster Murray Hopper', 'Department of Health and Social Care, Analytical Services Directorate'],
    ['Florence Nightingale', 'Royal Statistical Society'],
    ['Ada Lovelace', 'NHS England'],
    ['Karl Pearson', 'University College London'],
    ['Maria Skłodowska-Curie', 'Public Health Scotland'],
    ['Plato', 'Office for National Statistics'],
  ];
  for (const [i, [name, organisation]] of people.entries()) {
    const p = { name, email: `person${i}@example.org`, organisation };
    await request(t.baseUrl).post(`/api/v1/events/${slug}/bookings`).send({ buyer: p, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: { ...p, dietary: i === 1 ? 'Vegetarian' : undefined } }], paymentMethod: 'invoice', purchaseOrder: `PO-${i}`, billingContact: 'Accounts, accounts@nhs.test', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' }).expect(201);
  }
  const gone = person('cancelled-one');
  const cancelled = await request(t.baseUrl).post(`/api/v1/events/${slug}/bookings`).send({ buyer: gone, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: gone }], paymentMethod: 'invoice', purchaseOrder: 'PO-X', billingContact: 'Accounts, accounts@nhs.test', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' }).expect(201);
  const row = await t.db('bookings').where({ reference: cancelled.body.booking.reference }).first();
  await t.db('bookings').where({ id: row.id }).update({ status: 'cancelled' });
  await t.db('attendees').where({ booking_id: row.id }).update({ status: 'cancelled' });
  await paidBooking(t, event);
  t.sandbox.createPayout();
  await sync(t);
  draftSlug = (await buildEvent(t.db, { status: 'draft', title: 'Draft evening meeting: data linkage', tickets: [{ name: 'Member', price: 1500 }, { name: 'Non-member', price: 2500 }] })).slug;
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t.close();
});

async function signedIn(role: Role): Promise<{ context: BrowserContext; page: Page }> {
  const staff = await createStaff(t, role);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${t.baseUrl}/admin/sign-in`);
  await page.getByLabel('Email address').fill(staff.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/sign-in'));
  return { context, page };
}

async function firstPayoutPath(page: Page): Promise<string> {
  await page.goto(`${t.baseUrl}/admin/finance/payouts`);
  return (await page.getByRole('link', { name: /paid on/ }).first().getAttribute('href'))!;
}

/** Each page a role may open, looked at at 375 and 1280 px: axe, the house checks, and no sideways scroll. */
async function lookAtEach(page: Page, role: string, paths: Array<[path: string, name: string]>): Promise<string[]> {
  const problems: string[] = [];
  for (const [path, name] of paths) {
    const res = await page.goto(`${t.baseUrl}${path}`);
    expect([200, 422]).toContain(res?.status());
    await page.getByRole('heading', { level: 1 }).first().waitFor();
    problems.push(...(await lookAt(page, `staff-${role}-${name}`)));
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      if (overflow > 0) problems.push(`${name} scrolls ${overflow}px sideways at ${width}px`);
    }
  }
  return problems;
}

const eventPages = (): Array<[string, string]> => [
  ['/admin', 'events'],
  [`/admin/events/${slug}`, 'event'],
  [`/admin/events/${slug}/attendees`, 'attendees'],
  [`/admin/events/${slug}/attendees?status=all`, 'attendees-all'],
  [`/admin/events/${slug}/sign-in-sheet`, 'sign-in-sheet'],
  ['/admin/account', 'account'],
];

describe('every staff page, for each role, at 375 and 1280 px', () => {
  it('when an organiser goes through their pages (new, copied and previewed events too), then none has an axe violation or scrolls sideways', async () => {
    const { context, page } = await signedIn('organiser');
    const problems = await lookAtEach(page, 'organiser', [
      ...eventPages(),
      [`/admin/events/${draftSlug}`, 'draft'],
      [`/admin/events/${draftSlug}/preview`, 'draft-preview'],
      [`/admin/events/${slug}/copy`, 'copy'],
      ['/admin/events/new', 'new-event'],
      [`/admin/events/${slug}/tickets/new`, 'ticket-form'],
      ['/admin/members', 'members'],
    ]);
    // The new-event form with every mistake at once.
    await page.goto(`${t.baseUrl}/admin/events/new`);
    await page.getByLabel('Title').fill('');
    await page.getByLabel('Starts').fill('2026-04-14T18:00');
    await page.getByLabel('Ends').fill('2026-04-14T17:00');
    await page.getByRole('button', { name: 'Create draft event' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    expect(await page.locator('.error-summary li').allTextContents()).toEqual(['Enter a title', 'The end must be after the start', 'Enter a venue (or choose Online if nobody comes in person)']);
    problems.push(...(await lookAt(page, 'staff-organiser-new-event-errors')));
    // Copy as new event, then its preview.
    await page.goto(`${t.baseUrl}/admin/events/${slug}`);
    await page.getByRole('link', { name: 'Copy as new event' }).click();
    await page.getByLabel('Title').fill('Annual conference 2027');
    await page.getByLabel('Starts').fill('2027-03-16T09:30');
    await page.getByLabel('Ends').fill('2027-03-16T17:00');
    await page.getByRole('button', { name: 'Create draft event' }).click();
    await page.getByText('Copy created as a draft').waitFor();
    problems.push(...(await lookAt(page, 'staff-organiser-copied')));
    await page.getByRole('link', { name: 'Preview the public page' }).click();
    await page.getByText('Preview — not published').waitFor();
    await page.goto(`${t.baseUrl}/admin/events/${slug}/attendees`);
    await page.getByRole('heading', { name: '7 rows (7 confirmed)' }).waitFor();
    // On paper the sign-in sheet has every column, even when printed from a phone.
    await page.setViewportSize({ width: 375, height: 900 });
    await page.goto(`${t.baseUrl}/admin/events/${slug}/sign-in-sheet`);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('thead th').allTextContents()).toEqual(['Here', 'Name', 'Organisation', 'Ticket', 'Signature']);
    expect(await page.locator('thead th:visible').count()).toBe(5);
    await page.screenshot({ path: `${SCREENSHOTS}/staff-organiser-sign-in-sheet-print.png`, fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  it('when the treasurer goes through their pages, then none has an axe violation or scrolls sideways', async () => {
    const { context, page } = await signedIn('treasurer');
    const payout = await firstPayoutPath(page);
    const problems = await lookAtEach(page, 'treasurer', [
      ...eventPages(),
      ['/admin/finance', 'finance-overview'],
      ['/admin/finance/payments', 'finance-ledger'],
      ['/admin/finance/payouts', 'finance-payouts'],
      [payout, 'finance-payout'],
      ['/admin/finance/mismatches', 'finance-mismatches'],
    ]);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  it('when an administrator goes through their pages, then none has an axe violation or scrolls sideways', async () => {
    const { context, page } = await signedIn('admin');
    const problems = await lookAtEach(page, 'admin', [
      ...eventPages(),
      ['/admin/audit', 'audit'],
      ['/admin/audit?from=2026-02-31', 'audit-bad-date'],
      ['/admin/members', 'members'],
      ['/admin/users', 'users'],
    ]);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
