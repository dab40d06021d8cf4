import request from 'supertest';
import { buildCode, buildQuestion } from '../support/codes';
import { buildEvent, person } from '../support/factories';
import { attribute, tagWithId, textOf } from '../support/html';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/** Issue 18: registration questions at booking, checked on the server, answers stored with the wording given under. */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
});
afterAll(async () => {
  await t.close();
});

let n = 0;
function freeBody(extra: Record<string, unknown> = {}, itemAnswers?: Record<string, unknown>) {
  const p = person(`q-${++n}`);
  return { buyer: { name: p.name, email: p.email }, items: [{ attendee: p, ...(itemAnswers ? { answers: itemAnswers } : {}) }], ...extra };
}

async function answersOf(reference: string) {
  const booking = await t.db('bookings').where({ reference }).first();
  return t.db('booking_answers').where({ booking_id: booking.id }).orderBy('id');
}

/** A meeting asking: which trust (required text), networking (yes/no), and, only if yes, which session (a choice). */
async function meetingWithQuestions() {
  const event = await buildEvent(t.db);
  const trust = await buildQuestion(t.db, event.id, { label: 'Which trust or region are you from?', position: 1 });
  const networking = await buildQuestion(t.db, event.id, { kind: 'yes_no', label: 'Will you stay for the networking?', position: 2 });
  const session = await buildQuestion(t.db, event.id, { kind: 'single_choice', label: 'Which networking table?', options: ['Methods', 'Data linkage'], conditionQuestionId: networking, conditionValue: 'yes', position: 3 });
  const topics = await buildQuestion(t.db, event.id, { scope: 'attendee', kind: 'multiple_choice', label: 'Topics you work on', options: ['Mortality', 'Waiting times', 'Workforce'], isRequired: false, position: 4 });
  return { event, trust, networking, session, topics };
}

describe('registration questions over the API', () => {
  it('when every answer is given, then each is stored with its wording, per booking and per attendee, and listed for API clients', async () => {
    const { event, trust, networking, session, topics } = await meetingWithQuestions();
    const listed = await request(t.app).get(`/api/v1/events/${event.slug}/questions`);
    expect(listed.status).toBe(200);
    expect(listed.body.questions.map((q: { id: number; kind: string }) => [q.id, q.kind])).toEqual([[trust, 'short_text'], [networking, 'yes_no'], [session, 'single_choice'], [topics, 'multiple_choice']]);
    expect(listed.body.questions[2].condition).toEqual({ questionId: networking, value: 'yes' });

    const res = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBody({ answers: { [trust]: 'NHS Lothian', [networking]: true, [session]: 'Methods' } }, { [topics]: ['Mortality', 'Workforce'] }));
    expect(res.status).toBe(201);
    const stored = await answersOf(res.body.booking.reference);
    expect(stored.map((a) => [a.label, a.value, a.attendee_id === null ? 'booking' : 'attendee'])).toEqual([
      ['Which trust or region are you from?', 'NHS Lothian', 'booking'],
      ['Will you stay for the networking?', 'yes', 'booking'],
      ['Which networking table?', 'Methods', 'booking'],
      ['Topics you work on', '["Mortality","Workforce"]', 'attendee'],
    ]);
    const token = new URL(res.body.booking.manageUrl).searchParams.get('token');
    const read = await request(t.app).get(`/api/v1/bookings/${res.body.booking.reference}`).set('Authorization', `Bearer ${token}`);
    const seatPage = await request(t.app).get(`/bookings/${res.body.booking.reference}/seats/${res.body.booking.attendees[0].id}?token=${token}`);
    expect(textOf(seatPage.text)).toContain('Topics you work on Mortality; Workforce');
    expect(textOf(seatPage.text)).not.toContain('NHS Lothian');
    expect(read.body.booking.answers).toEqual([
      { questionId: trust, attendeeId: null, question: 'Which trust or region are you from?', answer: 'NHS Lothian' },
      { questionId: networking, attendeeId: null, question: 'Will you stay for the networking?', answer: 'Yes' },
      { questionId: session, attendeeId: null, question: 'Which networking table?', answer: 'Methods' },
      { questionId: topics, attendeeId: res.body.booking.attendees[0].id, question: 'Topics you work on', answer: 'Mortality; Workforce' },
    ]);
  });

  it('when a required answer is missing, a choice is not offered and an answer is too long, then 422 names each with every other wrong field at once', async () => {
    const { event, trust, networking, session, topics } = await meetingWithQuestions();
    const body = freeBody({ answers: { [networking]: 'yes', [session]: 'Cooking' } }, { [topics]: ['Astrology'] });
    (body.buyer as { name: string }).name = '';
    const res = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(body);
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'buyer.name', message: 'Enter your name' },
        { path: `answers.${trust}`, message: 'Answer “Which trust or region are you from?”' },
        { path: `answers.${session}`, message: 'Choose one of the answers offered to “Which networking table?”' },
        { path: `items.0.answers.${topics}`, message: 'Choose only answers offered to “Topics you work on”' },
      ]),
    );
    const long = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBody({ answers: { [trust]: 'x'.repeat(201), [networking]: 'no' } }));
    expect(long.status).toBe(422);
    expect(long.body.error.details).toEqual([{ path: `answers.${trust}`, message: '“Which trust or region are you from?”: Must be at most 200 characters' }]);
  });

  it('when the condition of a question is not met, then its answer is not required and anything sent for it is ignored', async () => {
    const { event, trust, networking, session } = await meetingWithQuestions();
    const res = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBody({ answers: { [trust]: 'ONS', [networking]: false, [session]: 'Methods' } }));
    expect(res.status).toBe(201);
    expect((await answersOf(res.body.booking.reference)).map((a) => a.label)).toEqual(['Which trust or region are you from?', 'Will you stay for the networking?']);
    const missing = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBody({ answers: { [trust]: 'ONS', [networking]: 'yes' } }));
    expect(missing.status).toBe(422);
    expect(missing.body.error.details).toEqual([{ path: `answers.${session}`, message: 'Choose an answer to “Which networking table?”' }]);
  });

  it('when a question is reworded after someone answered it, then their answer keeps the wording they answered', async () => {
    const { event, trust, networking } = await meetingWithQuestions();
    const res = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBody({ answers: { [trust]: 'NHS Fife', [networking]: 'no' } }));
    await t.db('event_questions').where({ id: trust }).update({ label: 'Which organisation do you work for?' });
    const later = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBody({ answers: { [trust]: 'UKHSA', [networking]: 'no' } }));
    expect((await answersOf(res.body.booking.reference))[0]).toMatchObject({ label: 'Which trust or region are you from?', value: 'NHS Fife', question_id: trust });
    expect((await answersOf(later.body.booking.reference))[0]).toMatchObject({ label: 'Which organisation do you work for?', value: 'UKHSA', question_id: trust });
  });
});

describe('registration questions on the forms (no JavaScript)', () => {
  it('when the registration form is opened, then each question is there, and the conditional one says when to answer it', async () => {
    const { event, session, networking } = await meetingWithQuestions();
    const page = await request(t.app).get(`/events/${event.slug}`);
    expect(page.status).toBe(200);
    const text = textOf(page.text);
    expect(text).toContain('Which trust or region are you from?');
    expect(text).toContain('Answer this only if you answered “yes” to “Will you stay for the networking?”.');
    expect(tagWithId(page.text, `field-answer_${networking}`)).toContain('type="radio"');
    expect(tagWithId(page.text, `field-answer_${session}`)).toContain('value="Methods"');
  });

  it('when the registration form misses a required answer and picks a choice not offered, then 422 shows each error beside its question and keeps everything typed', async () => {
    const { event, trust, networking, session, topics } = await meetingWithQuestions();
    const res = await request(t.app)
      .post(`/events/${event.slug}/register`)
      .type('form')
      .send(`name=Ada+Lovelace&email=ada-q%40example.org&dietary=Vegan&answer_${networking}=yes&answer_${session}=Cooking&seat_0_answer_${topics}=Mortality&seat_0_answer_${topics}=Workforce`);
    expect(res.status).toBe(422);
    expect(res.text).toContain(`id="field-answer_${trust}-error"`);
    expect(tagWithId(res.text, `field-answer_${trust}`)).toContain(`aria-describedby="field-answer_${trust}-error"`);
    expect(textOf(res.text)).toContain('Error: Answer “Which trust or region are you from?”');
    expect(textOf(res.text)).toContain('Error: Choose one of the answers offered to “Which networking table?”');
    expect(res.text).toContain(`href="#field-answer_${trust}"`);
    expect(attribute(tagWithId(res.text, 'field-name'), 'value')).toBe('Ada Lovelace');
    expect(res.text).toContain('>Vegan</textarea>');
    expect(tagWithId(res.text, `field-answer_${networking}`)).toContain('checked');
    expect(tagWithId(res.text, `field-seat_0_answer_${topics}`)).toContain('checked');
    expect(tagWithId(res.text, `field-seat_0_answer_${topics}-2`)).toContain('checked');
    expect(tagWithId(res.text, `field-seat_0_answer_${topics}-1`)).not.toContain('checked');
    expect(Number((await t.db('bookings').where({ event_id: event.id }).count({ n: '*' }).first())?.n)).toBe(0);
  });

  it('when the paid booking form has a wrong code and a missing answer, then both are shown beside their fields and the code typed is kept', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const trust = await buildQuestion(t.db, event.id, { scope: 'attendee', label: 'Which trust?' });
    const form = { buyer_name: 'Ada Lovelace', buyer_email: 'ada-b@example.org', seat_0_type: String(event.ticketTypeIds[1]), seat_0_price: '9500', payment_method: 'card', discount_code: 'WRONG' };
    const missing = await request(t.app).post(`/events/${event.slug}/book`).type('form').send(form);
    expect(missing.status).toBe(422);
    expect(textOf(missing.text)).toContain('Error: Place 1: Answer “Which trust?”');
    const wrong = await request(t.app).post(`/events/${event.slug}/book`).type('form').send({ ...form, [`seat_0_answer_${trust}`]: 'NHS Fife' });
    expect(wrong.status).toBe(409);
    expect(textOf(wrong.text)).toContain('Error: We do not recognise the code “WRONG” for this event.');
    expect(attribute(tagWithId(wrong.text, 'field-discount_code'), 'value')).toBe('WRONG');
    expect(attribute(tagWithId(wrong.text, `field-seat_0_answer_${trust}`), 'value')).toBe('NHS Fife');
  });

  it('when the paid booking form has a code that makes it free and the answers, then the booking is confirmed at once without payment', async () => {
    const event = await buildEvent(t.db, paidEvent());
    const trust = await buildQuestion(t.db, event.id, { scope: 'attendee', label: 'Which trust?' });
    await buildCode(t.db, { code: `FORMFREE-${event.id}`, eventId: event.id, kind: 'free' });
    const res = await request(t.app).post(`/events/${event.slug}/book`).type('form').send({ buyer_name: 'Ada Lovelace', buyer_email: 'ada-f@example.org', seat_0_type: String(event.ticketTypeIds[1]), seat_0_price: '9500', payment_method: 'card', discount_code: `formfree-${event.id}`, [`seat_0_answer_${trust}`]: 'NHS Fife' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/bookings\/HSUG-/);
    const page = await request(t.app).get(res.headers.location);
    expect(textOf(page.text)).toContain('Which trust?');
    expect(textOf(page.text)).toContain('NHS Fife');
    expect(textOf(page.text)).toContain(`code FORMFREE-${event.id}`);
  });

  it('when a question depends on one that is no longer asked, or is asked the other way, then it is asked unconditionally (as the form shows it) and its answer is kept, not dropped', async () => {
    const event = await buildEvent(t.db);
    const gone = await buildQuestion(t.db, event.id, { kind: 'yes_no', label: 'Will you stay for the networking?', position: 1 });
    const perSeat = await buildQuestion(t.db, event.id, { scope: 'attendee', kind: 'yes_no', label: 'Will you come to the dinner?', position: 2 });
    const table = await buildQuestion(t.db, event.id, { label: 'Which table would you like?', conditionQuestionId: gone, conditionValue: 'yes', position: 3 });
    const menu = await buildQuestion(t.db, event.id, { label: 'Which menu would you like?', isRequired: false, conditionQuestionId: perSeat, conditionValue: 'yes', position: 4 });
    await t.db('event_questions').where({ id: gone }).update({ is_archived: true });
    const page = await request(t.app).get(`/events/${event.slug}`);
    expect(textOf(page.text)).not.toContain('Answer this only if');

    const missing = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBody({}, { [perSeat]: false }));
    expect(missing.status).toBe(422);
    expect(missing.body.error.details).toEqual([{ path: `answers.${table}`, message: 'Answer “Which table would you like?”' }]);
    const res = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBody({ answers: { [table]: 'Methods', [menu]: 'Fish' } }, { [perSeat]: false }));
    expect(res.status).toBe(201);
    expect((await answersOf(res.body.booking.reference)).map((a) => [a.label, a.value])).toEqual([
      ['Which table would you like?', 'Methods'],
      ['Which menu would you like?', 'Fish'],
      ['Will you come to the dinner?', 'no'],
    ]);
    const listed = await request(t.app).get(`/api/v1/events/${event.slug}/questions`);
    expect(listed.body.questions.map((q: { label: string; condition: unknown }) => [q.label, q.condition])).toEqual([
      ['Will you come to the dinner?', null],
      ['Which table would you like?', null],
      ['Which menu would you like?', null],
    ]);
  });

  it('when a required question is added after bookings exist, then their pages, seat pages and seat changes still work without an answer', async () => {
    const event = await buildEvent(t.db);
    const booked = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(freeBody());
    expect(booked.status).toBe(201);
    await buildQuestion(t.db, event.id, { label: 'Which trust or region are you from?', position: 1 });
    await buildQuestion(t.db, event.id, { scope: 'attendee', kind: 'yes_no', label: 'Will you come to the dinner?', position: 2 });
    const manage = new URL(booked.body.booking.manageUrl);
    const page = await request(t.app).get(`${manage.pathname}${manage.search}`);
    expect(page.status).toBe(200);
    const api = await request(t.app).get(`/api/v1/bookings/${booked.body.booking.reference}${manage.search}`);
    expect(api.status).toBe(200);
    expect(api.body.booking.answers).toEqual([]);
    const seat = await t.db('attendees').join('bookings', 'bookings.id', 'attendees.booking_id').where('bookings.reference', booked.body.booking.reference).first('attendees.id', 'attendees.name', 'attendees.email');
    const token = manage.searchParams.get('token')!;
    const seatPage = await request(t.app).get(`/bookings/${booked.body.booking.reference}/seats/${seat.id}?token=${token}`);
    expect(seatPage.status).toBe(200);
    const changed = await request(t.app).post(`/bookings/${booked.body.booking.reference}/seats/${seat.id}`).type('form').send({ token, name: seat.name, email: seat.email, dietary: 'Vegetarian' });
    expect(changed.status).toBe(303);
    expect((await t.db('attendees').where({ id: seat.id }).first()).dietary).toBe('Vegetarian');
  });
});
