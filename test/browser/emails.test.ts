import type { Browser } from 'playwright-core';
import request from 'supertest';
import { announceEvent } from '../../src/announcements/announce';
import { manageToken } from '../../src/lib/links';
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

    // One of each subject's kind: the words before the event's title or reference.
    const kinds = new Map<string, string>();
    for (const m of t.smtp.messages) {
      // "You're booked: Sampled seminar (receipt for HSUG-…)" → "You're booked (receipt for)": the kind, not the event or booking.
      // Document numbers (HSUG-2025-0001, HSUG-R-…, HSUG-CN-…) and a purchase order are not the kind either.
      const kind = String(m.subject).replace(/HSUG(-R|-CN)?-\d{4}-\d{4}/g, '').replace(/\(PO [^)]*\)/, '').replace(/HSUG-[A-Z0-9]{4}-[A-Z0-9]{4}/g, '').replace(/:\s[^(]*/, ' ').replace(/\s+/g, ' ').replace(/\s\)/, ')').trim();
      if (!kinds.has(kind) && m.html) kinds.set(kind, String(m.html));
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
      'You are invited to the Health Statistics User Group events staff area',
      "You're booked",
      "You're booked (invoice to follow for)",
      "You're booked (receipt for)",
      "You're on the waitlist",
    ]);
    const page = await browser.newPage();
    const problems: string[] = [];
    for (const [kind, html] of kinds) {
      await page.setContent(html);
      problems.push(...(await lookAt(page, `email-sample-${kind.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, { isEmail: true })));
    }
    expect({ kinds: [...kinds.keys()].sort(), problems }).toEqual({ kinds: [...kinds.keys()].sort(), problems: [] });
  }, 120_000);
});
