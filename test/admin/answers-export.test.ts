import type { Server } from 'node:http';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildCode, buildQuestion } from '../support/codes';
import { buildEvent, person } from '../support/factories';
import { textOf } from '../support/html';
import { createStaff, signIn, type SignedIn } from './helpers';

/**
 * Issue 18: answers on the attendee page and in the CSV, XLSX and JSON downloads (one column per question, formulas
 * neutralised), sensitive answers hidden from the treasurer and out of downloads unless chosen, and each seat's discount.
 */

let t: TestApp;
let server: Server;
let organiser: SignedIn;
let treasurer: SignedIn;
let slug: string;
let trust: number;

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

const HEALTH = 'Do you have a health condition we should know about?';

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  organiser = await signIn(server, (await createStaff(t, 'organiser')).email);
  treasurer = await signIn(server, (await createStaff(t, 'treasurer')).email);
  const event = await buildEvent(t.db, { kind: 'seminar', allowsInvoice: true, tickets: [{ name: 'Non-member', price: 9500 }] });
  slug = event.slug;
  trust = await buildQuestion(t.db, event.id, { label: 'Which trust?', position: 1 });
  const health = await buildQuestion(t.db, event.id, { scope: 'attendee', kind: 'long_text', label: HEALTH, isRequired: false, isSensitive: true, position: 2 });
  const topics = await buildQuestion(t.db, event.id, { scope: 'attendee', kind: 'multiple_choice', label: 'Topics', options: ['Mortality', 'Workforce'], isRequired: false, position: 3 });
  await buildCode(t.db, { code: 'EXPORT10', eventId: event.id, kind: 'amount', amount: 1000 });
  const a = person('exp-a');
  const b = person('exp-b');
  const res = await request(server)
    .post(`/api/v1/events/${slug}/bookings`)
    .send({
      buyer: { ...a },
      items: [
        { ticketTypeId: event.ticketTypeIds[0], attendee: a, answers: { [health]: 'Type 1 diabetes', [topics]: ['Mortality', 'Workforce'] } },
        { ticketTypeId: event.ticketTypeIds[0], attendee: b, answers: { [topics]: ['Workforce'] } },
      ],
      answers: { [trust]: '=HYPERLINK("http://evil.example","x")' },
      discountCode: 'export10',
      paymentMethod: 'invoice',
      purchaseOrder: 'PO-1',
      billingContact: 'Accounts, accounts@example.org',
      billingEmail: 'accounts@example.org',
      billingAddress: '1 Trust Way, Leeds LS1 4AP',
    });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  // Reworded after the answers were given: the columns use today's wording, the JSON each answer's own.
  await t.db('event_questions').where({ id: trust }).update({ label: 'Which trust or board?' });
});
afterAll(async () => {
  server.close();
  await t.close();
});

async function csvAs(who: SignedIn, query = '') {
  const res = await who.agent.get(`/admin/events/${slug}/attendees.csv${query}`).buffer(true).parse(binary);
  expect(res.status).toBe(200);
  return parse(res.body as Buffer, { bom: true, columns: true }) as Array<Record<string, string>>;
}

describe('answers and discounts in the attendee downloads', () => {
  it('when the CSV is downloaded, then each question is a column, answers are per seat, formulas are neutralised, sensitive answers are left out, and each seat shows its discount', async () => {
    const rows = await csvAs(organiser);
    expect(Object.keys(rows[0]).slice(-5)).toEqual(['List price (£)', 'Discount (£)', 'Discount code', 'Which trust or board?', 'Topics']);
    expect(rows.map((r) => [r.Name, r['Which trust or board?'], r.Topics, r['List price (£)'], r['Discount (£)'], r['Price (£)'], r['Discount code']])).toEqual([
      ['Attendee exp-a', `'=HYPERLINK("http://evil.example","x")`, 'Mortality; Workforce', '95.00', '10.00', '85.00', 'EXPORT10'],
      ['Attendee exp-b', `'=HYPERLINK("http://evil.example","x")`, 'Workforce', '95.00', '10.00', '85.00', 'EXPORT10'],
    ]);
    expect(JSON.stringify(rows)).not.toContain('diabetes');
  });

  it('when an organiser chooses sensitive answers, then they are in; when the treasurer asks for them, then they are still left out', async () => {
    const chosen = await csvAs(organiser, '?sensitive=1');
    expect(chosen.map((r) => r[HEALTH])).toEqual(['Type 1 diabetes', '']);
    const treasurers = await csvAs(treasurer, '?sensitive=1');
    expect(Object.keys(treasurers[0])).not.toContain(HEALTH);
    expect(JSON.stringify(treasurers)).not.toContain('diabetes');
  });

  it('when the XLSX is downloaded, then the answers are text cells under their question, never formulas', async () => {
    const res = await organiser.agent.get(`/admin/events/${slug}/attendees.xlsx`).buffer(true).parse(binary);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Attendees')!;
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    const col = headers.indexOf('Which trust or board?') + 1;
    expect(col).toBeGreaterThan(0);
    const cell = sheet.getRow(2).getCell(col);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe('=HYPERLINK("http://evil.example","x")');
    expect(sheet.getRow(2).getCell(headers.indexOf('Discount (£)') + 1).value).toBe(10);
    expect(headers).not.toContain(HEALTH);
  });

  it('when the JSON is read, then each answer carries the wording it was given under', async () => {
    const res = await organiser.agent.get(`/admin/events/${slug}/attendees.json`);
    const first = res.body.attendees[0];
    expect(first).toMatchObject({ listPrice: 9500, discount: 1000, price: 8500, discountCode: 'EXPORT10' });
    expect(first.answers).toEqual([
      { questionId: trust, question: 'Which trust?', answer: '=HYPERLINK("http://evil.example","x")' },
      { questionId: expect.any(Number), question: 'Topics', answer: 'Mortality; Workforce' },
    ]);
  });

  it('when the attendee page is opened, then organisers see every answer and the treasurer never the sensitive ones', async () => {
    const forOrganiser = textOf((await organiser.agent.get(`/admin/events/${slug}/attendees?status=all`)).text);
    expect(forOrganiser).toContain(`${HEALTH} Type 1 diabetes Sensitive`);
    expect(forOrganiser).toContain('Which trust? =HYPERLINK');
    expect(forOrganiser).toContain('£85.00 (£10.00 off with EXPORT10)');
    const forTreasurer = textOf((await treasurer.agent.get(`/admin/events/${slug}/attendees?status=all`)).text);
    expect(forTreasurer).toContain('Topics Mortality; Workforce');
    expect(forTreasurer).not.toContain('diabetes');
    expect(forTreasurer).not.toContain('with sensitive answers');
  });

  it('when a sensitive question is later marked not sensitive, then the answers given under it as sensitive stay hidden from the treasurer and out of default downloads, on every surface', async () => {
    const health = (await t.db('event_questions').where({ label: HEALTH }).first('id')).id;
    await t.db('event_questions').where({ id: health }).update({ is_sensitive: false });
    try {
      for (const who of [treasurer, organiser]) {
        const csv = await csvAs(who);
        expect(JSON.stringify(csv)).not.toContain('diabetes');
        const xlsx = await who.agent.get(`/admin/events/${slug}/attendees.xlsx`).buffer(true).parse(binary);
        const workbook = new ExcelJS.Workbook();
        await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
        const cells: unknown[] = [];
        workbook.getWorksheet('Attendees')!.eachRow((row) => cells.push(...(row.values as unknown[])));
        expect(JSON.stringify(cells)).not.toContain('diabetes');
        const json = await who.agent.get(`/admin/events/${slug}/attendees.json`);
        expect(json.status).toBe(200);
        expect(json.text).not.toContain('diabetes');
      }
      expect(JSON.stringify(await csvAs(treasurer, '?sensitive=1'))).not.toContain('diabetes');
      expect(textOf((await treasurer.agent.get(`/admin/events/${slug}/attendees?status=all`)).text)).not.toContain('diabetes');
      // The organiser who chooses sensitive answers still gets them.
      expect((await csvAs(organiser, '?sensitive=1')).map((r) => r[HEALTH])).toEqual(['Type 1 diabetes', '']);
    } finally {
      await t.db('event_questions').where({ id: health }).update({ is_sensitive: true });
    }
  });
});
