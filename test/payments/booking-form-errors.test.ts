import request from 'supertest';
import { buildEvent } from '../support/factories';
import { attribute, decode, textOf } from '../support/html';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * Issue 15: a refused member price is no dead end (the place is marked, the input kept, the non-member price offered
 * in place, a contact address given), and "Continue" with no places chosen gets an error summary linked to the first
 * place selector.
 */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

/** Two places: the buyer's own at the member price (left blank: it is theirs), and Florence's at the non-member price. */
function memberForm(member: number, nonMember: number) {
  return {
    buyer_name: 'Ada Lovelace',
    buyer_email: 'ada@example.org',
    buyer_organisation: 'NHS Test Trust',
    seat_0_type: String(member),
    seat_0_price: '6000',
    seat_0_name: '',
    seat_0_email: '',
    seat_0_dietary: 'Vegetarian',
    seat_1_type: String(nonMember),
    seat_1_price: '9500',
    seat_1_name: 'Florence Nightingale',
    seat_1_email: 'florence@example.org',
    seat_1_accessibility: 'Step-free access',
    payment_method: 'card',
  };
}

/** What the form would send as it stands: its text and hidden inputs, checked radios and textareas. */
function formValues(html: string): Record<string, string> {
  const form = html.slice(html.indexOf('<form method="post"'), html.indexOf('</form>'));
  const values: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input[^>]*>/g)) {
    const name = attribute(tag, 'name');
    if (!name) continue;
    const type = attribute(tag, 'type') ?? 'text';
    if ((type === 'radio' || type === 'checkbox') && !/\schecked\b/.test(tag)) continue;
    values[name] = attribute(tag, 'value') ?? '';
  }
  for (const [, name, text] of form.matchAll(/<textarea[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/textarea>/g)) values[name] = decode(text);
  return values;
}

describe('a member price refused for a place', () => {
  it('when the buyer’s own place has a member price and they are not on the member list, then that place is marked with why, everything typed is kept, the non-member price is offered there, and the contact address is given', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const [member, nonMember] = event.ticketTypeIds;
    const res = await request(t.baseUrl).post(`/events/${event.slug}/book`).type('form').send(memberForm(member, nonMember));

    expect(res.status).toBe(409);
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(res.text)![0];
    expect(summary).toContain(
      '<a href="#field-seat_0_type">Place 1: ada@example.org is not on the current member list, so this place cannot have the member price. Choose another ticket for it below, or check the email address</a>',
    );
    expect(textOf(summary)).toContain('Everything you typed is kept. If you think this is wrong, write to events@hsug.test');
    expect(summary).toContain('<a href="mailto:events@hsug.test">events@hsug.test</a>');
    expect(res.text).not.toContain('contact us');

    const choice = /<fieldset class="ticket-choice[\s\S]*?<\/fieldset>/.exec(res.text)![0];
    expect(choice).toContain('aria-describedby="seat_0_type-error"');
    expect(textOf(choice)).toContain('Ticket for place 1 Error: Place 1: ada@example.org is not on the current member list');
    expect(choice).toMatch(new RegExp(`<input type="radio" id="field-seat_0_type" name="seat_0_type" value="${member}" checked>`));
    expect(choice).toMatch(new RegExp(`<input type="radio" id="seat_0_type_${nonMember}" name="seat_0_type" value="${nonMember}">`));
    expect(textOf(choice)).toContain('Non-member, £95.00');
    // Only the refused place offers a choice; the other keeps its ticket.
    expect(res.text.match(/class="ticket-choice/g)).toHaveLength(1);

    const kept = formValues(res.text);
    expect(kept).toMatchObject({ buyer_name: 'Ada Lovelace', buyer_email: 'ada@example.org', buyer_organisation: 'NHS Test Trust', seat_0_dietary: 'Vegetarian', seat_1_name: 'Florence Nightingale', seat_1_email: 'florence@example.org', seat_1_accessibility: 'Step-free access' });
    expect(await t.db('bookings').where({ event_id: event.id })).toHaveLength(0);
  });

  it('when the buyer then picks the non-member price for that place and sends the form as it stands, then it goes to payment at £190.00 with nothing retyped', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const [member, nonMember] = event.ticketTypeIds;
    const refused = await request(t.baseUrl).post(`/events/${event.slug}/book`).type('form').send(memberForm(member, nonMember));

    const resent = await request(t.baseUrl).post(`/events/${event.slug}/book`).type('form').send({ ...formValues(refused.text), seat_0_type: String(nonMember) });

    expect(resent.status).toBe(303);
    expect(resent.headers.location).toMatch(new RegExp(`^${t.sandbox.url}/checkout/`));
    const booking = await t.db('bookings').where({ event_id: event.id }).first();
    expect(booking).toMatchObject({ total: 19000, status: 'pending_payment' });
    const attendees = await t.db('attendees').where({ booking_id: booking.id }).orderBy('id');
    expect(attendees.map((a) => [a.name, a.ticket_type_id, a.unit_price, a.dietary ?? null])).toEqual([
      ['Ada Lovelace', nonMember, 9500, 'Vegetarian'],
      ['Florence Nightingale', nonMember, 9500, null],
    ]);
  });

  it('when the event names no contact of its own, then the form and the API give the organisation address', async () => {
    const event = await buildEvent(t.db, paidEvent());
    await t.db('events').where({ id: event.id }).update({ contact_email: null });
    const [member, nonMember] = event.ticketTypeIds;
    const form = await request(t.baseUrl).post(`/events/${event.slug}/book`).type('form').send(memberForm(member, nonMember));
    expect(form.text).toContain('<a href="mailto:events@hsug.org.uk">events@hsug.org.uk</a>');
    const api = await request(t.baseUrl)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer: { name: 'Ada', email: 'ada@example.org' }, items: [{ ticketTypeId: member, attendee: { name: 'Ada', email: 'ada@example.org' } }] });
    expect(api.status).toBe(409);
    expect(api.body.error.message).toContain('write to events@hsug.org.uk if you think this is wrong');
    expect(api.body.error.details).toEqual([{ path: 'items.0.attendee.email', message: 'ada@example.org is not on the current member list' }]);
  });
});

describe('"Continue" with no places chosen', () => {
  it('when no place is chosen, then an error summary at the top of the booking section links to the first place selector, which is marked, and the page opens at the booking section', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const [member, nonMember] = event.ticketTypeIds;
    const page = await request(t.baseUrl).get(`/events/${event.slug}/book?qty_${member}=0&qty_${nonMember}=0`);

    expect(page.status).toBe(422);
    expect(page.text).toContain('<title>Error: ');
    const section = page.text.slice(page.text.indexOf('<section id="book"'));
    // The summary takes the focus when the page loads (autofocus: no JavaScript), which also scrolls it into view.
    const summary = section.indexOf('<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" autofocus>');
    expect(summary).toBeGreaterThan(0);
    expect(summary).toBeLessThan(section.indexOf('<form method="get"'));
    expect(section).toContain(`<a href="#qty-${member}">Choose at least one place</a>`);
    expect(section).toMatch(new RegExp(`<select id="qty-${member}" name="qty_${member}" aria-describedby="quantity-error" aria-invalid="true">`));
    // No #fragment in the form's address: a page opened at a fragment skips autofocus (HTML, "flush autofocus candidates").
    expect(section).toContain(`<form method="get" action="/events/${event.slug}/book" class="quantities">`);
  });
});
