import request from 'supertest';
import { runNightlyRetention } from '../../src/privacy/jobs';
import { applyRetention } from '../../src/privacy/retention';
import { createStaff, createToken } from '../admin/helpers';
import { financeEvent, invoiceBooking, paidBooking } from '../finance/support';
import { buildQuestion } from '../support/codes';
import { buildEvent } from '../support/factories';
import { startPaymentsTestApp, type PaymentsTestApp } from '../support/payments';

/**
 * Issue 17, "Retention", with a fixed clock: needs go a month after the event, contact details after 24 months, the
 * personal details of finance records 6 years after the financial year; figures and documents never change; the
 * nightly job runs once however many instances look.
 */

let t: PaymentsTestApp;
let token: string;

beforeEach(async () => {
  t = await startPaymentsTestApp();
  token = await createToken(t, (await createStaff(t, 'admin')).id);
});
afterEach(async () => {
  await t.close();
});

/** Everything a figure is made of: the summary API for the financial year, and each money row's amounts and states. */
async function figures() {
  const summary = await request(t.baseUrl).get('/api/v1/admin/finance/summary?from=2025-04-01&to=2026-03-31').set('Authorization', `Bearer ${token}`).expect(200);
  const money = {
    payments: await t.db('payments').select('id', 'amount', 'status', 'stripe_charge_id').orderBy('id'),
    refunds: await t.db('refunds').select('id', 'amount', 'status').orderBy('id'),
    bookings: await t.db('bookings').select('id', 'reference', 'status', 'total', 'payment_method', 'purchase_order').orderBy('id'),
  };
  return { summary: summary.body, money };
}

const attendee = (email: string) => t.db('attendees').where({ email_normalised: email }).first('name', 'email', 'organisation', 'dietary', 'accessibility');

describe('retention', () => {
  it('when the periods pass, then needs go after a month, contacts after 24 months and invoice addressees after the finance period, and no figure changes', async () => {
    const free = await buildEvent(t.db, { title: 'Evening meeting' });
    await request(t.baseUrl).post(`/api/v1/events/${free.slug}/bookings`).send({ buyer: { name: 'Ann Lee', email: 'ann@nhs.example' }, items: [{ attendee: { name: 'Ann Lee', email: 'ann@nhs.example', organisation: 'NHS', dietary: 'Vegan', accessibility: 'Step-free access' } }] }).expect(201);
    const seminar = await financeEvent(t);
    await paidBooking(t, seminar);
    const invoice = await invoiceBooking(t, seminar);
    await t.sendMail();
    const before = await figures();

    // A month and a day after the events (17 March 2026) end.
    t.clock.set('2026-04-18T12:00:00Z');
    expect(await applyRetention(t.db, t.clock.now(), t.config.retention)).toMatchObject({ needs: 1, attendees: 0, buyers: 0 });
    expect(await attendee('ann@nhs.example')).toMatchObject({ name: 'Ann Lee', organisation: 'NHS', dietary: null, accessibility: null });

    // 24 months on: contact details are replaced; the invoice keeps whom it is addressed to.
    t.clock.set('2028-03-18T12:00:00Z');
    const contacts = await applyRetention(t.db, t.clock.now(), t.config.retention);
    expect(contacts).toMatchObject({ attendees: 3, buyers: 3, financeRecords: 0 });
    expect(contacts.emails).toBeGreaterThanOrEqual(3);
    expect(await attendee('ann@nhs.example')).toBeUndefined();
    const names = await t.db('attendees').pluck('name');
    expect(new Set(names)).toEqual(new Set(['Removed']));
    const addresses = await t.db('outbox_emails').pluck('to_address');
    expect(addresses.every((a: string) => /^removed-email-\d+@removed\.invalid$/.test(a))).toBe(true);
    const invoiced = await t.db('bookings').where({ reference: invoice.reference }).first('buyer_name', 'buyer_organisation', 'buyer_email', 'purchase_order');
    expect(invoiced).toMatchObject({ buyer_organisation: 'NHS Test Trust', purchase_order: 'PO-1' });
    expect(invoiced.buyer_name).not.toBe('Removed');
    expect(invoiced.buyer_email).toMatch(/@removed\.invalid$/);
    // A second run finds nothing more to do.
    expect(await applyRetention(t.db, t.clock.now(), t.config.retention)).toEqual({ needs: 0, sensitiveAnswers: 0, answers: 0, attendees: 0, buyers: 0, emails: 0, financeRecords: 0, financeNotes: 0, financeDocuments: 0 });

    // The financial year of March 2026 ends on 31 March 2026; six years later the invoice's addressee goes too.
    t.clock.set('2032-03-30T12:00:00Z');
    expect((await applyRetention(t.db, t.clock.now(), t.config.retention)).financeRecords).toBe(0);
    t.clock.set('2032-04-01T12:00:00Z');
    expect((await applyRetention(t.db, t.clock.now(), t.config.retention)).financeRecords).toBe(1);
    expect(await t.db('bookings').where({ reference: invoice.reference }).first('buyer_name', 'buyer_organisation', 'purchase_order')).toEqual({ buyer_name: 'Removed', buyer_organisation: null, purchase_order: 'PO-1' });

    expect(await figures()).toEqual(before);
  });

  it('when the periods pass, then answers to sensitive questions go with the needs and the others with the contact details, keeping their wording', async () => {
    const event = await buildEvent(t.db, { title: 'Evening meeting' });
    const health = await buildQuestion(t.db, event.id, { scope: 'attendee', kind: 'long_text', label: 'Any health condition?', isSensitive: true, isRequired: false });
    const trust = await buildQuestion(t.db, event.id, { label: 'Which trust?' });
    await request(t.baseUrl).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: { name: 'Ann Lee', email: 'ann@nhs.example' }, items: [{ attendee: { name: 'Ann Lee', email: 'ann@nhs.example' }, answers: { [health]: 'Asthma' } }], answers: { [trust]: 'NHS Fife' } }).expect(201);
    const answers = () => t.db('booking_answers').orderBy('id').select('label', 'value');

    t.clock.set('2026-04-18T12:00:00Z');
    expect(await applyRetention(t.db, t.clock.now(), t.config.retention)).toMatchObject({ needs: 0, sensitiveAnswers: 1, answers: 0 });
    expect(await answers()).toEqual([{ label: 'Which trust?', value: 'NHS Fife' }, { label: 'Any health condition?', value: null }]);

    t.clock.set('2028-03-18T12:00:00Z');
    expect(await applyRetention(t.db, t.clock.now(), t.config.retention)).toMatchObject({ sensitiveAnswers: 0, answers: 1 });
    expect(await answers()).toEqual([{ label: 'Which trust?', value: null }, { label: 'Any health condition?', value: null }]);
  });

  it('when two instances look at night, then only one runs the retention, and nobody runs it before 02:00 UTC', async () => {
    t.clock.set('2026-06-01T01:30:00Z');
    expect(await runNightlyRetention(t.ctx)).toBeNull();
    t.clock.set('2026-06-01T02:05:00Z');
    const runs = await Promise.all([runNightlyRetention(t.ctx), runNightlyRetention(t.ctx)]);
    expect(runs.filter((r) => r !== null)).toHaveLength(1);
    expect(await t.db('job_claims').where({ name: 'privacy-retention' }).first('period', 'result')).toEqual({ period: '2026-06-01', result: JSON.stringify(runs.find((r) => r)) });
    t.clock.set('2026-06-01T23:59:00Z');
    expect(await runNightlyRetention(t.ctx)).toBeNull();
    t.clock.set('2026-06-02T02:00:00Z');
    expect(await runNightlyRetention(t.ctx)).not.toBeNull();
  });
});
