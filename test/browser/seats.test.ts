import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { queueUpdatedInvitations, describeChanges } from '../../src/admin/events/changes';
import { writeTransaction } from '../../src/db/dialect';
import { findEventById } from '../../src/events/queries';
import { buildEvent, person } from '../support/factories';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { lookAt } from './page-checks';

/**
 * Issue 15, "Seats of their own" and "Emails", in a browser at 375 and 1280 px with axe: the booking page with each
 * ticket and price, a seat's own page (its form, a refusal beside the field, the cancel confirmation, after the
 * cut-off), and every email a seat's people get. Screenshots go under SCREENSHOT_DIR for a person to look at.
 */

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

let t: PaymentsTestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t.close();
});

async function lookAtEmail(page: Page, html: string, name: string): Promise<string[]> {
  await page.setContent(html);
  return lookAt(page, name, { isEmail: true });
}

function mailTo(email: string, subjectStart: string) {
  const mail = t.smtp.messages.find((m) => JSON.stringify(m.to).includes(email) && m.subject?.startsWith(subjectStart));
  if (!mail) throw new Error(`no "${subjectStart}" email to ${email}`);
  return mail;
}

function seatLinkIn(text: string): string {
  return /https?:\/\/\S+\/bookings\/HSUG-[\w-]+\/seats\/\d+\?token=[\w-]+/.exec(text)![0];
}

describe('seats of their own in a browser', () => {
  it('when a booker pays for two colleagues, then the booking page, each email and a seat page (change, refusal, cancel, cut-off) read right at both widths with no axe problems', async () => {
    const event = await buildEvent(t.db, { ...paidEvent(), title: 'Seminar: multilevel models', capacity: 2 });
    const buyer = person('b-buyer', { name: 'Grace Hopper' });
    const res = await request(t.baseUrl)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: person('b-ada', { name: 'Ada Lovelace' }) }, { ticketTypeId: event.ticketTypeIds[1], attendee: person('b-flo', { name: 'Florence Nightingale' }) }] });
    t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
    await t.sandbox.flush();
    const waiting = person('b-wait', { name: 'Mary Seacole' });
    await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: waiting, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: waiting }] }).expect(201);
    await t.sendMail();

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const emailPage = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    expect(await lookAtEmail(emailPage, String(mailTo(buyer.email, "You're booked").html), 'seats-email-booker-receipt')).toEqual([]);
    const toAda = mailTo(person('b-ada').email, "You're booked");
    expect(await lookAtEmail(emailPage, String(toAda.html), 'seats-email-colleague')).toEqual([]);
    expect(await lookAtEmail(emailPage, String(mailTo(waiting.email, "You're on the waitlist").html), 'seats-email-waitlist-paid')).toEqual([]);

    await page.goto(res.body.booking.manageUrl);
    await expect(page.locator('.attendees').textContent()).resolves.toContain('Non-member — £95.00');
    expect(await lookAt(page, 'seats-manage')).toEqual([]);

    // Ada's own page: a refusal beside the email field, what she typed kept.
    await page.goto(seatLinkIn(String(toAda.text)));
    expect(await lookAt(page, 'seats-seat')).toEqual([]);
    await page.getByLabel('Email address').fill(person('b-flo').email);
    await page.getByLabel('Dietary requirements').fill('Vegetarian');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForSelector('.error-summary');
    await expect(page.locator('#field-email-error').textContent()).resolves.toContain('already has a place at this event');
    await expect(page.getByLabel('Dietary requirements').inputValue()).resolves.toBe('Vegetarian');
    expect(await lookAt(page, 'seats-seat-refused')).toEqual([]);

    // Cancel Ada's place: "Keep this place" first, the refund after the fee.
    await page.getByRole('link', { name: 'Cancel this place…' }).click();
    await page.waitForURL(/\/cancel\?token=/);
    await expect(page.locator('main').textContent()).resolves.toContain('We will refund £85.00');
    expect(await lookAt(page, 'seats-seat-cancel')).toEqual([]);
    await page.getByRole('button', { name: 'Yes, cancel this place and refund £85.00' }).click();
    await page.waitForURL(/\/cancelled\?token=/);
    expect(await lookAt(page, 'seats-seat-cancelled')).toEqual([]);
    await t.sandbox.flush();

    // Florence passes her place on; the event's time changes; then the cut-off passes.
    const toFlo = mailTo(person('b-flo').email, "You're booked");
    await page.goto(seatLinkIn(String(toFlo.text)));
    await page.getByLabel('Full name').fill('Elizabeth Garrett Anderson');
    await page.getByLabel('Email address').fill('elizabeth@example.org');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForSelector('h1:has-text("Your place has been passed on")');
    expect(await lookAt(page, 'seats-passed-on')).toEqual([]);

    const before = (await findEventById(t.db, event.id))!;
    await writeTransaction(t.db, async (trx) => {
      await trx('events').where({ id: event.id }).update({ starts_at: '2026-03-17T18:30:00.000Z', ends_at: '2026-03-17T20:30:00.000Z', sequence: before.sequence + 1 });
      const after = (await findEventById(trx, event.id))!;
      await queueUpdatedInvitations(trx, t.ctx, after, describeChanges(before, after), before);
    });
    await t.sendMail();
    expect(await lookAtEmail(emailPage, String(mailTo(person('b-ada').email, 'Cancelled').html), 'seats-email-seat-cancelled')).toEqual([]);
    expect(await lookAtEmail(emailPage, String(mailTo(person('b-flo').email, 'Your place has been passed on').html), 'seats-email-passed-on')).toEqual([]);
    const toElizabeth = mailTo('elizabeth@example.org', "You're booked");
    expect(await lookAtEmail(emailPage, String(toElizabeth.html), 'seats-email-new-holder')).toEqual([]);
    const changed = mailTo('elizabeth@example.org', 'Changed');
    expect(changed.text).toContain('New time: 6:30pm–8:30pm (was 6:00pm–8:00pm)');
    expect(await lookAtEmail(emailPage, String(changed.html), 'seats-email-changed')).toEqual([]);
    expect(await lookAtEmail(emailPage, String(mailTo(waiting.email, 'A place has come up').html), 'seats-email-offer')).toEqual([]);

    // The buyer's booking page after a place was cancelled from it.
    const ada = await t.db('attendees').where({ email: person('b-ada').email }).first('id');
    await page.goto(`${res.body.booking.manageUrl}&seat_cancelled=${ada.id}`);
    await expect(page.locator('.banner').first().textContent()).resolves.toContain("Ada Lovelace's place is cancelled.");
    expect(await lookAt(page, 'seats-manage-seat-cancelled')).toEqual([]);

    t.clock.set('2026-03-11T09:00:00Z');
    await page.goto(seatLinkIn(String(toElizabeth.text)));
    await expect(page.locator('#closed-heading + p').textContent()).resolves.toContain('Changes to places closed on Tuesday 10 March 2026, 12:00am');
    expect(await lookAt(page, 'seats-seat-closed')).toEqual([]);
    t.clock.set('2026-03-02T12:00:00Z');
    await emailPage.close();
    await page.close();
  }, 180_000);
});
