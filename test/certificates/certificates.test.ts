import request from 'supertest';
import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { startTestApp, type TestApp } from '../support/app';
import { decode, textOf } from '../support/html';
import { pdfText } from '../support/pdf-text';
import { toDbTime } from '../../src/lib/time';
import { AFTER, ENDS, binary, book, buildSeminar, certificatePath, checkIn, pdfPath, runCertificates, uploadReport, type Booked } from './support';

let t: TestApp;
let server: ReturnType<TestApp['app']['listen']>;
let organiser: SignedIn;
let slug: string;
let people: Booked[];
let cancelled: Booked;
let waitlisted: Booked;
let joiner: Booked;

/**
 * Zoom's participant export with the meeting's details above it: attendee 7 left and rejoined (two rows, 40 + 30
 * minutes), 8 and 9 stayed, 10 left after half an hour, 11 cancelled their booking, and two people hold no place.
 */
const ZOOM = [
  'Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants',
  '812 3456 7890,Waiting times in the NHS,03/17/2026 12:58:01 PM,03/17/2026 03:02:44 PM,host@hsug.test,125,7',
  '',
  'Name (Original Name),User Email,Total Duration (Minutes),Guest',
  'Attendee 7,attendee7@example.org,40,No',
  'Attendee 8,ATTENDEE8@Example.org ,95,No',
  'Attendee 9 (Dr A Nine),attendee9@example.org,61,No',
  'Attendee 7,attendee7@example.org,30,No',
  'Attendee 10,attendee10@example.org,30,No',
  'Attendee 11,attendee11@example.org,100,No',
  'Phone caller,,80,Yes',
  'Someone Else,someone@elsewhere.org,90,Yes',
].join('\n');

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  const event = await buildSeminar(t);
  slug = event.slug;
  people = [];
  for (let n = 1; n <= 10; n++) people.push(await book(t, slug, n));
  cancelled = await book(t, slug, 11);
  waitlisted = await book(t, slug, 12);
  // Person 13 attends online later in this file: they open their joining link (issue 12 records joined_at).
  joiner = await book(t, slug, 13);
  // Six came to the door; the other four joined online.
  for (const p of people.slice(0, 6)) await checkIn(t, p.attendeeId);
  await t.db('attendees').whereIn('id', people.slice(6).map((p) => p.attendeeId)).update({ mode: 'online' });
  // Booking 11 was checked in and then cancelled; booking 12 is on the waitlist (set here as the waitlist would leave it).
  await checkIn(t, cancelled.attendeeId);
  await request(t.app).post(`/api/v1/bookings/${cancelled.reference}/cancel`).set('Authorization', `Bearer ${cancelled.token}`).expect(200);
  await t.db('bookings').where({ reference: waitlisted.reference }).update({ status: 'waitlisted' });
  await checkIn(t, waitlisted.attendeeId);

  // The organiser works after the event (a session does not last the two weeks in between).
  t.clock.set(AFTER);
  organiser = await signIn(server, (await createStaff(t, 'organiser')).email);

  await organiser.agent
    .post(`/admin/events/${slug}/certificates`)
    .type('form')
    .send({ _csrf: organiser.csrf, issuesCertificates: 'on', cpdHours: '1.5', topics: 'Waiting-time statistics; speakers Ada Lovelace and William Farr', minOnlineMinutes: '' })
    .expect(303);
});
afterAll(async () => {
  server.close();
  await t.close();
});

const getPdf = (path: string) => request(t.app).get(path).buffer(true).parse(binary);

describe('certificates of attendance, from the door, the joining link and an uploaded Zoom report', () => {
  it('when a Zoom report is uploaded, then the preview shows matched, below-threshold and unmatched rows and nothing is recorded yet', async () => {
    const preview = await uploadReport(organiser.agent, organiser.csrf, slug, ZOOM).expect(200);

    const count = (name: string) => new RegExp(`<dd data-count="${name}">(\\d+)</dd>`).exec(preview.text)?.[1];
    expect([count('matched'), count('below'), count('unmatched')]).toEqual(['3', '1', '3']);
    const text = textOf(preview.text);
    expect(text).toContain('present at least 60 minutes counts as attending');
    expect(text).toMatch(/Attendee 7 attendee7@example\.org Attendee 7 70/);
    expect(text).toMatch(/Attendee 10 attendee10@example\.org Attendee 10 30/);
    expect(text).toMatch(/Attendee 11 attendee11@example\.org \d+(, \d+)* 100/);
    // The numbers beside an unmatched row are where it is in the file, not how many times the person joined.
    expect(text).toContain('Name in the report Email Lines in the file Minutes');
    expect(await t.db('online_attendance').count({ n: '*' }).first()).toEqual({ n: expect.anything() });
    expect(Number((await t.db('online_attendance').count({ n: '*' }).first())?.n)).toBe(0);
    expect(await runCertificates(t)).toBe(6);
    await t.db('certificates').delete();
    await t.db('outbox_emails').where({ kind: 'certificate' }).delete();

    const action = /action="(\/admin\/events\/[^"]+\/attendance\/\d+\/record)"/.exec(preview.text)?.[1] as string;
    const recorded = await organiser.agent.post(action).type('form').send({ _csrf: organiser.csrf }).expect(303);
    const page = await organiser.agent.get(recorded.headers.location).expect(200);
    expect(textOf(page.text)).toContain('Attendance recorded: 3 people present long enough.');
    expect(new RegExp('<dd data-count="attended">9</dd>').test(page.text)).toBe(true);
    // Recording the same preview again records nothing more.
    const again = await organiser.agent.post(action).type('form').send({ _csrf: organiser.csrf });
    expect(again.status).toBe(409);
    expect(textOf(again.text)).toContain('already recorded');
  });

  it('when the certificate job runs after the event, then exactly 9 people are emailed once, and running it again sends none', async () => {
    const before = t.smtp.messages.length;
    expect(await runCertificates(t)).toBe(9);
    await t.sendMail();
    const mails = t.smtp.messages.slice(before).filter((m) => m.subject?.startsWith('Your certificate of attendance'));
    expect(mails).toHaveLength(9);
    expect(mails.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0].address).sort()).toEqual(people.slice(0, 9).map((p) => p.email).sort());
    expect(mails[0].subject).toBe('Your certificate of attendance: Waiting times in the NHS');
    expect(mails[0].text).toContain('1.5 hours of continuing professional development');
    expect(mails[0].text).toMatch(/http:\/\/events\.test\/bookings\/HSUG-[A-Z0-9-]+\/seats\/\d+\/certificate\?token=/);
    expect(mails[0].text).toMatch(/Tell us how it went \(three short questions\): http:\/\/events\.test\/bookings\/.+\/feedback\?token=/);

    expect(await runCertificates(t)).toBe(0);
    await t.sendMail();
    expect(t.smtp.messages.slice(before).filter((m) => m.subject?.startsWith('Your certificate'))).toHaveLength(9);
  });

  it('when the link in the email is followed, then the certificate page and the PDF hold every field, in the event’s zone', async () => {
    const mail = t.smtp.messages.find((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0].address === people[0].email && m.subject?.startsWith('Your certificate'));
    const link = new URL(/http:\/\/events\.test\/\S+\/certificate\?token=\S+/.exec(mail?.text ?? '')?.[0] as string);
    const page = await request(t.app).get(link.pathname + link.search).expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const code = /<code>([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5})<\/code>/.exec(page.text)?.[1] as string;
    expect(code).toBeDefined();
    expect(mail?.text).toContain(`Verification code: ${code}`);

    const pdf = await getPdf(pdfPath(people[0])).expect(200).expect('content-type', 'application/pdf');
    expect(pdf.headers['content-disposition']).toBe(`attachment; filename="certificate-${slug}.pdf"`);
    const { text, pages, info } = await pdfText(pdf.body as Buffer);
    expect(pages).toBe(1);
    expect(text).toContain('Certificate of attendance');
    expect(text).toContain('Attendee 1');
    expect(text).toContain('Waiting times in the NHS');
    expect(text).toContain('Tuesday 17 March 2026, 1:00pm to 3:00pm GMT (Europe/London)');
    expect(text).toContain('Continuing professional development: 1.5 hours');
    expect(text).toContain('Waiting-time statistics; speakers Ada Lovelace and William Farr');
    expect(text).toContain('Health Statistics User Group');
    expect(text).toContain(`Verification code: ${code}`);
    expect(text).toContain(`Anyone can check this certificate at\nhttp://events.test/certificates/verify?code=${code.replace(/-/g, '')}`);
    expect(info.Title).toBe('Certificate of attendance: Attendee 1, Waiting times in the NHS');
  });

  it('when a code is verified, then a real one shows the name, event, date and hours, and an altered or unknown one is not valid', async () => {
    const row = await t.db('certificates').where({ attendee_id: people[7].attendeeId }).first('code');
    const code = String(row.code);
    const shown = `${code.slice(0, 5)}-${code.slice(5, 10)}-${code.slice(10, 15)}-${code.slice(15)}`;

    const real = await request(t.app).get(`/certificates/verify?code=${shown}`).expect(200);
    const text = textOf(real.text);
    expect(text).toContain('This certificate is valid');
    expect(text).toContain('Name Attendee 8');
    expect(text).toContain('Event Waiting times in the NHS');
    expect(text).toContain('Date and times Tuesday 17 March 2026, 1:00pm to 3:00pm GMT (Europe/London)');
    expect(text).toContain('CPD 1.5 hours');
    // Typed as people type: lower case, spaces instead of dashes.
    expect(textOf((await request(t.app).get(`/certificates/verify?code=${encodeURIComponent(shown.toLowerCase().replace(/-/g, ' '))}`).expect(200)).text)).toContain('This certificate is valid');

    const last = code[19] === 'A' ? 'B' : 'A';
    const altered = await request(t.app).get(`/certificates/verify?code=${code.slice(0, 19)}${last}`).expect(200);
    expect(textOf(altered.text)).toContain('This code is not valid');
    expect(textOf(altered.text)).not.toContain('Attendee 8');
    expect(textOf((await request(t.app).get('/certificates/verify?code=hello').expect(200)).text)).toContain('This code is not valid');
    expect(textOf((await request(t.app).get(`/certificates/verify?code=${'x'.repeat(500)}`).expect(200)).text)).toContain('This code is not valid');
    // The form, with nothing typed yet.
    expect(textOf((await request(t.app).get('/certificates/verify').expect(200)).text)).toContain('Verification code');
  });

  it('when a no-show, a cancelled booking or a waitlisted one asks for the PDF, then it is refused with 403', async () => {
    const noShow = await getPdf(pdfPath(people[9]));
    expect(noShow.status).toBe(403);
    const cancelledPdf = await getPdf(pdfPath(cancelled));
    expect(cancelledPdf.status).toBe(403);
    const waiting = await getPdf(pdfPath(waitlisted));
    expect(waiting.status).toBe(403);
    const page = await request(t.app).get(certificatePath(people[9])).expect(200);
    expect(textOf(page.text)).toContain('Our records do not show this place as attended');
    expect(textOf((await request(t.app).get(certificatePath(cancelled)).expect(200)).text)).toContain('This place was cancelled, or never confirmed');
    // A wrong token is no booking at all.
    expect((await getPdf(`/bookings/${people[0].reference}/seats/${people[0].attendeeId}/certificate.pdf?token=${'x'.repeat(43)}`)).status).toBe(404);
  });

  it('when the PDF is asked for before the event has ended, then it is refused with 403', async () => {
    t.clock.set(new Date(new Date(ENDS).getTime() - 60_000));
    try {
      const res = await getPdf(pdfPath(people[1]));
      expect(res.status).toBe(403);
      expect(textOf((await request(t.app).get(certificatePath(people[1])).expect(200)).text)).toContain('Certificates of attendance are issued after the event ends');
    } finally {
      t.clock.set(AFTER);
    }
  });

  it('when the attendee corrects the name before the first download, then the PDF carries it, the change is audited, and after the download it is fixed', async () => {
    const who = people[2];
    const path = `/bookings/${who.reference}/seats/${who.attendeeId}/certificate`;
    const bad = await request(t.app).post(path).type('form').send({ token: who.token, name: '' });
    expect(bad.status).toBe(422);
    expect(textOf(bad.text)).toContain('Enter the name as it should appear on the certificate');

    await request(t.app).post(path).type('form').send({ token: who.token, name: 'Dr Attendée Three' }).expect(303);
    const audit = await t.db('audit_log').where({ action: 'certificate_name_corrected' }).first('actor', 'details', 'event_id');
    expect(audit.actor).toBe(`buyer of booking ${who.reference}`);
    expect(JSON.parse(audit.details)).toEqual({ from: 'Attendee 3', to: 'Dr Attendée Three' });
    expect(Number(audit.event_id)).toBeGreaterThan(0);

    const pdf = await getPdf(pdfPath(who)).expect(200);
    expect((await pdfText(pdf.body as Buffer)).text).toContain('Dr Attendée Three');

    const late = await request(t.app).post(path).type('form').send({ token: who.token, name: 'Someone Else' });
    expect(late.status).toBe(409);
    expect(textOf(late.text)).toContain('already been downloaded');
    expect((await t.db('certificates').where({ attendee_id: who.attendeeId }).first('name')).name).toBe('Dr Attendée Three');
  });

  it('when a later upload shows someone long enough, then the next run emails them, and only them', async () => {
    const before = t.smtp.messages.length;
    const csv = ['Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest', 'Attendee 10,attendee10@example.org,03/17/2026 01:00:00 PM,03/17/2026 02:20:00 PM,80,No'].join('\r\n');
    const preview = await uploadReport(organiser.agent, organiser.csrf, slug, csv).expect(200);
    const action = /action="(\/admin\/events\/[^"]+\/attendance\/\d+\/record)"/.exec(preview.text)?.[1] as string;
    await organiser.agent.post(action).type('form').send({ _csrf: organiser.csrf }).expect(303);

    expect(await runCertificates(t)).toBe(1);
    await t.sendMail();
    const fresh = t.smtp.messages.slice(before);
    expect(fresh.map((m) => (Array.isArray(m.to) ? m.to[0] : m.to)?.value[0].address)).toEqual([people[9].email]);
    expect((await getPdf(pdfPath(people[9]))).status).toBe(200);
  });

  it('when the manage page is opened after the event, then it links the certificate and the survey', async () => {
    const page = await request(t.app).get(`/bookings/${people[0].reference}?token=${encodeURIComponent(people[0].token)}`).expect(200);
    expect(decode(page.text)).toContain(`href="/bookings/${people[0].reference}/seats/${people[0].attendeeId}/certificate?token=${people[0].token}"`);
    expect(decode(page.text)).toContain(`href="/bookings/${people[0].reference}/seats/${people[0].attendeeId}/feedback?token=${people[0].token}"`);
  });

  it('when someone opened their personal joining link, then they attended online and get a certificate without any report', async () => {
    expect((await getPdf(pdfPath(joiner))).status).toBe(403);
    await t.db('attendees').where({ id: joiner.attendeeId }).update({ mode: 'online', joined_at: toDbTime(new Date('2026-03-17T13:02:00Z')) });
    expect(await runCertificates(t)).toBe(1);
    expect((await getPdf(pdfPath(joiner))).status).toBe(200);
  });
});
