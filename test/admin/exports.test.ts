import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { buildEvent } from '../support/factories';
import { startTestApp, type TestApp } from '../support/app';
import { createStaff, createToken, signIn, type SignedIn } from './helpers';

let t: TestApp;
let server: Server;
let treasurer: SignedIn;
let token: string;
let slug: string;

const HOSTILE = ['=HYPERLINK("http://evil.example","click")', '+cmd|\' /C calc\'!A0', '-1+2', '@SUM(A1:A9)', 'Smith, "Jo"\nSecond line', 'Zoë Ørsted 中文', '\tTabbed', 'Plain Name'];

const binary = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  const user = await createStaff(t, 'treasurer');
  treasurer = await signIn(server, user.email);
  token = await createToken(t, user.id);
  const event = await buildEvent(t.db, { capacity: 20, startsAt: '2026-04-14T17:00:00Z', tickets: [{ name: 'Member', price: 9500 }] });
  slug = event.slug;
  for (const [i, name] of HOSTILE.entries()) {
    // Inserted directly, as the payments code would after a card payment, so names are stored exactly as typed.
    {
      // The last one is an invoice booking whose invoice is not paid yet: its price is 95.00, its amount paid 0.00.
      const isInvoice = i === HOSTILE.length - 1;
      const [b] = await t.db('bookings').insert({ reference: `HSUG-TEST-${String(i).padStart(4, '0')}`, event_id: event.id, status: 'confirmed', buyer_name: 'Buyer', buyer_email: `buyer${i}@example.org`, buyer_email_normalised: `buyer${i}@example.org`, total: 9500, currency: 'GBP', payment_method: isInvoice ? 'invoice' : 'stripe', ...(isInvoice ? { invoice_status: 'outstanding' } : {}), manage_token_hash: 'x'.repeat(64), created_at: '2026-03-01T10:30:00.000Z', updated_at: '2026-03-01T10:30:00.000Z' }).returning('id');
      const bookingId = typeof b === 'object' ? b.id : b;
      if (!isInvoice) await t.db('payments').insert({ booking_id: bookingId, method: 'card', status: 'succeeded', amount: 9500, currency: 'GBP', amount_refunded: 0, stripe_payment_intent_id: `pi_test_${i}`, paid_at: '2026-03-01T10:30:00.000Z', created_at: '2026-03-01T10:30:00.000Z', updated_at: '2026-03-01T10:30:00.000Z' });
      await t.db('attendees').insert({ booking_id: bookingId, event_id: event.id, ticket_type_id: event.ticketTypeIds[0], status: 'active', name, email: `p${i}@example.org`, email_normalised: `p${i}@example.org`, organisation: i === 0 ? '=cmd' : 'NHS', dietary: i === 1 ? 'Vegan' : null, unit_price: 9500, currency: 'GBP', ical_uid: `uid-${i}@test`, created_at: '2026-03-01T10:30:00.000Z', checked_in_at: i === 7 ? '2026-04-14T16:55:00.000Z' : null });
    }
  }
});
afterAll(async () => {
  server.close();
  await t.close();
});

describe('attendee downloads', () => {
  it('when the CSV is downloaded, then it has a BOM, no-store, an attachment name, and hostile names come back as the same text, neutralised', async () => {
    const res = await treasurer.agent.get(`/admin/events/${slug}/attendees.csv`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${slug}-attendees.csv"`);
    expect(res.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/);
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);

    const rows = parse(body, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0])).toEqual(['Booking reference', 'Name', 'Email', 'Organisation', 'Ticket type', 'Price (£)', 'Amount paid (£)', 'Payment status', 'Booking status', 'Dietary', 'Accessibility', 'Booked at', 'Checked in at', 'Walk-in', 'Taking part', 'Joined online at', 'List price (£)', 'Discount (£)', 'Discount code']);
    const names = rows.map((r) => r.Name);
    expect(names).toEqual([
      `'=HYPERLINK("http://evil.example","click")`,
      `'+cmd|' /C calc'!A0`,
      `'-1+2`,
      `'@SUM(A1:A9)`,
      'Smith, "Jo"\nSecond line',
      'Zoë Ørsted 中文',
      `'\tTabbed`,
      'Plain Name',
    ]);
    // Take the guard quote off and every name is exactly what was booked.
    expect(names.map((n) => (/^'[=+\-@\t\r]/.test(n) ? n.slice(1) : n))).toEqual(HOSTILE);
    expect(rows[0].Organisation).toBe("'=cmd");
    expect(rows[0]).toMatchObject({ 'Ticket type': 'Member', 'Price (£)': '95.00', 'Amount paid (£)': '95.00', 'Payment status': 'Paid by card', 'Booked at': '2026-03-01 10:30' });
    // An unpaid invoice: the price is what the seat costs, and nothing has been paid yet.
    expect(rows[7]).toMatchObject({ Name: 'Plain Name', 'Price (£)': '95.00', 'Amount paid (£)': '0.00', 'Payment status': 'Invoice' });
    // Checked in at 16:55 UTC on 14 April is 17:55 British Summer Time.
    expect(rows[7]['Checked in at']).toBe('2026-04-14 17:55');
  });

  it('when the XLSX is downloaded, then it reads back with typed cells: dates as dates, prices as numbers with a £ format, the header frozen', async () => {
    const res = await treasurer.agent.get(`/admin/events/${slug}/attendees.xlsx`).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toContain('.xlsx"');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Attendees')!;
    expect(sheet.getRow(1).getCell(1).value).toBe('Booking reference');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.rowCount).toBe(1 + HOSTILE.length);
    const first = sheet.getRow(2);
    expect(first.getCell(2).value).toBe(HOSTILE[0]);
    expect(sheet.getRow(1).getCell(6).value).toBe('Price (£)');
    expect(sheet.getRow(1).getCell(7).value).toBe('Amount paid (£)');
    expect(first.getCell(6).value).toBe(95);
    expect(first.getCell(6).numFmt).toContain('£');
    expect(first.getCell(7).value).toBe(95);
    expect(first.getCell(7).numFmt).toContain('£');
    expect(sheet.getRow(9).getCell(6).value).toBe(95); // the unpaid invoice: priced, not paid
    expect(sheet.getRow(9).getCell(7).value).toBe(0);
    const bookedAt = first.getCell(12).value as Date;
    expect(bookedAt).toBeInstanceOf(Date);
    expect(bookedAt.toISOString()).toBe('2026-03-01T10:30:00.000Z');
    const checkedIn = sheet.getRow(9).getCell(13).value as Date;
    expect(checkedIn.toISOString()).toBe('2026-04-14T17:55:00.000Z'); // wall-clock time in London
    expect(sheet.getRow(7).getCell(2).value).toBe('Zoë Ørsted 中文');
  });

  it('when an API client asks with a bearer token, then JSON, CSV and XLSX are served; without one, 401', async () => {
    const json = await request(server).get(`/api/v1/admin/events/${slug}/attendees.json`).set('Authorization', `Bearer ${token}`);
    expect(json.status).toBe(200);
    expect(json.body.attendees).toHaveLength(HOSTILE.length);
    expect(json.body.attendees[5]).toMatchObject({ name: 'Zoë Ørsted 中文', price: 9500, amountPaid: 9500, pricePaid: 9500, currency: 'GBP' });
    expect(json.body.attendees[7]).toMatchObject({ name: 'Plain Name', price: 9500, amountPaid: 0 });
    const plain = await request(server).get(`/api/v1/admin/events/${slug}/attendees`).set('Authorization', `Bearer ${token}`);
    expect(plain.body.attendees).toHaveLength(HOSTILE.length);
    const csv = await request(server).get(`/api/v1/admin/events/${slug}/attendees.csv`).set('Authorization', `Bearer ${token}`);
    expect(csv.status).toBe(200);
    expect(csv.headers['cache-control']).toBe('no-store');
    expect((await request(server).get(`/api/v1/admin/events/${slug}/attendees.csv`)).status).toBe(401);
    expect((await request(server).get(`/api/v1/admin/events/${slug}/attendees.pdf`).set('Authorization', `Bearer ${token}`)).status).toBe(404);
    const bad = await request(server).get(`/api/v1/admin/events/${slug}/attendees.json?status=nonsense`).set('Authorization', `Bearer ${token}`);
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: 'validation_failed', details: [{ path: 'status', message: expect.any(String) }] });
  });

  it('when the list is searched and filtered, then only matching seats show, with counts and the caterer summary', async () => {
    const res = await treasurer.agent.get(`/admin/events/${slug}/attendees?q=%C3%98rsted`).expect(200);
    expect(res.text).toContain('1 row (1 confirmed)');
    expect(res.text).toContain('Zoë Ørsted 中文');
    expect(res.text).not.toContain('Plain Name');
    const all = await treasurer.agent.get(`/admin/events/${slug}/attendees`).expect(200);
    expect(all.text).toMatch(/<strong>1<\/strong> × vegan/);
    const percent = await treasurer.agent.get(`/admin/events/${slug}/attendees?q=%25`).expect(200);
    expect(percent.text).toContain('Nobody matches');
  });

  it('when 1,200 people are exported, then the CSV streams every row, in batches', async () => {
    const event = await buildEvent(t.db, { capacity: 2000 });
    const rows = Array.from({ length: 1200 }, (_, i) => i);
    const [b] = await t.db('bookings').insert({ reference: 'HSUG-BULK-0000', event_id: event.id, status: 'confirmed', buyer_name: 'Bulk', buyer_email: 'bulk@example.org', buyer_email_normalised: 'bulk@example.org', total: 0, currency: 'GBP', payment_method: 'none', manage_token_hash: 'x'.repeat(64), created_at: '2026-03-01T10:30:00.000Z', updated_at: '2026-03-01T10:30:00.000Z' }).returning('id');
    const bookingId = typeof b === 'object' ? b.id : b;
    for (let i = 0; i < rows.length; i += 200) {
      await t.db('attendees').insert(rows.slice(i, i + 200).map((n) => ({ booking_id: bookingId, event_id: event.id, ticket_type_id: event.ticketTypeIds[0], status: 'active', name: `Person ${n}`, email: `bulk${n}@example.org`, email_normalised: `bulk${n}@example.org`, unit_price: 0, currency: 'GBP', ical_uid: `bulk-${n}@test`, created_at: '2026-03-01T10:30:00.000Z' })));
    }
    const res = await treasurer.agent.get(`/admin/events/${event.slug}/attendees.csv`).buffer(true).parse(binary);
    const parsed = parse(res.body as Buffer, { bom: true, columns: true }) as Array<Record<string, string>>;
    expect(parsed).toHaveLength(1200);
    expect(parsed[1199].Name).toBe('Person 1199');
  });

  it('when the client goes away part way through a download, then nothing is logged as an error and the next download is whole', async () => {
    const event = await buildEvent(t.db, { capacity: 5000 });
    const [b] = await t.db('bookings').insert({ reference: 'HSUG-GONE-0000', event_id: event.id, status: 'confirmed', buyer_name: 'Bulk', buyer_email: 'gone@example.org', buyer_email_normalised: 'gone@example.org', total: 0, currency: 'GBP', payment_method: 'none', manage_token_hash: 'x'.repeat(64), created_at: '2026-03-01T10:30:00.000Z', updated_at: '2026-03-01T10:30:00.000Z' }).returning('id');
    const bookingId = typeof b === 'object' ? b.id : b;
    for (let i = 0; i < 4000; i += 200) {
      await t.db('attendees').insert(Array.from({ length: 200 }, (_, k) => i + k).map((n) => ({ booking_id: bookingId, event_id: event.id, ticket_type_id: event.ticketTypeIds[0], status: 'active', name: `Person ${n}`, email: `gone${n}@example.org`, email_normalised: `gone${n}@example.org`, unit_price: 0, currency: 'GBP', ical_uid: `gone-${n}@test`, created_at: '2026-03-01T10:30:00.000Z' })));
    }
    const { port } = server.address() as AddressInfo;
    const abandon = (format: string) =>
      new Promise<void>((resolve, reject) => {
        const req = http.get({ port, path: `/api/v1/admin/events/${event.slug}/attendees.${format}`, headers: { authorization: `Bearer ${token}` } }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      });

    t.logged.length = 0; // earlier tests' lines (a refused request is a security event) are theirs
    for (const format of ['csv', 'xlsx', 'json']) await abandon(format);
    await new Promise((r) => setTimeout(r, 500));

    expect(t.logged).toEqual([]);
    const csv = await request(server).get(`/api/v1/admin/events/${event.slug}/attendees.csv`).set('Authorization', `Bearer ${token}`);
    expect(parse(csv.text, { bom: true, columns: true })).toHaveLength(4000);
  });
});
