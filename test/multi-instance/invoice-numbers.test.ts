import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { financialYearOf, nextSequence } from '../../src/finance/documents/numbers';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';
import { buildEvent } from '../support/factories';
import { type Instance, instanceEnv, startInstance } from './instances';

/**
 * Issue 11: invoice numbers stay gapless and unique under concurrency. Two real processes (`src/server.ts`) on one
 * database (PostgreSQL with TEST_DATABASE=postgres, otherwise one SQLite file) take 200 invoice bookings at once; the
 * invoices carry 200 consecutive numbers, whatever group commits were rolled back and run again on the way.
 */

jest.setTimeout(180_000);

const DAY = 86_400_000;
const BOOKINGS = 200;

let testDb: TestDatabase;
let mailDir: string;
let instances: Instance[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase();
  mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-invoice-numbers-mail-'));
  await buildEvent(testDb.db, { slug: 'placeholder', startsAt: new Date(Date.now() + 60 * DAY).toISOString() });
  const env = instanceEnv(testDb.url, { MAIL_DIR: mailDir, RATE_LIMITS: 'off' });
  instances = await Promise.all([startInstance(env), startInstance(env)]);
});

afterAll(async () => {
  await Promise.all(instances.map((i) => i.stop('SIGTERM')));
  await testDb?.destroy();
  if (mailDir) fs.rmSync(mailDir, { recursive: true, force: true });
});

describe(`invoice numbers on two instances on one ${onPostgres ? 'PostgreSQL database' : 'SQLite file'}`, () => {
  it(`when ${BOOKINGS} invoice bookings arrive at once through both instances, then their invoices have ${BOOKINGS} consecutive numbers, each once`, async () => {
    const event = await buildEvent(testDb.db, {
      kind: 'seminar',
      title: 'Concurrent invoices',
      capacity: BOOKINGS + 10,
      allowsInvoice: true,
      startsAt: new Date(Date.now() + 30 * DAY).toISOString(),
      tickets: [{ name: 'Standard', price: 9500 }],
    });
    const answers = await Promise.all(
      Array.from({ length: BOOKINGS }, (_, i) => {
        const p = { name: `Buyer ${i}`, email: `buyer${i}@trust.example`, organisation: 'NHS Test Trust' };
        return request(instances[i % 2].url)
          .post(`/api/v1/events/${event.slug}/bookings`)
          .send({ buyer: p, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: p }], paymentMethod: 'invoice', purchaseOrder: `PO-${i}`, billingEmail: p.email, billingAddress: '1 Trust Way, Leeds LS1 4AP' });
      }),
    );
    expect(answers.filter((r) => r.status !== 201).map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);

    const year = financialYearOf(new Date(), 'Europe/London');
    const invoices = await testDb.db('finance_documents').where({ kind: 'invoice' }).select('number', 'sequence', 'booking_id');
    expect(invoices).toHaveLength(BOOKINGS);
    expect(invoices.map((d: { sequence: number }) => Number(d.sequence)).sort((a, b) => a - b)).toEqual(Array.from({ length: BOOKINGS }, (_, i) => i + 1));
    expect(new Set(invoices.map((d: { number: string }) => d.number)).size).toBe(BOOKINGS);
    expect(invoices.every((d: { number: string }) => new RegExp(`^HSUG-${year}-\\d{4}$`).test(d.number))).toBe(true);
    expect(new Set(invoices.map((d: { booking_id: number }) => d.booking_id)).size).toBe(BOOKINGS);
    const counter = await testDb.db('document_counters').where({ series: 'HSUG', financial_year: year }).first('last_number');
    expect(Number(counter.last_number)).toBe(BOOKINGS);
  });

  it('when a transaction takes a number and then rolls back, then the next one gets the same number: no gap', async () => {
    const year = 2030;
    await testDb.db.transaction(async (trx) => {
      expect(await nextSequence(trx, 'HSUG-TEST', year)).toBe(1);
    });
    await expect(
      testDb.db.transaction(async (trx) => {
        expect(await nextSequence(trx, 'HSUG-TEST', year)).toBe(2);
        throw new Error('the booking failed after its number was taken');
      }),
    ).rejects.toThrow('the booking failed');
    await testDb.db.transaction(async (trx) => {
      expect(await nextSequence(trx, 'HSUG-TEST', year)).toBe(2);
    });
  });
});
