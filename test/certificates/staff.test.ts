import request from 'supertest';
import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { AFTER, book, buildSeminar, certificatePath, checkIn, runCertificates, uploadReport } from './support';

let t: TestApp;
let server: ReturnType<TestApp['app']['listen']>;
let organiser: SignedIn;

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
});
afterAll(async () => {
  server.close();
  await t.close();
});

async function organiserNow(): Promise<SignedIn> {
  organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
  return organiser;
}

const counts = async () => ({
  uploads: Number((await t.db('attendance_uploads').where({ status: 'pending' }).count({ n: '*' }).first())?.n),
  recorded: Number((await t.db('online_attendance').count({ n: '*' }).first())?.n),
});

describe('the organiser’s certificate page', () => {
  it('when attendance reports are bad (wrong columns, bad durations, not CSV, no file), then each is refused with its lines and nothing is recorded', async () => {
    t.clock.set('2026-03-02T12:00:00.000Z');
    const event = await buildSeminar(t);
    const someone = await book(t, event.slug, 1);
    t.clock.set(AFTER);
    await organiserNow();
    const before = await counts();

    const columns = await uploadReport(organiser.agent, organiser.csrf, event.slug, 'Email,Name,Membership Number\nattendee1@example.org,Attendee 1,1\n');
    expect(columns.status).toBe(422);
    expect(textOf(columns.text)).toContain('Nothing was recorded');
    expect(textOf(columns.text)).toMatch(/1 No participants table found/);

    const durations = await uploadReport(organiser.agent, organiser.csrf, event.slug, ['Full Name,Email,Duration', 'Attendee 1,attendee1@example.org,1h 5m', 'B,b@example.org,soon', 'C,c@example.org,5 hours-ish'].join('\n'));
    expect(durations.status).toBe(422);
    const text = textOf(durations.text);
    expect(text).toContain('3 duration "soon" is not a duration');
    expect(text).toContain('4 duration "5 hours-ish" is not a duration');

    const png = await uploadReport(organiser.agent, organiser.csrf, event.slug, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]), 'photo.csv');
    expect(png.status).toBe(422);
    expect(textOf(png.text)).toContain('not a CSV file');

    const none = await organiser.agent.post(`/admin/events/${event.slug}/attendance`).field('_csrf', organiser.csrf);
    expect(none.status).toBe(422);
    expect(textOf(none.text)).toContain('Choose the attendance report');

    const empty = await uploadReport(organiser.agent, organiser.csrf, event.slug, Buffer.alloc(0), 'participants.csv');
    expect(empty.status).toBe(422);
    expect(textOf(empty.text)).toContain('The file is empty.');
    expect(textOf(empty.text)).not.toContain('Choose the attendance report');

    expect(await counts()).toEqual(before);
    expect(await t.db('online_attendance').where({ attendee_id: someone.attendeeId }).first()).toBeUndefined();
  });

  it('when the settings are new, then seminars issue certificates and evening meetings do not; no hours means no certificate yet', async () => {
    t.clock.set('2026-03-02T12:00:00.000Z');
    const seminar = await buildSeminar(t);
    const meeting = await buildSeminar(t, { kind: 'evening_meeting', title: 'March evening meeting' });
    const atSeminar = await book(t, seminar.slug, 21);
    const atMeeting = await book(t, meeting.slug, 22);
    await checkIn(t, atSeminar.attendeeId);
    await checkIn(t, atMeeting.attendeeId);
    t.clock.set(AFTER);
    await organiserNow();

    const seminarPage = await organiser.agent.get(`/admin/events/${seminar.slug}/certificates`).expect(200);
    expect(seminarPage.text).toMatch(/id="field-issuesCertificates" name="issuesCertificates" type="checkbox" checked/);
    expect(textOf(seminarPage.text)).toContain('Certificates are on, but the CPD hours are not set');
    const meetingPage = await organiser.agent.get(`/admin/events/${meeting.slug}/certificates`).expect(200);
    expect(meetingPage.text).toMatch(/id="field-issuesCertificates" name="issuesCertificates" type="checkbox">/);

    expect(await runCertificates(t)).toBe(0);
    expect(textOf((await request(t.app).get(certificatePath(atSeminar)).expect(200)).text)).toContain('have not yet set the CPD hours');
    expect(textOf((await request(t.app).get(certificatePath(atMeeting)).expect(200)).text)).toContain('This event does not issue certificates');

    await organiser.agent.post(`/admin/events/${seminar.slug}/certificates`).type('form').send({ _csrf: organiser.csrf, issuesCertificates: 'on', cpdHours: '2', topics: '' }).expect(303);
    expect(await runCertificates(t)).toBe(1);
    const audit = await t.db('audit_log').where({ action: 'certificate_settings_changed' }).orderBy('id', 'desc').first('details');
    expect(JSON.parse(audit.details)).toMatchObject({ issues: true, hours: '2' });
  });

  it('when the settings form has mistakes, then every one is shown at once with what was typed', async () => {
    const event = await buildSeminar(t);
    await organiserNow();
    const res = await organiser.agent.post(`/admin/events/${event.slug}/certificates`).type('form').send({ _csrf: organiser.csrf, cpdHours: '1.33', topics: 'Ok', minOnlineMinutes: '0' });
    expect(res.status).toBe(422);
    const text = textOf(res.text);
    expect(text).toContain('Enter the CPD hours as a number like 1.5 or 2');
    expect(text).toContain('Enter the minutes as a whole number from 1 to 1440');
    expect(res.text).toContain('value="1.33"');
    expect(res.text).toContain('value="0"');
    expect(await t.db('certificate_settings').where({ event_id: event.id }).first()).toBeUndefined();
  });

  it('when the treasurer opens the page, then they may read it but not change the settings or upload', async () => {
    const event = await buildSeminar(t);
    const treasurer = await signIn(server, (await createStaff(t, 'treasurer')).email);
    await treasurer.agent.get(`/admin/events/${event.slug}/certificates`).expect(200);
    expect((await treasurer.agent.post(`/admin/events/${event.slug}/certificates`).type('form').send({ _csrf: treasurer.csrf, cpdHours: '1' })).status).toBe(403);
    expect((await uploadReport(treasurer.agent, treasurer.csrf, event.slug, 'Full Name,Email,Duration\nA,a@example.org,5\n')).status).toBe(403);
  });

  it('when each new staff page is asked for by the treasurer or by someone signed out, then reads are the treasurer’s, changes are refused, and the signed-out are sent to sign in', async () => {
    const event = await buildSeminar(t);
    const treasurer = await signIn(server, (await createStaff(t, 'treasurer')).email);
    const base = `/admin/events/${event.slug}`;
    const pages: Array<['get' | 'post', string, number]> = [
      ['get', `${base}/certificates`, 200],
      ['post', `${base}/certificates`, 403],
      ['post', `${base}/attendance`, 403],
      ['post', `${base}/attendance/1/record`, 403],
      ['get', `${base}/feedback`, 200],
      ['post', `${base}/feedback`, 403],
      ['get', `${base}/feedback.csv`, 200],
    ];
    for (const [method, path, forTreasurer] of pages) {
      const asTreasurer = method === 'get' ? await treasurer.agent.get(path) : await treasurer.agent.post(path).type('form').send({ _csrf: treasurer.csrf });
      expect([path, asTreasurer.status]).toEqual([path, forTreasurer]);
      const signedOut = method === 'get' ? await request(t.app).get(path) : await request(t.app).post(path).type('form').send({});
      expect([path, signedOut.status]).toEqual([path, 303]);
      expect(signedOut.headers.location).toMatch(/^\/admin\/sign-in/);
    }
  });
});
