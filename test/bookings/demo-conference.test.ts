import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { seedDemo } from '../../seeds/demo';
import { person } from '../support/factories';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/** The demo conference lets a newcomer try a registration question and the README's demo codes. */

let t: PaymentsTestApp;

beforeAll(async () => {
  t = await startPaymentsTestApp();
  await seedDemo(t.db, t.clock.now());
});
afterAll(async () => {
  await t.close();
});

describe('the demo conference', () => {
  it('when a newcomer books it with DEMO20 and answers the dinner questions, then the code comes off and the answers are kept; SPEAKER-DEMO books the hidden speaker place free', async () => {
    const conference = await t.db('events').where({ kind: 'conference' }).first('id', 'slug');
    const questions = (await request(t.app).get(`/api/v1/events/${conference.slug}/questions`)).body.questions as Array<{ id: number; label: string; condition: unknown }>;
    expect(questions.map((q) => q.label)).toContain('Which dinner menu would you like?');
    const dinner = questions.find((q) => q.label.startsWith('Will you come to the conference dinner'))!;
    const menu = questions.find((q) => q.label.startsWith('Which dinner menu'))!;
    expect(menu.condition).toEqual({ questionId: dinner.id, value: 'yes' });
    const listed = (await request(t.app).get(`/api/v1/events/${conference.slug}`)).body.event.ticketTypes as Array<{ id: number; name: string }>;
    expect(listed.map((tt) => tt.name)).not.toContain('Speaker');
    const nonMember = listed.find((tt) => tt.name === 'Non-member')!;

    const p = person('demo-1');
    const res = await request(t.app).post(`/api/v1/events/${conference.slug}/bookings`).send({ buyer: p, items: [{ ticketTypeId: nonMember.id, attendee: p }], discountCode: 'demo20', answers: { [dinner.id]: 'yes', [menu.id]: 'Fish' } });
    expect(res.status).toBe(201);
    expect(res.body.booking).toMatchObject({ total: 23600, discountCode: 'DEMO20', discountTotal: 5900 });

    const speaker = await t.db('ticket_types').where({ event_id: conference.id, name: 'Speaker' }).first('id');
    const s = person('demo-speaker');
    const free = await request(t.app).post(`/api/v1/events/${conference.slug}/bookings`).send({ buyer: s, items: [{ ticketTypeId: speaker.id, attendee: s }], discountCode: 'SPEAKER-DEMO', answers: { [dinner.id]: 'no' } });
    expect(free.status).toBe(201);
    expect(free.body.booking).toMatchObject({ status: 'confirmed', total: 0, paymentMethod: 'none' });
  });

  it('when a newcomer sends the README’s booking example as written, then its ticket and question ids are the demo conference’s and it books at the price the README says', async () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
    const example = /curl -H "Content-Type: application\/json" http:\/\/localhost:3000(\/api\/v1\/events\/[a-z0-9-]+\/bookings) -d '([^']+)'/.exec(readme);
    expect(example).not.toBeNull();
    // The conference's address carries its year (the demo places it a few months ahead of today).
    const conference = await t.db('events').where({ kind: 'conference' }).first('slug');
    expect(example![1]).toMatch(/^\/api\/v1\/events\/hsug-conference-\d{4}\/bookings$/);
    const res = await request(t.app).post(example![1].replace(/hsug-conference-\d{4}/, conference.slug)).send(JSON.parse(example![2]));
    expect(res.status).toBe(201);
    expect(res.body.booking).toMatchObject({ status: 'pending_payment', total: 23600, discountCode: 'DEMO20', discountTotal: 5900 });
    expect(readme).toContain('It answers 201 with a `pending_payment` booking of £236.00 (£59.00 off)');
  });
});
