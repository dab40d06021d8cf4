import request from 'supertest';
import { CLI_ACTOR } from '../../src/admin/audit/log';
import { erasePerson } from '../../src/privacy/erase';
import { startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { AFTER, book, buildSeminar, checkIn, runCertificates } from './support';

describe('the verification page is limited like private links', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { RATE_LIMITS: 'on', RATE_LIMIT_LINKS: '3/10m' } });
  });
  afterAll(() => t.close());

  it('when one address tries many codes, then after the limit it is refused with 429 and told when to come back', async () => {
    for (let i = 0; i < 3; i++) await request(t.app).get(`/certificates/verify?code=AAAAA-BBBBB-CCCCC-DDDD${i}`).expect(200);
    const refused = await request(t.app).get('/certificates/verify?code=AAAAA-BBBBB-CCCCC-DDDD9');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(textOf(refused.text)).toContain('Please try again in');
  });
});

describe('erasing a person who has a certificate and answered a survey', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('when they are erased, then the certificate no longer names them and their survey answers are kept without their seat', async () => {
    const event = await buildSeminar(t);
    const ada = await book(t, event.slug, 'erase');
    await checkIn(t, ada.attendeeId);
    await t.db('certificate_settings').insert({ event_id: event.id, issues_certificates: true, cpd_minutes: 60, topics: '', updated_at: new Date().toISOString() });
    t.clock.set(AFTER);
    expect(await runCertificates(t)).toBe(1);
    await request(t.app).post(`/bookings/${ada.reference}/seats/${ada.attendeeId}/certificate`).type('form').send({ token: ada.token, name: 'Ada King, Countess of Lovelace' }).expect(303);
    await request(t.app).post(`/bookings/${ada.reference}/seats/${ada.attendeeId}/feedback`).type('form').send({ token: ada.token, overall: '5', useful: 'All of it' }).expect(303);

    await erasePerson(t.ctx, CLI_ACTOR, ada.email);

    const certificate = await t.db('certificates').where({ attendee_id: ada.attendeeId }).first('name', 'code');
    expect(certificate.name).toBe('Removed');
    expect(textOf((await request(t.app).get(`/certificates/verify?code=${certificate.code}`).expect(200)).text)).toContain('Name Removed');
    const responses = await t.db('survey_responses').where({ event_id: event.id }).select('attendee_id');
    expect(responses).toEqual([{ attendee_id: null }]);
    const audit = await t.db('audit_log').where({ action: 'certificate_name_corrected' }).first('details');
    expect(audit.details).not.toContain('Countess');
  });
});

describe('erasing a person who attended before the certificate job runs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('when they are erased first, then the job issues them no certificate and queues no email to the removed address, and the others still get theirs', async () => {
    const event = await buildSeminar(t);
    const gone = await book(t, event.slug, 'erased-first');
    const kept = await book(t, event.slug, 'kept');
    for (const p of [gone, kept]) await checkIn(t, p.attendeeId);
    await t.db('certificate_settings').insert({ event_id: event.id, issues_certificates: true, cpd_minutes: 60, topics: '', updated_at: new Date().toISOString() });
    t.clock.set(AFTER);
    await erasePerson(t.ctx, CLI_ACTOR, gone.email);

    expect(await runCertificates(t)).toBe(1);
    expect(await t.db('certificates').where({ attendee_id: gone.attendeeId }).first()).toBeUndefined();
    const queued = await t.db('outbox_emails').where({ kind: 'certificate', event_id: event.id }).select('to_address');
    expect(queued).toEqual([{ to_address: kept.email }]);
  });
});

describe('two instances running the certificate job at once', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('when both run together, then each attendee is still emailed exactly once', async () => {
    const event = await buildSeminar(t);
    for (let n = 0; n < 8; n++) await checkIn(t, (await book(t, event.slug, `pair-${n}`)).attendeeId);
    await t.db('certificate_settings').insert({ event_id: event.id, issues_certificates: true, cpd_minutes: 90, topics: '', updated_at: new Date().toISOString() });
    t.clock.set(AFTER);

    const [a, b, c] = await Promise.all([runCertificates(t), runCertificates(t), runCertificates(t)]);
    expect(a + b + c).toBe(8);
    expect(Number((await t.db('outbox_emails').where({ kind: 'certificate', event_id: event.id }).count({ n: '*' }).first())?.n)).toBe(8);
    expect(Number((await t.db('certificates').where({ event_id: event.id }).count({ n: '*' }).first())?.n)).toBe(8);
  });
});

describe('the demo data', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('when the demo events load, then the seminar, the conference and the online webinar issue certificates with their CPD hours', async () => {
    const { seedDemo } = await import('../../seeds/demo');
    await seedDemo(t.db, new Date('2026-03-02T12:00:00Z'));
    const rows = await t.db('certificate_settings as c').join('events as e', 'e.id', 'c.event_id').orderBy('e.kind').orderBy('c.cpd_minutes', 'desc').select('e.kind', 'c.cpd_minutes', 'c.issues_certificates');
    // The one-hour online webinar (issue 12's demo) is a seminar too, with its hour.
    expect(rows.map((r) => [r.kind, Number(r.cpd_minutes), Boolean(r.issues_certificates)])).toEqual([['conference', 720, true], ['seminar', 360, true], ['seminar', 60, true]]);
  });
});
