import request from 'supertest';
import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { pdfText } from '../support/pdf-text';
import { getSeatForHolder } from '../../src/bookings/seats';
import { renderCertificatePdf } from '../../src/certificates/pdf';
import { correctNameOnCertificate, downloadCertificate } from '../../src/certificates/service';
import { unprintableCharacters } from '../../src/lib/pdf-glyphs';
import { toDbTime } from '../../src/lib/time';
import type { ServiceContext } from '../../src/context';
import { AFTER, binary, book, buildSeminar, certificatePath, checkIn, pdfPath, uploadReport, type Booked } from './support';

/** Hostile input and races around a certificate after it is issued (found in review of issue 13). */
let t: TestApp;
let server: ReturnType<TestApp['app']['listen']>;
let organiser: SignedIn;
let slug: string;
let people: Booked[];

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  t.clock.set('2026-03-02T12:00:00.000Z');
  const event = await buildSeminar(t);
  slug = event.slug;
  people = [];
  for (let n = 1; n <= 6; n++) people.push(await book(t, slug, n));
  for (const p of people) await checkIn(t, p.attendeeId);
  t.clock.set(AFTER);
  organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
  await organiser.agent.post(`/admin/events/${slug}/certificates`).type('form').send({ _csrf: organiser.csrf, issuesCertificates: 'on', cpdHours: '1.5', topics: '', minOnlineMinutes: '' }).expect(303);
});
afterAll(async () => {
  server.close();
  await t.close();
});

const getPdf = (path: string) => request(t.app).get(path).buffer(true).parse(binary);
const namePath = (b: Booked) => `/bookings/${b.reference}/seats/${b.attendeeId}/certificate`;
const storedName = async (b: Booked) => String((await t.db('certificates').where({ attendee_id: b.attendeeId }).first('name')).name);

describe('a certificate’s name and its first download', () => {
  it('when a name correction arrives while the first download is being made, then the PDF, the stored name and the verification page all agree', async () => {
    const who = people[0];
    await request(t.app).get(certificatePath(who)).expect(200);
    const view = await getSeatForHolder(t.ctx, who.reference, who.attendeeId, who.token);
    // The correction is sent at the moment the download has read the certificate and is about to draw the PDF.
    const late: { correction?: Promise<unknown> } = {};
    const config = new Proxy(t.ctx.config, {
      get(target, key, receiver) {
        if (key === 'orgName' && !late.correction) late.correction = correctNameOnCertificate(t.ctx, view, 'Dr Corrected Late').catch((error: Error) => error);
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const ctx: ServiceContext = { ...t.ctx, config };
    const { pdf } = await downloadCertificate(ctx, view);
    const outcome = await late.correction;

    const printed = (await pdfText(pdf)).text;
    const stored = await storedName(who);
    expect(printed).toContain(stored);
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error & { code?: string }).code).toBe('certificate_name_locked');
    expect(stored).toBe('Attendee 1');
    const code = String((await t.db('certificates').where({ attendee_id: who.attendeeId }).first('code')).code);
    expect(textOf((await request(t.app).get('/certificates/verify').query({ code }).expect(200)).text)).toContain(stored);
  });

  it.each([
    ['Chinese characters', '王小明', '王, 小, 明'],
    ['full-width and mathematical letters', 'Ａnn 𝔘ne', 'Ａ, 𝔘'],
    // The font has Hebrew and Arabic letters, but the PDF cannot put right-to-left text in order ("כהן דוד" printed as "דודכהן").
    ['Hebrew (it would print in the wrong order)', 'David כהן', 'כ, ה, ן'],
    ['Arabic (likewise)', 'محمد Ali', 'م, ح, د'],
  ])('when the name is corrected to %s, which the certificate cannot print, then it is refused beside the field naming them, with what was typed kept', async (_, name, named) => {
    const who = people[1];
    const res = await request(t.app).post(namePath(who)).type('form').send({ token: who.token, name });
    expect(res.status).toBe(422);
    const text = textOf(res.text);
    expect(text).toContain(`The certificate cannot print these characters: ${named}`);
    expect(res.text).toContain(`value="${name.normalize('NFC')}"`);
    expect(res.text).toMatch(/aria-describedby="[^"]*field-name-error/);
    expect(await storedName(who)).toBe('Attendee 2');
  });

  it('when a booking’s name has characters the font cannot print, then the page says so and asks for a correction, and the PDF is refused until then instead of printing empty boxes', async () => {
    const who = people[2];
    await t.db('attendees').where({ id: who.attendeeId }).update({ name: '李 Attendee' });
    await t.db('certificates').where({ attendee_id: who.attendeeId }).delete();
    const page = await request(t.app).get(certificatePath(who)).expect(200);
    expect(textOf(page.text)).toContain('The certificate cannot print these characters: 李');
    expect(textOf(page.text)).not.toContain('Download your certificate');

    const refused = await getPdf(pdfPath(who));
    expect(refused.status).toBe(409);
    expect(textOf((refused.body as Buffer).toString('utf8'))).toContain('The certificate cannot print these characters: 李');
    expect((await t.db('certificates').where({ attendee_id: who.attendeeId }).first('first_downloaded_at')).first_downloaded_at).toBeNull();

    await request(t.app).post(namePath(who)).type('form').send({ token: who.token, name: 'Li Attendee' }).expect(303);
    const pdf = await getPdf(pdfPath(who)).expect(200);
    expect((await pdfText(pdf.body as Buffer)).text).toContain('Li Attendee');
  });

  it('when a name uses Greek, Cyrillic, accents and an emoji the font has, then it is printed as typed', async () => {
    const who = people[3];
    await request(t.app).post(namePath(who)).type('form').send({ token: who.token, name: 'Zoë Ἀθηνᾶ Дмитрий ☃' }).expect(303);
    expect(unprintableCharacters('Ünïcödé Łódź Ørsted ßğ Ἀθηνᾶ Дмитрий ☃ 😀')).toEqual([]);
    expect(unprintableCharacters('王小明李白杜甫孟浩然王维苏轼辛弃疾')).toEqual(['王', '小', '明', '李', '白', '杜', '甫', '孟', '浩', '然', '维', '苏', '…']);
    const pdf = await getPdf(pdfPath(who)).expect(200);
    expect((await pdfText(pdf.body as Buffer)).text).toContain('Zoë Ἀθηνᾶ Дмитрий ☃');
  });
});

describe('what organisers write on the certificate', () => {
  it('when the topics line has characters the font cannot print, then it is refused beside the field with what was typed kept', async () => {
    const typed = 'Speakers: 王小明 and Ada Lovelace';
    const res = await organiser.agent.post(`/admin/events/${slug}/certificates`).type('form').send({ _csrf: organiser.csrf, issuesCertificates: 'on', cpdHours: '1.5', topics: typed, minOnlineMinutes: '' });
    expect(res.status).toBe(422);
    expect(textOf(res.text)).toContain('The certificate cannot print these characters: 王, 小, 明');
    expect(res.text).toContain(`value="${typed}"`);
    expect(res.text).toMatch(/id="field-topics"[^>]*aria-describedby="[^"]*field-topics-error/);
    expect((await t.db('certificate_settings').where({ event_id: (await t.db('events').where({ slug }).first('id')).id }).first('topics')).topics).toBe('');
  });

  it('when the event’s title has characters the font cannot print, then the organisers are told and the certificate leaves them out instead of printing boxes', async () => {
    await t.db('events').where({ slug }).update({ title: 'Waiting times 王 in the NHS' });
    const page = await organiser.agent.get(`/admin/events/${slug}/certificates`).expect(200);
    expect(textOf(page.text)).toContain("The event's title has characters the certificate cannot print (王)");
    const who = people[4];
    const pdf = await getPdf(pdfPath(who)).expect(200);
    const text = (await pdfText(pdf.body as Buffer)).text;
    expect(text).toContain('Waiting times in the NHS');
    expect(text).not.toContain('王');
    await t.db('events').where({ slug }).update({ title: 'Waiting times in the NHS' });
  });
});

describe('a certificate after its place or event changes', () => {
  const verify = async (b: Booked) => {
    const code = String((await t.db('certificates').where({ attendee_id: b.attendeeId }).first('code')).code);
    return textOf((await request(t.app).get('/certificates/verify').query({ code }).expect(200)).text);
  };

  it('when the place is cancelled after the certificate was issued, then the verification page no longer calls it valid, as the download refuses it', async () => {
    const who = people[5];
    await getPdf(pdfPath(who)).expect(200);
    expect(await verify(who)).toContain('This certificate is valid');
    await t.db('bookings').where({ reference: who.reference }).update({ status: 'cancelled' });
    await t.db('attendees').where({ id: who.attendeeId }).update({ status: 'cancelled' });
    expect((await getPdf(pdfPath(who))).status).toBe(403);
    const page = await verify(who);
    expect(page).toContain('This code is not valid');
    expect(page).not.toContain('Attendee 6');
  });

  it('when the event is moved after certificates were issued, then the PDF and the verification page show the event’s new date alike', async () => {
    const who = people[4];
    const event = await t.db('events').where({ slug }).first('starts_at', 'ends_at');
    await t.db('events').where({ slug }).update({ starts_at: toDbTime(new Date('2026-03-10T13:00:00.000Z')), ends_at: toDbTime(new Date('2026-03-10T15:00:00.000Z')) });
    try {
      expect(await verify(who)).toContain('Tuesday 10 March 2026');
      expect((await pdfText((await getPdf(pdfPath(who)).expect(200)).body as Buffer)).text).toContain('Tuesday 10 March 2026');
    } finally {
      await t.db('events').where({ slug }).update({ starts_at: event.starts_at, ends_at: event.ends_at });
    }
  });
});

describe('attendance uploads sent and recorded at once', () => {
  it('when the organiser sends the same report twice at once and records both at once, then no request fails and each seat keeps its longest time once', async () => {
    // The places still held (the sixth was cancelled above).
    const held = people.slice(0, 5);
    const csv = ['Name (Original Name),User Email,Total Duration (Minutes)', ...held.map((p, i) => `Attendee ${p.n},${p.email},${70 + i}`)].join('\n');
    const staged = await Promise.all([1, 2, 3].map(() => uploadReport(organiser.agent, organiser.csrf, slug, csv)));
    expect(staged.map((r) => r.status)).toEqual([200, 200, 200]);
    const actions = staged.map((r) => /action="(\/admin\/events\/[^"]+\/attendance\/\d+\/record)"/.exec(r.text)?.[1] as string);
    const recorded = await Promise.all(actions.map((action) => organiser.agent.post(action).type('form').send({ _csrf: organiser.csrf })));
    for (const r of recorded) expect([303, 409]).toContain(r.status);
    for (const r of recorded.filter((x) => x.status === 409)) expect(textOf(r.text)).toContain('already recorded, or a newer upload replaced it');
    const rows = await t.db('online_attendance').whereIn('attendee_id', held.map((p) => p.attendeeId)).select('attendee_id', 'seconds');
    expect(rows).toHaveLength(held.length);
    expect(rows.map((r) => Number(r.seconds)).sort((a, b) => a - b)).toEqual(held.map((_, i) => (70 + i) * 60));
  });
});

describe('the longest things a certificate may have to print', () => {
  it('when the name, the title and the topics are as long as allowed, then the certificate is still one page with every field on it', async () => {
    const pdf = await renderCertificatePdf({
      name: 'Wolfeschlegelsteinhausenbergerdorff'.repeat(6).slice(0, 200),
      eventTitle: 'Measuring waiting times, outcomes and inequalities across integrated care systems: '.repeat(3).slice(0, 200),
      startsAt: new Date('2026-03-28T09:00:00Z'),
      endsAt: new Date('2026-03-29T16:00:00Z'),
      timezone: 'Europe/London',
      cpdMinutes: 5985,
      topics: 'Speakers: Ada Lovelace, William Farr, Florence Nightingale and John Snow; '.repeat(5).slice(0, 300),
      orgName: 'Health Statistics User Group',
      code: 'ABCDEFGHJKMNPQRSTVWX',
      verifyUrl: 'https://events.hsug.org.uk/certificates/verify?code=ABCDEFGHJKMNPQRSTVWX',
      issuedAt: new Date('2026-03-29T17:00:00Z'),
    });
    const { pages, text } = await pdfText(pdf);
    expect(pages).toBe(1);
    const flat = text.replace(/\s+/g, '');
    for (const field of ['Continuing professional development: 99.75 hours', 'Verification code: ABCDE-FGHJK-MNPQR-STVWX', 'Saturday 28 March 2026 to Sunday 29 March 2026', 'https://events.hsug.org.uk/certificates/verify?code=ABCDEFGHJKMNPQRSTVWX']) {
      expect(flat).toContain(field.replace(/\s+/g, ''));
    }
  });
});
