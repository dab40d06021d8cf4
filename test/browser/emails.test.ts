import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { announceEvent } from '../../src/announcements/announce';
import { manageToken } from '../../src/lib/links';
import { runFollowUps } from '../../src/online';
import { createStaff, signInSessionFor } from './email-support';
import { financeEvent, invoiceBooking, paidBooking } from '../finance/support';
import { buildEvent, person } from '../support/factories';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';
import { lookAt, launchChromium } from './page-checks';

/**
 * Issue 17, "Proof": a sample of every kind of email the service sends (booking notices: confirmed, waitlisted,
 * cancelled, promoted; the confirmation with a card receipt and with a pro-forma invoice; a refund; a staff invitation;
 * a subscription confirmation; an announcement), rendered as a mail program would, at 320, 375 and 1280 px with axe.
 */

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * Ordinary words (letters only, up to 20) that the layout splits across two lines at this width, such as a label
 * "Reference" shown as "Refer / ence": a long address or link may break, a word may not.
 */
async function brokenWords(page: Page, width: number): Promise<string[]> {
  await page.setViewportSize({ width, height: 900 });
  return page.evaluate<string[]>(`(() => {
    const broken = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(/(?<![\\w/=.%@+-])[A-Za-z\u2019']{2,20}(?![\\w/=.%@+-])/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
    return broken;
  })()`);
}

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

describe('every kind of email', () => {
  it('when the service sends each kind of email, then each one passes axe and reflows at every width', async () => {
    // Booking notices: confirmed, waitlisted, then cancelled and promoted.
    const meeting = await buildEvent(t.db, { title: 'Sampled meeting', capacity: 1 });
    const first = await request(t.baseUrl).post(`/api/v1/events/${meeting.slug}/bookings`).send({ buyer: person('em-1'), items: [{ attendee: person('em-1') }] }).expect(201);
    await request(t.baseUrl).post(`/api/v1/events/${meeting.slug}/bookings`).send({ buyer: person('em-2'), items: [{ attendee: person('em-2') }] }).expect(201);
    const token = new URL(first.body.booking.manageUrl).searchParams.get('token')!;
    await request(t.baseUrl).post(`/api/v1/bookings/${first.body.booking.reference}/cancel`).set('Authorization', `Bearer ${token}`).expect(200);
    // Money: a card payment (confirmation with its receipt), then its refund; an invoice booking (invoice to follow); each finance document in its own email (issue 11).
    const seminar = await financeEvent(t, 'Sampled seminar');
    const paid = await paidBooking(t, seminar);
    await request(t.baseUrl).post(`/api/v1/bookings/${paid.reference}/cancel`).set('Authorization', `Bearer ${manageToken(t.config, paid.reference)}`).expect(200);
    await invoiceBooking(t, seminar);
    // Staff: an invitation to a new account.
    const admin = await createStaff(t, 'admin');
    const session = await signInSessionFor(t, admin.email);
    await session.agent.post('/admin/users').type('form').send({ _csrf: session.csrf, name: 'New Organiser', email: 'new.organiser@hsug.test', role: 'organiser' }).expect(303);
    // Announcements: a subscription confirmation, then an announcement once confirmed.
    await request(t.baseUrl).post('/subscribe').type('form').send('email=reader%40nhs.example&choice=all').expect(303);
    await t.sendMail();
    const confirm = /\/subscriptions\/confirm\/[A-Za-z0-9_-]{43}/.exec(t.smtp.messages.find((m) => m.subject === 'Confirm: hear about future HSUG events')!.text ?? '')![0];
    await request(t.baseUrl).post(confirm).type('form').send('').expect(303);
    const fresh = await buildEvent(t.db, { title: 'Announced meeting' });
    await announceEvent(t.ctx, { id: null, email: 'test@hsug.test' }, fresh.id, 'sample-key-aaaaaaaaaaaa');
    await t.sandbox.flush();
    await t.sendMail();
    // Online (issue 12): the confirmation with its joining link, the 1-day reminder, the thank-you and "sorry we missed you".
    const now = t.clock.now().getTime();
    const webinar = await buildEvent(t.db, { title: 'Sampled webinar', mode: 'online', capacity: 10, startsAt: new Date(now + 3 * DAY).toISOString(), endsAt: new Date(now + 3 * DAY + 2 * HOUR).toISOString(), meetingUrl: 'https://zoom.example.com/j/1' });
    // A dial-in with a long unbroken code: the value may break, and must not push the email sideways at 320 px.
    await t.db('event_meetings').where({ event_id: webinar.id }).update({ dial_in: '020 7946 0000, code 9876543210987654321098765432109876543210#' });
    for (const n of ['em-online-1', 'em-online-2']) await request(t.baseUrl).post(`/api/v1/events/${webinar.slug}/bookings`).send({ buyer: person(n), items: [{ attendee: person(n) }] }).expect(201);
    await t.sendMail();
    t.clock.set(new Date(now + 2 * DAY).toISOString());
    await runFollowUps(t.ctx);
    await t.sendMail();
    await t.db('attendees').where({ email: person('em-online-1').email }).update({ joined_at: t.clock.now().toISOString() });
    t.clock.set(new Date(now + 3 * DAY + 5 * HOUR).toISOString());
    await runFollowUps(t.ctx);
    await t.sendMail();

    // One of each subject's kind: the words before the event's title or reference.
    const kinds = new Map<string, string>();
    for (const m of t.smtp.messages) {
      // "You're booked: Sampled seminar (receipt for HSUG-…)" → "You're booked (receipt for)": the kind, not the event or booking.
      // Document numbers (HSUG-2025-0001, HSUG-R-…, HSUG-CN-…) and a purchase order are not the kind either.
      const kind = String(m.subject).replace(/HSUG(-R|-CN)?-\d{4}-\d{4}/g, '').replace(/\(PO [^)]*\)/, '').replace(/HSUG-[A-Z0-9]{4}-[A-Z0-9]{4}/g, '').replace(/:\s[^(]*/, ' ').replace(/\s+/g, ' ').replace(/\s\)/, ')').trim();
      // An online attendee's email has a row of its own (Join online): sampled apart from the in-person one.
      const sampled = String(m.html ?? '').includes('Join online') ? `${kind} (online)` : kind;
      if (!kinds.has(sampled) && m.html) kinds.set(sampled, String(m.html));
    }
    expect([...kinds.keys()].sort()).toEqual([
      "A place has come up — you're booked",
      'Cancelled',
      'Confirm',
      'Credit note',
      'Invoice',
      'New HSUG event',
      'Receipt',
      'Refund for booking',
      'Reminder (online)',
      'Sorry we missed you',
      'Thank you for coming',
      'You are invited to the Health Statistics User Group events staff area',
      "You're booked",
      "You're booked (invoice to follow for)",
      "You're booked (online)",
      "You're booked (receipt for)",
      "You're on the waitlist",
    ]);
    const page = await browser.newPage();
    const problems: string[] = [];
    for (const [kind, html] of kinds) {
      await page.setContent(html);
      problems.push(...(await lookAt(page, `email-sample-${kind.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, { isEmail: true })));
      for (const width of [320, 375]) problems.push(...(await brokenWords(page, width)).map((w) => `${kind} at ${width}px: "${w}" is split across lines`));
    }
    expect({ kinds: [...kinds.keys()].sort(), problems }).toEqual({ kinds: [...kinds.keys()].sort(), problems: [] });
  }, 120_000);
});
