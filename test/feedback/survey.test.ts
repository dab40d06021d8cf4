import request from 'supertest';
import { parse } from 'csv-parse/sync';
import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { AFTER, book, buildSeminar, checkIn, type Booked } from '../certificates/support';

let t: TestApp;
let server: ReturnType<TestApp['app']['listen']>;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
});
afterAll(async () => {
  server.close();
  await t.close();
});

const surveyPath = (b: Booked) => `/bookings/${b.reference}/seats/${b.attendeeId}/feedback`;
const answer = (b: Booked, answers: Record<string, string>) => request(t.app).post(surveyPath(b)).type('form').send({ token: b.token, ...answers });

/** An event with `n` people booked and checked in, the clock after it, and an organiser signed in. */
async function arrange(n: number, first: number): Promise<{ slug: string; eventId: number; people: Booked[]; organiser: SignedIn }> {
  t.clock.set('2026-03-02T12:00:00.000Z');
  const event = await buildSeminar(t);
  const people: Booked[] = [];
  for (let i = 0; i < n; i++) people.push(await book(t, event.slug, first + i));
  for (const p of people) await checkIn(t, p.attendeeId);
  t.clock.set(AFTER);
  const organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
  return { slug: event.slug, eventId: event.id, people, organiser };
}

const saveSurvey = (o: SignedIn, slug: string, settings: Record<string, string>) => o.agent.post(`/admin/events/${slug}/feedback`).type('form').send({ _csrf: o.csrf, isOpen: 'on', repeatRule: 'update', ...settings });

describe('the feedback survey', () => {
  it('when an attendee answers twice on a named survey set to update, then one response holds the second answers', async () => {
    const { eventId, people } = await arrange(1, 100);
    const [ada] = people;
    const form = await request(t.app).get(`${surveyPath(ada)}?token=${ada.token}`).expect(200);
    expect(textOf(form.text)).toContain('Overall, how would you rate this event?');

    const first = await answer(ada, { overall: '3', useful: 'The funnel plots', next: '' }).expect(303);
    expect(first.headers.location).toContain('sent=recorded');
    await answer(ada, { overall: '5', useful: 'The funnel plots, on reflection', next: 'Survival analysis' }).expect(303);

    const responses = await t.db('survey_responses').where({ event_id: eventId }).select('id', 'attendee_id');
    expect(responses).toHaveLength(1);
    expect(Number(responses[0].attendee_id)).toBe(ada.attendeeId);
    const answers = await t.db('survey_answers').where({ response_id: responses[0].id }).orderBy('question').select('question', 'rating', 'text');
    expect(answers).toEqual([
      { question: 'next', rating: null, text: 'Survival analysis' },
      { question: 'overall', rating: 5, text: null },
      { question: 'useful', rating: null, text: 'The funnel plots, on reflection' },
    ]);
  });

  it('when the organisers refuse second answers, then the second is refused and the first kept', async () => {
    const { slug, eventId, people, organiser } = await arrange(1, 110);
    await saveSurvey(organiser, slug, { repeatRule: 'refuse' }).expect(303);
    await answer(people[0], { overall: '4' }).expect(303);
    const again = await answer(people[0], { overall: '1' });
    expect(again.status).toBe(409);
    expect(textOf(again.text)).toContain('You have already answered this survey');
    const rows = await t.db('survey_answers as s').join('survey_responses as r', 'r.id', 's.response_id').where('r.event_id', eventId).select('s.rating');
    expect(rows).toEqual([{ rating: 4 }]);
  });

  it.each([
    ['refuse', 'named'],
    ['update', 'named'],
    ['refuse', 'anonymous'],
  ])('when one place sends five answers at once (second answers %s, %s survey), then one response is stored and the others are refused or replace it', async (repeatRule, mode) => {
    const { slug, eventId, people, organiser } = await arrange(1, 170 + (repeatRule === 'update' ? 5 : 0) + (mode === 'anonymous' ? 10 : 0));
    await saveSurvey(organiser, slug, { repeatRule, ...(mode === 'anonymous' ? { isAnonymous: 'on' } : {}) }).expect(303);
    const results = await Promise.all([1, 2, 3, 4, 5].map((rating) => answer(people[0], { overall: String(rating), useful: `Answer ${rating}` })));
    const statuses = results.map((r) => r.status).sort();
    if (repeatRule === 'update' && mode === 'named') expect(statuses).toEqual([303, 303, 303, 303, 303]);
    else expect(statuses).toEqual([303, 409, 409, 409, 409]);
    expect(results.every((r) => r.status !== 500)).toBe(true);
    const responses = await t.db('survey_responses').where({ event_id: eventId }).select('id');
    expect(responses).toHaveLength(1);
    const answers = await t.db('survey_answers').where({ response_id: responses[0].id }).select('question');
    expect(answers.map((a) => a.question).sort()).toEqual(['overall', 'useful']);
  });

  it('when the survey is anonymous, then no booking or attendee id is stored with the answers, and each place still answers once', async () => {
    const { slug, eventId, people, organiser } = await arrange(2, 120);
    await saveSurvey(organiser, slug, { isAnonymous: 'on' }).expect(303);
    const page = await request(t.app).get(`${surveyPath(people[0])}?token=${people[0].token}`).expect(200);
    expect(textOf(page.text)).toContain('This survey is anonymous');

    await answer(people[0], { overall: '2', useful: 'Nothing much' }).expect(303);
    await answer(people[1], { overall: '5' }).expect(303);
    expect((await answer(people[0], { overall: '5' })).status).toBe(409);

    const responses = await t.db('survey_responses').where({ event_id: eventId }).select('*');
    expect(responses).toHaveLength(2);
    const ids = new Set([...people.map((p) => String(p.attendeeId)), ...(await t.db('bookings').whereIn('reference', people.map((p) => p.reference)).pluck('id')).map(String)]);
    for (const r of responses) {
      expect(Object.keys(r).sort()).toEqual(['attendee_id', 'event_id', 'id', 'submitted_on']);
      expect(r.attendee_id).toBeNull();
      expect(String(r.id)).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.submitted_on).toBe('2026-03-17');
    }
    const answers = await t.db('survey_answers').whereIn('response_id', responses.map((r) => r.id)).select('*');
    for (const a of answers) {
      expect(Object.keys(a).sort()).toEqual(['question', 'rating', 'response_id', 'text']);
      expect(ids.has(String(a.response_id))).toBe(false);
    }
    // The "has answered" marker names the seat and nothing that leads to its answers.
    expect(await t.db('survey_respondents').where({ event_id: eventId }).orderBy('attendee_id').select('*')).toEqual(people.map((p) => ({ event_id: eventId, attendee_id: p.attendeeId })));
    // Once answered, the survey cannot be made named again.
    const change = await saveSurvey(organiser, slug, {});
    expect(change.status).toBe(422);
    expect(textOf(change.text)).toContain('cannot change between anonymous and named');
  });

  it('when the rating is missing or the event has not started, then the answer is refused and what was typed is kept', async () => {
    const { people } = await arrange(1, 130);
    const missing = await answer(people[0], { useful: 'The talk on =SUM(A1)' });
    expect(missing.status).toBe(422);
    expect(textOf(missing.text)).toContain('Choose a rating from 1 to 5');
    expect(missing.text).toContain('The talk on &#x3D;SUM(A1)');
    expect((await answer(people[0], { overall: '9' })).status).toBe(422);

    t.clock.set('2026-03-17T12:00:00.000Z');
    const early = await answer(people[0], { overall: '4' });
    expect(early.status).toBe(409);
    expect(textOf(early.text)).toContain('The feedback survey opens when the event starts');
    t.clock.set(AFTER);
  });

  it.each(['0', '6', 'abc', '3.5', '0x3', '1e0', '+4', '٣'])('when the rating is %s (not one of the five choices), then it is refused beside the field and nothing is stored', async (overall) => {
    const { eventId, people } = await arrange(1, 140);
    const res = await answer(people[0], { overall, next: 'More on waiting lists' });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain('Choose a rating from 1 to 5');
    expect(res.text).toContain('More on waiting lists');
    expect(await t.db('survey_responses').where({ event_id: eventId }).first()).toBeUndefined();
  });

  it('when the free text is longer than 2000 characters, then it is refused beside its field with all of it kept, and nothing is stored', async () => {
    const { eventId, people } = await arrange(1, 190);
    const long = 'Survival analysis & <b>funnel plots</b> '.repeat(130);
    const res = await answer(people[0], { overall: '5', useful: long });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain('Write at most 2000 characters');
    expect(res.text).toMatch(/id="field-useful"[^>]*aria-describedby="[^"]*field-useful-error/);
    expect(res.text).toContain('Survival analysis &amp; &lt;b&gt;funnel plots&lt;/b&gt; '.repeat(130).trim());
    expect(await t.db('survey_respondents').where({ event_id: eventId }).first()).toBeUndefined();
  });

  it('when a cancelled or waitlisted place answers, then it is refused with the reason and nothing is stored', async () => {
    const { eventId, people } = await arrange(2, 150);
    // Set as cancellation and the waitlist leave them (a booking cannot be cancelled through its link after the start).
    await t.db('bookings').where({ reference: people[0].reference }).update({ status: 'cancelled' });
    await t.db('attendees').where({ id: people[0].attendeeId }).update({ status: 'cancelled' });
    await t.db('bookings').where({ reference: people[1].reference }).update({ status: 'waitlisted' });
    for (const p of people) {
      const res = await answer(p, { overall: '5' });
      expect(res.status).toBe(409);
      expect(textOf(res.text)).toContain('Feedback is for people who held a place at the event.');
    }
    expect(await t.db('survey_respondents').where({ event_id: eventId }).first()).toBeUndefined();
  });

  it('when a place not recorded as attending answers too, then the response rate counts it among those who could answer and never passes 100%', async () => {
    const { slug, people, organiser } = await arrange(2, 160);
    const noShow = await (async () => {
      t.clock.set('2026-03-02T12:00:00.000Z');
      const booked = await book(t, slug, 169);
      t.clock.set(AFTER);
      return booked;
    })();
    for (const p of [...people, noShow]) expect((await answer(p, { overall: '4' })).status).toBe(303);
    const page = await organiser.agent.get(`/admin/events/${slug}/feedback`).expect(200);
    expect(/data-count="responses">(\d+)</.exec(page.text)?.[1]).toBe('3');
    expect(/data-count="rate">([^<]+)</.exec(page.text)?.[1]).toBe('100%');
  });

  it('when an organiser’s own question starts like a formula, then its column heading in the CSV is neutralised too', async () => {
    const { slug, people, organiser } = await arrange(1, 195);
    await saveSurvey(organiser, slug, { q1Label: '=HYPERLINK("http://evil.example","Rate the venue")', q1Kind: 'rating', q2Label: '-1 or +1: the new room?', q2Kind: 'text' }).expect(303);
    await answer(people[0], { overall: '4', x1: '5', x2: '+1' }).expect(303);
    const csv = await organiser.agent.get(`/admin/events/${slug}/feedback.csv`).expect(200);
    const [headers, row] = parse(csv.text.replace(/^\uFEFF/, ''), { relax_column_count: true }) as string[][];
    expect(headers.slice(-2)).toEqual(['\'=HYPERLINK("http://evil.example","Rate the venue")', "'-1 or +1: the new room?"]);
    expect(row.slice(-2)).toEqual(['5', "'+1"]);
  });

  it('when answers are seeded, then the organiser’s summary shows the count, the rate, the distribution and the free text, and the CSV neutralises formulas', async () => {
    const { slug, people, organiser } = await arrange(6, 140);
    await saveSurvey(organiser, slug, { q1Label: 'How was the venue?', q1Kind: 'rating', q2Label: 'Anything else?', q2Kind: 'text' }).expect(303);
    const seeded: Array<Record<string, string>> = [
      { overall: '5', useful: 'Funnel plots', next: 'Survival analysis', x1: '4' },
      { overall: '4', useful: '=HYPERLINK("http://evil.example","click")', x1: '3', x2: 'Coffee ran out' },
      { overall: '4', next: '+44 20 7638 8998' },
      { overall: '2', useful: '' },
      { overall: '5', x2: '@channel' },
    ];
    for (const [i, answers] of seeded.entries()) await answer(people[i], answers).expect(303);

    const page = await organiser.agent.get(`/admin/events/${slug}/feedback`).expect(200);
    expect(page.text).toContain('<dd data-count="responses">5</dd>');
    expect(page.text).toContain('<dd data-count="rate">83%</dd>');
    const overall = page.text.slice(page.text.indexOf('id="q-overall"'), page.text.indexOf('id="q-useful"'));
    expect([1, 2, 3, 4, 5].map((r) => new RegExp(`data-rating="${r}">(\\d+)<`).exec(overall)?.[1])).toEqual(['0', '1', '0', '2', '2']);
    expect(overall).toContain('<strong data-average>4.0</strong>');
    const venue = page.text.slice(page.text.indexOf('id="q-x1"'), page.text.indexOf('id="q-x2"'));
    expect(venue).toContain('<strong data-average>3.5</strong>');
    const text = textOf(page.text);
    expect(text).toContain('Funnel plots');
    expect(text).toContain('Survival analysis');
    expect(text).toContain('Coffee ran out');

    const csv = await organiser.agent.get(`/admin/events/${slug}/feedback.csv`).expect(200);
    expect(csv.headers['cache-control']).toBe('no-store');
    const rows = parse(csv.text, { bom: true }) as string[][];
    expect(rows[0]).toEqual(['Date', 'Name', 'Email', 'Overall, how would you rate this event?', 'What was most useful?', 'What should we cover next?', 'How was the venue?', 'Anything else?']);
    expect(rows).toHaveLength(6);
    const flat = rows.flat();
    expect(flat).toContain('\'=HYPERLINK("http://evil.example","click")');
    expect(flat).toContain("'+44 20 7638 8998");
    expect(flat).toContain("'@channel");
    expect(flat.some((cell) => /^[=+@]/.test(cell))).toBe(false);
  });

  it('when the survey is switched off, then the page says so and an answer is refused', async () => {
    const { slug, people, organiser } = await arrange(1, 150);
    await organiser.agent.post(`/admin/events/${slug}/feedback`).type('form').send({ _csrf: organiser.csrf, repeatRule: 'update' }).expect(303);
    expect(textOf((await request(t.app).get(`${surveyPath(people[0])}?token=${people[0].token}`).expect(200)).text)).toContain('not collecting feedback');
    expect((await answer(people[0], { overall: '5' })).status).toBe(409);
  });
});
