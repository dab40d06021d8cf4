import request from 'supertest';
import { cancelBookingSeats } from '../../src/bookings';
import { processPendingRefunds } from '../../src/payments/refunds';
import { buildEvent, person } from '../support/factories';
import { decode, textOf } from '../support/html';
import { paidEvent, sessionIdOf, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * Issue 15, "One tap cancels", "The refund is never confirmed" and the invoice booking's deadline sentence: cancelling
 * through the manage link goes through a page that says what happens ("Keep my booking" first), and afterwards the
 * page, the emails and the API say what was refunded and what the policy kept.
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterEach(() => {
  t.sandbox.setDown(false);
  t.clock.set('2026-03-02T12:00:00Z');
});
afterAll(async () => {
  await t.close();
});

interface Booked {
  reference: string;
  token: string;
  managePath: string;
  bookingId: number;
  buyerEmail: string;
}

/** Books non-member places (£95 each; deadline 10 March, £10 kept) for the people named, the first as buyer; pays by card unless invoiced. */
async function book(slug: string, ticketTypeId: number, names: string[], paymentMethod: 'stripe' | 'invoice' = 'stripe'): Promise<Booked> {
  const buyer = person(names[0]);
  const invoice = paymentMethod === 'invoice' ? { purchaseOrder: 'PO-15', billingContact: 'Accounts <ap@example.org>', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' } : {};
  const res = await request(t.baseUrl)
    .post(`/api/v1/events/${slug}/bookings`)
    .send({ buyer: { name: buyer.name, email: buyer.email, organisation: 'NHS Test Trust' }, items: names.map((n) => ({ ticketTypeId, attendee: person(n) })), paymentMethod, ...invoice });
  expect(res.status).toBe(201);
  if (res.body.booking.checkoutUrl) {
    t.sandbox.pay(sessionIdOf(res.body.booking.checkoutUrl));
    await t.sandbox.flush();
  }
  const url = new URL(res.body.booking.manageUrl);
  const row = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
  return { reference: res.body.booking.reference, token: url.searchParams.get('token')!, managePath: `${url.pathname}${url.search}`, bookingId: Number(row.id), buyerEmail: buyer.email };
}

async function registerFree(slug: string, who: string): Promise<Booked> {
  const p = person(who);
  const res = await request(t.baseUrl).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] });
  const url = new URL(res.body.booking.manageUrl);
  const row = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
  return { reference: res.body.booking.reference, token: url.searchParams.get('token')!, managePath: `${url.pathname}${url.search}`, bookingId: Number(row.id), buyerEmail: p.email };
}

async function page(path: string): Promise<string> {
  const res = await request(t.baseUrl).get(path);
  expect(res.status).toBe(200);
  return res.text;
}

/** The href of the manage page's "Cancel booking…" (or "Leave the waitlist…") link. */
function cancelLinkOf(html: string, label = 'Cancel booking…'): string {
  const match = new RegExp(`<a class="button button-secondary" href="([^"]+)">${label}</a>`).exec(html);
  if (!match) throw new Error(`no "${label}" link`);
  return decode(match[1]);
}

/** Posts the confirmation page's form, as its button does, and follows the redirect. */
async function confirm(html: string): Promise<{ status: number; location: string; page: string }> {
  const form = /<form method="post" action="([^"]+)">\s*<input type="hidden" name="token" value="([^"]+)">/.exec(html)!;
  const res = await request(t.baseUrl).post(form[1]).type('form').send({ token: decode(form[2]) });
  return { status: res.status, location: res.headers.location, page: res.status === 303 ? await page(res.headers.location) : res.text };
}

/** The page's text as read aloud: a link's closing tag is no space before the punctuation that follows it. */
function said(html: string): string {
  return textOf(html).replace(/ ([.:,])/g, '$1');
}

function mailsTo(email: string, subjectStart: string) {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(email) && m.subject?.startsWith(subjectStart));
}

describe('cancelling a paid booking through its manage link', () => {
  it('when the buyer of two places opens "Cancel booking…", then a page lists both places, the refund after the fee and the waitlist, with "Keep my booking" first, and nothing is cancelled yet', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const booked = await book(event.slug, event.ticketTypeIds[1], ['two-a', 'two-b']);

    const manage = await page(booked.managePath);
    expect(manage).not.toMatch(/<form method="post" action="[^"]*\/cancel"/);
    const confirmation = await page(cancelLinkOf(manage));

    const text = textOf(confirmation);
    expect(text).toContain('Cancel your booking?');
    expect(text).toContain(`These places will be cancelled: Attendee two-a (${person('two-a').email}) — Non-member, £95.00 Attendee two-b (${person('two-b').email}) — Non-member, £95.00`);
    expect(text).toContain('We will refund £180.00 to the card you paid with: the £190.00 you paid, less the £10.00 cancellation fee the event\'s refund policy keeps.');
    expect(text).toContain('Nobody is on the waitlist, so your places will become free for others to book.');
    expect(text).toContain('Each attendee will be emailed a cancellation that removes the event from their calendar.');
    const keep = confirmation.indexOf('>Keep my booking</a>');
    const yes = confirmation.indexOf('>Yes, cancel and refund £180.00</button>');
    expect(keep).toBeGreaterThan(0);
    expect(keep).toBeLessThan(yes);
    expect(decode(/<a class="button" href="([^"]+)">Keep my booking<\/a>/.exec(confirmation)![1])).toBe(booked.managePath);
    expect(await t.db('bookings').where({ id: booked.bookingId }).first()).toMatchObject({ status: 'confirmed', refunded_total: 0 });
    expect(await t.db('refunds').where({ booking_id: booked.bookingId })).toHaveLength(0);
  });

  it('when the buyer confirms while Stripe has not taken the refund, then the page and the cancellation email say "Refund of £180.00 requested (£10.00 cancellation fee kept)"; once Stripe confirms, the page and the refund email say "Refunded £180.00 (£10.00 cancellation fee kept)"', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const booked = await book(event.slug, event.ticketTypeIds[1], ['refund-a', 'refund-b']);
    const confirmation = await page(cancelLinkOf(await page(booked.managePath)));

    t.sandbox.setDown(true);
    const done = await confirm(confirmation);
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${booked.managePath}&cancelled=1`);
    let text = textOf(done.page);
    expect(text).toContain('Your booking is cancelled. Refund of £180.00 requested (£10.00 cancellation fee kept).');
    expect(text).toContain('Total £190.00 — Paid by card Refund Refund of £180.00 requested (£10.00 cancellation fee kept)');
    expect(text).not.toMatch(/partly refunded/i);
    const [refund] = await t.db('refunds').where({ booking_id: booked.bookingId });
    expect(refund).toMatchObject({ amount: 18000, fee_kept: 1000, status: 'requested' });

    await t.sendMail();
    const cancelled = mailsTo(booked.buyerEmail, 'Cancelled')[0];
    expect(cancelled.text).toContain('Refund: Refund of £180.00 requested (£10.00 cancellation fee kept)');
    expect(cancelled.text).not.toContain('Total: £190.00');
    expect(textOf(String(cancelled.html))).toContain('Refund Refund of £180.00 requested (£10.00 cancellation fee kept)');
    const other = mailsTo(person('refund-b').email, 'Cancelled')[0];
    expect(other.text).not.toContain('£');
    expect(mailsTo(booked.buyerEmail, 'Refund for booking')).toEqual([]);

    t.sandbox.setDown(false);
    await processPendingRefunds(t.ctx);
    await t.sandbox.flush();
    await t.sendMail();
    const [refunded] = mailsTo(booked.buyerEmail, 'Refund for booking');
    expect(refunded.text).toContain('Refunded £180.00 (£10.00 cancellation fee kept).');
    expect(refunded.text).not.toContain('£190.00');
    text = textOf(await page(booked.managePath));
    expect(text).toContain('Refund Refunded £180.00 (£10.00 cancellation fee kept)');
    expect(text).not.toContain('requested');
    expect(text).not.toContain('Your booking is cancelled.');
  });

  it('when an API client cancels, then the booking in the answer states the refund and the fee kept', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const booked = await book(event.slug, event.ticketTypeIds[1], ['api-cancel']);
    const res = await request(t.baseUrl).post(`/api/v1/bookings/${booked.reference}/cancel`).set('Authorization', `Bearer ${booked.token}`);
    expect(res.status).toBe(200);
    expect(res.body.booking.status).toBe('cancelled');
    expect(res.body.booking.refund).toEqual({ amount: 8500, feeKept: 1000, currency: 'GBP', status: 'refunded', summary: 'Refunded £85.00 (£10.00 cancellation fee kept)' });
  });

  it('when one of two places was cancelled under the policy, then the booking page says what came back for it, not "partly refunded"', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const booked = await book(event.slug, event.ticketTypeIds[1], ['seat-a', 'seat-b']);
    const seat = await t.db('attendees').where({ booking_id: booked.bookingId, email: person('seat-b').email }).first();
    await cancelBookingSeats(t.ctx, booked.bookingId, { attendeeIds: [Number(seat.id)], refund: 'policy', reason: 'Asked by phone', initiatedBy: 'staff' });
    const text = textOf(await page(booked.managePath));
    expect(text).toContain('Total £190.00 — Paid by card Refund Refunded £85.00 (£10.00 cancellation fee kept)');
    expect(text).not.toMatch(/partly refunded/i);
  });

  it('when the refund deadline has passed, then the confirmation page is not offered: its address leads back to the booking page, which says why', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const booked = await book(event.slug, event.ticketTypeIds[1], ['late-confirm']);
    const link = cancelLinkOf(await page(booked.managePath));
    t.clock.set('2026-03-11T09:00:00Z');
    const res = await request(t.baseUrl).get(link);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(booked.managePath);
    expect(textOf(await page(booked.managePath))).toContain('The deadline for cancelling online was Tuesday 10 March 2026, 12:00am');
    expect((await t.db('bookings').where({ id: booked.bookingId }).first()).status).toBe('confirmed');
  });
});

describe('cancelling a free place or a waitlist entry', () => {
  it('when a free place is wanted by someone waiting, then the confirmation says the place goes to the waitlist; "Keep my booking" keeps it; confirming frees it for them', async () => {
    const event = await buildEvent(t.db, { capacity: 1 });
    const seated = await registerFree(event.slug, 'free-seated');
    const waiting = await registerFree(event.slug, 'free-waiting');

    const confirmation = await page(cancelLinkOf(await page(seated.managePath)));
    const text = textOf(confirmation);
    expect(text).toContain(`This place will be cancelled: Attendee free-seated (${person('free-seated').email}) — Free registration`);
    expect(text).toContain('This booking is free, so there is nothing to refund.');
    expect(text).toContain('1 booking is on the waitlist: your place will go to them in turn, first come first served.');
    expect(confirmation.indexOf('Keep my booking')).toBeLessThan(confirmation.indexOf('Yes, cancel my booking'));

    const kept = decode(/<a class="button" href="([^"]+)">Keep my booking<\/a>/.exec(confirmation)![1]);
    expect(textOf(await page(kept))).toContain('Status Confirmed');

    const done = await confirm(confirmation);
    expect(done.status).toBe(303);
    expect(textOf(done.page)).toContain('Your booking is cancelled. We have emailed you a cancellation');
    expect((await t.db('bookings').where({ id: waiting.bookingId }).first()).status).toBe('confirmed');
  });

  it('when a waitlisted person opens "Leave the waitlist…", then the page says they leave the queue and confirming takes them out of it', async () => {
    const event = await buildEvent(t.db, { capacity: 1 });
    await registerFree(event.slug, 'queue-seated');
    const waiting = await registerFree(event.slug, 'queue-leaver');
    const confirmation = await page(cancelLinkOf(await page(waiting.managePath), 'Leave the waitlist…'));
    expect(textOf(confirmation)).toContain('Leave the waitlist? ');
    expect(textOf(confirmation)).toContain('Your booking will leave the waitlist, and the next person waiting moves up.');
    const done = await confirm(confirmation);
    expect(textOf(done.page)).toContain('You have left the waitlist.');
    expect((await t.db('bookings').where({ id: waiting.bookingId }).first()).status).toBe('cancelled');
  });
});

describe('an invoice booking says what is true for it now', () => {
  it('when the refund deadline is still ahead, then the page says invoice bookings are cancelled by writing before it, with the credit less the fee, and never "the deadline was"', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const booked = await book(event.slug, event.ticketTypeIds[1], ['invoice-early'], 'invoice');
    const html = await page(booked.managePath);
    const text = textOf(html);
    expect(text).toContain("Can't come? Invoice bookings are cancelled by the organisers. If you cancel by Tuesday 10 March 2026, 12:00am, we credit your invoice less the £10.00 cancellation fee. To cancel, write to events@hsug.test before the deadline.");
    expect(text).not.toMatch(/deadline was/);
    expect(html).toContain('<a href="mailto:events@hsug.test">events@hsug.test</a>');
    expect(html).not.toContain('Cancel booking…');
  });

  it('when the refund deadline has passed, then the page says the deadline was that date and the full invoice is still due', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const booked = await book(event.slug, event.ticketTypeIds[1], ['invoice-late'], 'invoice');
    t.clock.set('2026-03-10T00:00:00Z');
    const text = said(await page(booked.managePath));
    expect(text).toContain("Can't come? The deadline for cancelling with a credit was Tuesday 10 March 2026, 12:00am, so the full invoice is still due. If you can't come, write to events@hsug.test: a colleague may be able to take your place.");
  });

  it('when the event has started, then the page says the booking can no longer be cancelled, naming no deadline', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const booked = await book(event.slug, event.ticketTypeIds[1], ['invoice-started'], 'invoice');
    t.clock.set('2026-03-17T18:30:00Z');
    const text = said(await page(booked.managePath));
    expect(text).toContain("Can't come? This event has started, so the booking can no longer be cancelled. Questions? Write to events@hsug.test.");
    expect(text).not.toMatch(/deadline/);
  });
});
