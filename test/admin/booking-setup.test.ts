import type { Server } from 'node:http';
import request from 'supertest';
import type { TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';
import { attribute, tagWithId, textOf } from '../support/html';
import { eventFormValues } from '../../src/admin/events/present';
import { findEventBySlug } from '../../src/events/queries';
import { buildQuestion } from '../support/codes';
import { createStaff, editFormBody, signIn, startWithOrganiser, type OrganiserApp, type SignedIn } from './helpers';

/** Issue 18: organisers build an event's registration questions and discount codes on its staff pages. */

let t: TestApp;
let server: Server;
let organiser: SignedIn;
let app: OrganiserApp;

beforeAll(async () => {
  app = await startWithOrganiser();
  ({ t, server, organiser } = app);
});
afterAll(() => app.close());

describe('registration questions, as organisers build them', () => {
  it('when an organiser adds a yes/no question and a conditional choice after it, then the public form asks both, the second with its note', async () => {
    const event = await buildEvent(t.db);
    const first = await organiser.agent.post(`/admin/events/${event.slug}/questions`).type('form').send({ _csrf: organiser.csrf, label: 'Will you stay for the networking?', scope: 'booking', kind: 'yes_no', isRequired: 'on' });
    expect(first.status).toBe(303);
    const yesNo = await t.db('event_questions').where({ event_id: event.id }).first();
    const second = await organiser.agent
      .post(`/admin/events/${event.slug}/questions`)
      .type('form')
      .send({ _csrf: organiser.csrf, label: 'Which table?', scope: 'booking', kind: 'single_choice', options: 'Methods\nData linkage\n', isRequired: 'on', conditionQuestionId: String(yesNo.id), conditionValue: 'yes' });
    expect(second.status).toBe(303);
    const list = await organiser.agent.get(`/admin/events/${event.slug}/questions`);
    expect(textOf(list.text)).toContain('Which table? Single choice: Methods, Data linkage Once per booking Required Answer this only if you answered “yes” to “Will you stay for the networking?”.');
    const page = await request(server).get(`/events/${event.slug}`);
    expect(textOf(page.text)).toContain('Which table? Answer this only if you answered “yes” to “Will you stay for the networking?”.');
  });

  it('when an organiser renames the answer another question depends on, or asks it another way, then 422 says which question depends on it and keeps what was typed; the condition still works', async () => {
    const event = await buildEvent(t.db);
    const dinner = await buildQuestion(t.db, event.id, { kind: 'single_choice', label: 'Will you come to the dinner?', options: ['Yes', 'No'], position: 1 });
    await buildQuestion(t.db, event.id, { kind: 'single_choice', label: 'Which menu?', options: ['Meat', 'Fish'], conditionQuestionId: dinner, conditionValue: 'Yes', position: 2 });
    const edit = { _csrf: organiser.csrf, label: 'Will you come to the dinner?', scope: 'booking', kind: 'single_choice', options: 'Yes please\nNo', isRequired: 'on' };
    for (const change of [{}, { options: 'Yes\nNo', scope: 'attendee' }]) {
      const res = await organiser.agent.post(`/admin/events/${event.slug}/questions/${dinner}`).type('form').send({ ...edit, ...change });
      expect(res.status).toBe(422);
      expect(textOf(res.text)).toContain('“Which menu?” is asked only after the answer “Yes” to this question');
      expect(res.text).toMatch(/id="field-(options|scope)-error"/);
      expect(attribute(tagWithId(res.text, 'field-label'), 'value')).toBe('Will you come to the dinner?');
    }
    expect(await t.db('event_questions').where({ id: dinner }).first('options', 'scope', 'kind')).toEqual({ options: JSON.stringify(['Yes', 'No']), scope: 'booking', kind: 'single_choice' });
    // Rewording the question itself, or adding an answer, is fine.
    const reworded = await organiser.agent.post(`/admin/events/${event.slug}/questions/${dinner}`).type('form').send({ ...edit, label: 'Will you join us for dinner?', options: 'Yes\nNo\nMaybe' });
    expect(reworded.status).toBe(303);
  });

  it('when the question form is wrong in several ways, then 422 shows each beside its field and keeps what was typed', async () => {
    const event = await buildEvent(t.db);
    const res = await organiser.agent.post(`/admin/events/${event.slug}/questions`).type('form').send({ _csrf: organiser.csrf, label: '', scope: 'booking', kind: 'single_choice', options: 'Only one', helpText: 'Kept' });
    expect(res.status).toBe(422);
    const text = textOf(res.text);
    expect(text).toContain('Enter the question');
    expect(text).toContain('Give at least two answers to choose from, one a line');
    expect(attribute(tagWithId(res.text, 'field-helpText'), 'value')).toBe('Kept');
    expect(res.text).toContain('>Only one</textarea>');
  });

  it('when a question with answers is removed, then it leaves the form and its answers stay with their wording', async () => {
    const event = await buildEvent(t.db);
    await organiser.agent.post(`/admin/events/${event.slug}/questions`).type('form').send({ _csrf: organiser.csrf, label: 'Which trust?', scope: 'attendee', kind: 'short_text' });
    const q = await t.db('event_questions').where({ event_id: event.id }).first();
    const p = person('setup-1');
    const booked = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p, answers: { [q.id]: 'NHS Fife' } }] });
    expect(booked.status).toBe(201);
    const removed = await organiser.agent.post(`/admin/events/${event.slug}/questions/${q.id}/remove`).type('form').send({ _csrf: organiser.csrf });
    expect(removed.headers.location).toContain('notice=archived');
    expect(textOf((await request(server).get(`/events/${event.slug}`)).text)).not.toContain('Which trust?');
    expect(await t.db('booking_answers').where({ question_id: q.id }).first()).toMatchObject({ label: 'Which trust?', value: 'NHS Fife' });
  });
});

describe('copying an event', () => {
  it('when an event with questions is copied, then the copy asks the same questions, its condition pointing at the copy, with no answers', async () => {
    const source = await buildEvent(t.db, { title: 'Seminar to copy' });
    const dinner = await buildQuestion(t.db, source.id, { kind: 'yes_no', label: 'Dinner?', position: 1 });
    await buildQuestion(t.db, source.id, { kind: 'single_choice', label: 'Menu?', options: ['Fish', 'Meat'], conditionQuestionId: dinner, conditionValue: 'yes', position: 2, isSensitive: true });
    const values = eventFormValues((await findEventBySlug(t.db, source.slug))!);
    const saved = await organiser.agent.post(`/admin/events/${source.slug}/copy`).type('form').send(editFormBody(values, organiser.csrf, { slug: '', title: 'Seminar copied', startsAt: '2027-03-16T09:30', endsAt: '2027-03-16T17:00' }));
    expect(saved.status).toBe(303);
    const copy = await t.db('events').where({ title: 'Seminar copied' }).first('id');
    const questions = await t.db('event_questions').where({ event_id: copy.id }).orderBy('position');
    expect(questions.map((q) => [q.label, q.kind, Boolean(q.is_sensitive), q.condition_value])).toEqual([['Dinner?', 'yes_no', false, null], ['Menu?', 'single_choice', true, 'yes']]);
    expect(questions[1].condition_question_id).toBe(questions[0].id);
  });
});

describe('discount codes, as organisers make them', () => {
  it('when an organiser creates a code limited to a ticket type with a use limit, then it is listed with its uses and works at booking', async () => {
    const event = await buildEvent(t.db, { kind: 'seminar', allowsInvoice: true, tickets: [{ name: 'Member', price: 6000, membersOnly: true }, { name: 'Student', price: 3000 }] });
    const created = await organiser.agent
      .post(`/admin/events/${event.slug}/codes`)
      .type('form')
      .send({ _csrf: organiser.csrf, code: 'students-half', forEvent: 'this', kind: 'percent', percent: '50', maxUses: '2', ticketTypeIds: String(event.ticketTypeIds[1]) });
    expect(created.status).toBe(303);
    const p = person('setup-2');
    const booked = await request(server)
      .post(`/api/v1/events/${event.slug}/bookings`)
      .send({ buyer: { ...p }, items: [{ ticketTypeId: event.ticketTypeIds[1], attendee: p }], discountCode: 'STUDENTS-HALF', paymentMethod: 'invoice', purchaseOrder: 'PO 7', billingContact: 'Accounts, a@example.org', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
    expect(booked.status).toBe(201);
    expect(booked.body.booking.total).toBe(1500);
    const list = await organiser.agent.get(`/admin/events/${event.slug}/codes`);
    expect(textOf(list.text)).toContain(`STUDENTS-HALF 50% off Test meeting`);
    expect(textOf(list.text)).toContain('Student Always 1 of 2 Any');
  });

  it('when a code’s validity has already ended, then it is refused beside the date; a date in British Summer Time is read in the event’s zone', async () => {
    const event = await buildEvent(t.db, { kind: 'seminar', tickets: [{ name: 'Non-member', price: 9500 }] });
    const past = await organiser.agent.post(`/admin/events/${event.slug}/codes`).type('form').send({ _csrf: organiser.csrf, code: 'GONEBY', forEvent: 'this', kind: 'free', validUntil: '2026-02-01T09:00' });
    expect(past.status).toBe(422);
    expect(past.text).toContain('id="field-validUntil-error"');
    expect(textOf(past.text)).toContain('That time has passed, so the code would never be valid');
    expect(attribute(tagWithId(past.text, 'field-code'), 'value')).toBe('GONEBY');
    expect(await t.db('discount_codes').where({ code: 'GONEBY' })).toHaveLength(0);
    const summer = await organiser.agent.post(`/admin/events/${event.slug}/codes`).type('form').send({ _csrf: organiser.csrf, code: 'SUMMER1', forEvent: 'this', kind: 'free', validFrom: '2026-03-29T02:30', validUntil: '2026-04-14T18:00' });
    expect(summer.status).toBe(303);
    const row = await t.db('discount_codes').where({ code: 'SUMMER1' }).first('valid_from', 'valid_until');
    expect([new Date(row.valid_from).toISOString(), new Date(row.valid_until).toISOString()]).toEqual(['2026-03-29T01:30:00.000Z', '2026-04-14T17:00:00.000Z']);
  });

  it('when a fixed amount off is more than any ticket at the event (pence typed as pounds), then it is refused beside the amount; the price itself is fine', async () => {
    const event = await buildEvent(t.db, { kind: 'seminar', tickets: [{ name: 'Member', price: 6000 }, { name: 'Non-member', price: 9500 }] });
    const tooMuch = await organiser.agent.post(`/admin/events/${event.slug}/codes`).type('form').send({ _csrf: organiser.csrf, code: 'PENCE2000', forEvent: 'this', kind: 'amount', amount: '2000' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.text).toContain('id="field-amount-error"');
    expect(textOf(tooMuch.text)).toContain('That is more than any ticket at this event costs (£95.00)');
    expect(attribute(tagWithId(tooMuch.text, 'field-amount'), 'value')).toBe('2000');
    const whole = await organiser.agent.post(`/admin/events/${event.slug}/codes`).type('form').send({ _csrf: organiser.csrf, code: 'WHOLE95', forEvent: 'this', kind: 'amount', amount: '95.00' });
    expect(whole.status).toBe(303);
  });

  it('when a percentage is 0, 101, -5, 33.333 or 1e2, then it is refused beside the field with what was typed kept; 100 is a whole price off', async () => {
    const event = await buildEvent(t.db, { kind: 'seminar', tickets: [{ name: 'Non-member', price: 9500 }] });
    for (const percent of ['0', '101', '-5', '33.333', '1e2', '٥٠']) {
      const res = await organiser.agent.post(`/admin/events/${event.slug}/codes`).type('form').send({ _csrf: organiser.csrf, code: 'PERCENTX', forEvent: 'this', kind: 'percent', percent });
      expect({ percent, status: res.status }).toEqual({ percent, status: 422 });
      expect(res.text).toContain('id="field-percent-error"');
      expect(attribute(tagWithId(res.text, 'field-percent'), 'value')).toBe(percent);
    }
    const whole = await organiser.agent.post(`/admin/events/${event.slug}/codes`).type('form').send({ _csrf: organiser.csrf, code: 'PERCENT100', forEvent: 'this', kind: 'percent', percent: '100' });
    expect(whole.status).toBe(303);
  });

  it('when the code form is wrong, then each mistake is shown at once, and a code that exists is refused', async () => {
    const event = await buildEvent(t.db, { kind: 'seminar', tickets: [{ name: 'Non-member', price: 9500 }] });
    const res = await organiser.agent.post(`/admin/events/${event.slug}/codes`).type('form').send({ _csrf: organiser.csrf, code: 'x', forEvent: 'this', kind: 'amount', amount: 'lots', validFrom: '2026-04-01T00:00', validUntil: '2026-03-01T00:00' });
    expect(res.status).toBe(422);
    const text = textOf(res.text);
    expect(text).toContain('Use 3 to 40 letters, digits, - or _, like STUDENT25');
    expect(text).toContain('Enter the amount off each place in pounds, like 20.00');
    expect(text).toContain('The code must stop being valid after it starts');
    await organiser.agent.post(`/admin/events/${event.slug}/codes`).type('form').send({ _csrf: organiser.csrf, code: 'TAKEN1', forEvent: 'this', kind: 'free' });
    const again = await organiser.agent.post(`/admin/events/${event.slug}/codes`).type('form').send({ _csrf: organiser.csrf, code: 'taken1', forEvent: 'this', kind: 'free' });
    expect(again.status).toBe(422);
    expect(textOf(again.text)).toContain('There is already a code TAKEN1; choose another');
  });

  it('when a code is withdrawn, then bookings with it are refused as withdrawn, and the treasurer cannot withdraw codes', async () => {
    const event = await buildEvent(t.db, { kind: 'seminar', allowsInvoice: true, tickets: [{ name: 'Non-member', price: 9500 }] });
    await organiser.agent.post(`/admin/events/${event.slug}/codes`).type('form').send({ _csrf: organiser.csrf, code: 'GONE-SOON', forEvent: 'this', kind: 'free' });
    const treasurer = await signIn(server, (await createStaff(t, 'treasurer')).email);
    const refused = await treasurer.agent.post('/admin/codes/GONE-SOON/withdraw').type('form').send({ _csrf: treasurer.csrf });
    expect(refused.status).toBe(403);
    const withdrawn = await organiser.agent.post('/admin/codes/GONE-SOON/withdraw').type('form').send({ _csrf: organiser.csrf, back: `/admin/events/${event.slug}/codes` });
    expect(withdrawn.headers.location).toBe(`/admin/events/${event.slug}/codes`);
    const p = person('setup-3');
    const res = await request(server).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: p, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: p }], discountCode: 'GONE-SOON', paymentMethod: 'invoice', purchaseOrder: 'PO', billingContact: 'A, a@example.org', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
    expect(res.body.error).toMatchObject({ code: 'discount_code_expired', details: [{ path: 'discountCode', message: 'The code GONE-SOON has been withdrawn by the organisers.' }] });
    expect(textOf((await organiser.agent.get('/admin/codes')).text)).toContain('GONE-SOON Withdrawn');
    const admin = await signIn(server, (await createStaff(t, 'admin')).email);
    const audit = textOf((await admin.agent.get('/admin/audit')).text);
    expect(audit).toContain('created the discount code GONE-SOON (free places) for “Test meeting');
    expect(audit).toContain('withdrew the discount code GONE-SOON.');
  });
});
