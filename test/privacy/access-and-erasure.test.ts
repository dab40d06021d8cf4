import type { Server } from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { recordAudit } from '../../src/admin/audit/log';
import { applyRetention } from '../../src/privacy/retention';
import { runCli } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/types';
import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent } from '../support/factories';
import { textOf } from '../support/html';
import { pdfText } from '../support/pdf-text';
import { binary, unzipFiles, unzipTexts } from './support';
import { buildQuestion } from '../support/codes';

/**
 * Issue 17, "Access and erasure": an administrator downloads everything held about one person (and nothing about
 * anyone else), and erases a person on request, from the staff page and the command line.
 */

let t: TestApp;
let server: Server;
let admin: SignedIn;

beforeEach(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  admin = await signIn(server, (await createStaff(t, 'admin')).email);
});
afterEach(async () => {
  server.close();
  await t.close();
});

const A = { name: 'Aisha Khan', email: 'aisha.khan@nhs.example', organisation: 'NHS Digital' };
const B = { name: 'Bartholomew Quist', email: 'bart.quist@uni.example', organisation: 'Quist University' };

async function book(slug: string, buyer: typeof A, attendees: Array<typeof A & { dietary?: string }>) {
  const res = await request(t.app).post(`/api/v1/events/${slug}/bookings`).send({ buyer, items: attendees.map((attendee) => ({ attendee })) });
  if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
  return res.body.booking.reference as string;
}

/** A's three bookings: their own, one they made for themselves and B, one B made for them; and one of B's alone. */
async function arrange() {
  const first = await buildEvent(t.db, { title: 'Evening meeting one', capacity: 5 });
  const second = await buildEvent(t.db, { title: 'Evening meeting two', capacity: 5 });
  const third = await buildEvent(t.db, { title: 'Evening meeting three', capacity: 5 });
  const own = await book(first.slug, A, [{ ...A, dietary: 'Halal' }]);
  const forBoth = await book(second.slug, A, [A, B]);
  const byB = await book(third.slug, B, [A]);
  await book(first.slug, B, [B]);
  await t.sendMail();
  return { events: [first, second, third], refs: [own, forBoth, byB] };
}

const exportZip = (email: string) => admin.agent.post('/admin/privacy/export').type('form').send({ _csrf: admin.csrf, email }).buffer(true).parse(binary as never);

describe('access and erasure', () => {
  it("when an administrator downloads A's data, then the ZIP holds A's three bookings as JSON and a page, and no string belonging to B", async () => {
    const { refs } = await arrange();
    const res = await exportZip(' Aisha.Khan@NHS.example ').expect(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="personal-data-aisha-khan-nhs-example-2026-03-02\.zip"$/);
    const files = await unzipTexts(res.body as Buffer);
    expect(Object.keys(files).sort()).toEqual(['personal-data.html', 'personal-data.json']);
    const data = JSON.parse(files['personal-data.json']);
    expect(data.places.map((p: { reference: string }) => p.reference).sort()).toEqual([...refs].sort());
    expect(data.bookingsMade.map((b: { reference: string }) => b.reference).sort()).toEqual([refs[0], refs[1]].sort());
    expect(data.places.find((p: { reference: string }) => p.reference === refs[0])).toMatchObject({ dietary: 'Halal', bookedBy: 'you' });
    expect(data.places.find((p: { reference: string }) => p.reference === refs[2])).toMatchObject({ bookedBy: 'someone else' });
    expect(data.emails.length).toBeGreaterThanOrEqual(3);
    expect(data.emails.map((m: { subject: string }) => m.subject)).toContain("You're booked: Evening meeting three");
    for (const text of Object.values(files)) {
      for (const value of [B.name, B.email, B.organisation, 'Bartholomew', 'bart.quist']) expect(text).not.toContain(value);
    }
    expect(textOf(files['personal-data.html'])).toContain('Evening meeting three');
    expect(await t.db('audit_log').where({ action: 'personal_data_exported' }).first('details')).toEqual({ details: JSON.stringify({ bookingsMade: 2, places: 3, emails: data.emails.length }) });
  });

  it("when A answered an event's questions, then A's download holds A's answers with their wording, not B's; erasing A removes A's answers", async () => {
    const event = await buildEvent(t.db, { title: 'Evening meeting with questions', capacity: 5 });
    const trust = await buildQuestion(t.db, event.id, { label: 'Which trust?' });
    const health = await buildQuestion(t.db, event.id, { scope: 'attendee', kind: 'long_text', label: 'Any health condition?', isRequired: false, isSensitive: true });
    const res = await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: A, items: [{ attendee: A, answers: { [health]: 'Asthma' } }, { attendee: B, answers: { [health]: 'Bart condition' } }], answers: { [trust]: 'NHS Digital trust' } });
    expect(res.status).toBe(201);
    const files = await unzipTexts((await exportZip(A.email).expect(200)).body as Buffer);
    const data = JSON.parse(files['personal-data.json']);
    expect(data.bookingsMade[0].answers).toEqual([{ question: 'Which trust?', answer: 'NHS Digital trust' }]);
    expect(data.places[0].answers).toEqual([{ question: 'Any health condition?', answer: 'Asthma' }]);
    expect(textOf(files['personal-data.html'])).toContain('Any health condition? Asthma');
    for (const text of Object.values(files)) expect(text).not.toContain('Bart condition');

    await admin.agent.post('/admin/privacy/erase').type('form').send({ _csrf: admin.csrf, email: A.email, step: 'erase', confirm: 'on' }).expect(200);
    const left = await t.db('booking_answers').orderBy('id').select('label', 'value');
    expect(left).toEqual([{ label: 'Which trust?', value: null }, { label: 'Any health condition?', value: null }, { label: 'Any health condition?', value: 'Bart condition' }]);
  });

  it('when a person is erased, then their free place to come is cancelled with the waitlist moving up, their details are replaced everywhere, and the audit entry does not hold them', async () => {
    const full = await buildEvent(t.db, { title: 'Full meeting', capacity: 1 });
    await book(full.slug, A, [A]);
    await book(full.slug, B, [B]);
    await request(t.app).post('/subscribe').type('form').send(`email=${encodeURIComponent(A.email)}&choice=all`).expect(303);
    await t.sendMail();
    // An earlier staff action that named them (a cancellation records the names of the places).
    await recordAudit(t.db, { id: null, email: 'organiser@hsug.test' }, { action: 'seats_cancelled_by_staff', targetType: 'booking', targetId: 1, details: { names: [A.name], email: 'Aisha.Khan@NHS.example', reference: 'HSUG-TEST-0001' } }, t.clock.now());
    expect(await t.db('bookings').where({ buyer_email_normalised: B.email }).first('status')).toEqual({ status: 'waitlisted' });

    const review = await admin.agent.post('/admin/privacy/erase').type('form').send({ _csrf: admin.csrf, email: A.email, step: 'review' }).expect(200);
    expect(textOf(review.text)).toContain('1 place still to come will be cancelled: Full meeting');
    // Without the confirmation box, nothing happens.
    const unconfirmed = await admin.agent.post('/admin/privacy/erase').type('form').send({ _csrf: admin.csrf, email: A.email, step: 'erase' }).expect(422);
    expect(textOf(unconfirmed.text)).toContain('Tick the box to confirm you have checked who is asking');
    expect(await t.db('attendees').where({ email_normalised: A.email }).first('id')).toBeDefined();

    const done = await admin.agent.post('/admin/privacy/erase').type('form').send({ _csrf: admin.csrf, email: A.email, step: 'erase', confirm: 'on' }).expect(200);
    expect(textOf(done.text)).toContain('Erased.');
    expect(await t.db('bookings').where({ buyer_email_normalised: B.email }).first('status')).toEqual({ status: 'confirmed' });
    const rows = JSON.stringify([await t.db('attendees').select('*'), await t.db('bookings').select('*'), await t.db('subscribers').select('*'), await t.db('audit_log').select('*')]);
    for (const value of [A.name, A.email, A.organisation]) expect(rows.toLowerCase()).not.toContain(value.toLowerCase());
    expect(rows).toContain('HSUG-TEST-0001');
    // The cancellation still reaches them; then the address goes.
    await t.sendMail();
    expect(t.smtp.messages.some((m) => JSON.stringify(m.to).includes(A.email) && m.subject?.startsWith('Cancelled'))).toBe(true);
    const { applyRetention } = await import('../../src/privacy/retention');
    await applyRetention(t.db, t.clock.now(), t.config.retention);
    expect(JSON.stringify(await t.db('outbox_emails').select('to_address', 'text_body'))).not.toContain(A.email);
    expect((await exportZip(A.email).expect(200)).body.length).toBeGreaterThan(0);
  });

  it('when the person holds a paid place still to come, then erasure is refused with the booking to cancel first', async () => {
    const paid = await buildEvent(t.db, { kind: 'seminar', title: 'Paid seminar', allowsInvoice: true, tickets: [{ name: 'Standard', price: 9500 }] });
    const res = await request(t.app).post(`/api/v1/events/${paid.slug}/bookings`).send({ buyer: { ...A, organisation: 'NHS Digital' }, items: [{ ticketTypeId: paid.ticketTypeIds[0], attendee: A }], paymentMethod: 'invoice', purchaseOrder: 'PO-9', billingContact: 'Accounts', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' }).expect(201);
    const refused = await admin.agent.post('/admin/privacy/erase').type('form').send({ _csrf: admin.csrf, email: A.email, step: 'erase', confirm: 'on' }).expect(409);
    expect(textOf(refused.text)).toContain(`This person holds paid places still to come (${res.body.booking.reference})`);
    expect(await t.db('attendees').where({ email_normalised: A.email }).first('name')).toEqual({ name: A.name });
  });

  it('when the command line exports and erases, then it writes the ZIP, asks before erasing, and erases with --yes', async () => {
    await arrange();
    const lines: string[] = [];
    const io: CliIo = { out: (l) => lines.push(l), err: (l) => lines.push(l), prompt: async () => 'no' };
    const env = { DATABASE_URL: t.testDb.url, NODE_ENV: 'test' };
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-sar-')), 'a.zip');
    expect(await runCli(['privacy:export', '--email', A.email, '--out', out], env, io)).toBe(0);
    const files = await unzipTexts(fs.readFileSync(out));
    expect(JSON.parse(files['personal-data.json']).places).toHaveLength(3);
    expect(await runCli(['privacy:erase', '--email', A.email], env, io)).toBe(1);
    expect(lines).toContain('Nothing was changed.');
    expect(await runCli(['privacy:erase', '--email', A.email, '--yes'], env, io)).toBe(0);
    expect(await t.db('attendees').where({ email_normalised: A.email }).first()).toBeUndefined();
    expect(await runCli(['privacy:export', '--email', 'not-an-address', '--out', out], env, io)).toBe(2);
  });

  it('when a person with a past invoice booking is erased, then the invoice keeps its addressee, purchase order and amounts, and nothing else names them', async () => {
    const seminar = await buildEvent(t.db, { kind: 'seminar', title: 'Past seminar', allowsInvoice: true, startsAt: '2026-03-17T18:00:00.000Z', tickets: [{ name: 'Standard', price: 9500 }] });
    const booked = await request(t.app).post(`/api/v1/events/${seminar.slug}/bookings`).send({ buyer: { ...A }, items: [{ ticketTypeId: seminar.ticketTypeIds[0], attendee: A }], paymentMethod: 'invoice', purchaseOrder: 'PO-77', billingContact: 'Accounts Payable', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' }).expect(201);
    await t.sendMail();
    t.clock.set('2026-04-01T12:00:00Z');
    // A month on, the administrator signs in again (sessions end after a day of idleness).
    admin = await signIn(server, (await createStaff(t, 'admin')).email);
    const before = await t.db('bookings').where({ reference: booked.body.booking.reference }).first('total', 'status', 'purchase_order', 'buyer_name', 'buyer_organisation', 'billing_contact');
    const issued = await t.db('finance_documents').orderBy('id').select('number', 'snapshot', 'personal_data_removed_at');
    expect(issued).toHaveLength(1);
    const review = await admin.agent.post('/admin/privacy/erase').type('form').send({ _csrf: admin.csrf, email: A.email }).expect(200);
    expect(textOf(review.text)).toContain('1 issued finance document (invoice, receipt or credit note) stays exactly as issued: the law requires us to keep tax records for the finance retention period. Their details in it are removed from Thursday 1 April 2032.');
    const erased = await admin.agent.post('/admin/privacy/erase').type('form').send({ _csrf: admin.csrf, email: A.email, step: 'erase', confirm: 'on' }).expect(200);
    expect(textOf(erased.text)).toContain('1 issued finance document stays exactly as issued, as the law requires us to keep tax records: their details in it are removed from Thursday 1 April 2032, when the finance retention period ends.');
    // The invoice is a tax record: byte for byte as issued, naming them, until the period ends; then retention scrubs it.
    expect(await t.db('finance_documents').orderBy('id').select('number', 'snapshot', 'personal_data_removed_at')).toEqual(issued);
    expect(String(issued[0].snapshot)).toContain(A.name);
    const after = await t.db('bookings').where({ reference: booked.body.booking.reference }).first('total', 'status', 'purchase_order', 'buyer_name', 'buyer_organisation', 'billing_contact', 'buyer_email');
    expect(after).toMatchObject({ total: 9500, status: before.status, purchase_order: 'PO-77', buyer_name: A.name, buyer_organisation: A.organisation, billing_contact: 'Accounts Payable' });
    expect(after.buyer_email).toMatch(/^removed-buyer-\d+@removed\.invalid$/);
    expect(await t.db('attendees').where({ email_normalised: A.email }).first()).toBeUndefined();
    t.clock.set('2032-04-01T03:00:00Z');
    expect((await applyRetention(t.db, t.clock.now(), t.config.retention)).financeDocuments).toBe(1);
    const scrubbed = String((await t.db('finance_documents').first('snapshot')).snapshot);
    for (const value of [A.name, A.email, A.organisation, 'ap@nhs.test', 'Trust Way']) expect(scrubbed).not.toContain(value);
    expect(scrubbed).toContain('PO-77');
  });

  it("when A made an invoice booking for A and B, then A's download holds the billing contact, email and address and the invoice (figures, PDF), and nothing of B", async () => {
    const seminar = await buildEvent(t.db, { kind: 'seminar', title: 'Invoiced seminar', allowsInvoice: true, tickets: [{ name: 'Standard', price: 9500 }] });
    const booked = await request(t.app)
      .post(`/api/v1/events/${seminar.slug}/bookings`)
      .send({ buyer: { ...A }, items: [A, B].map((attendee) => ({ ticketTypeId: seminar.ticketTypeIds[0], attendee })), paymentMethod: 'invoice', purchaseOrder: 'PO-77', billingContact: 'Accounts Payable', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' })
      .expect(201);
    await t.sendMail();
    const invoice = await t.db('finance_documents').where({ kind: 'invoice' }).first('number');
    const files = await unzipFiles((await exportZip(A.email).expect(200)).body as Buffer);
    expect(Object.keys(files).sort()).toEqual([`documents/${invoice.number}.pdf`, 'personal-data.html', 'personal-data.json']);
    const data = JSON.parse(files['personal-data.json'].toString('utf8'));
    const made = data.bookingsMade.find((b: { reference: string }) => b.reference === booked.body.booking.reference);
    expect(made.buyer).toMatchObject({ name: A.name, billingContact: 'Accounts Payable', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way, Leeds LS1 4AP' });
    expect(made.documents).toHaveLength(1);
    expect(made.documents[0]).toMatchObject({ kind: 'invoice', number: invoice.number, issueDate: '2 March 2026', currency: 'GBP', gross: 19000, file: `documents/${invoice.number}.pdf` });
    expect(made.documents[0].document.customer).toMatchObject({ name: A.name, billingEmail: 'ap@nhs.test', address: ['1 Trust Way', 'Leeds LS1 4AP'] });
    expect(made.documents[0].document.lines.map((l: { description: string }) => l.description)).toEqual([A.name, '[another person]']);
    expect(textOf(files['personal-data.html'].toString('utf8'))).toContain(`invoice ${invoice.number} of 2 March 2026, £190.00`);
    const pdf = (await pdfText(files[`documents/${invoice.number}.pdf`])).text;
    expect(pdf).toContain(invoice.number);
    expect(pdf).toContain('PO-77');
    expect(pdf).toContain('[another person]');
    for (const text of [files['personal-data.json'].toString('utf8'), files['personal-data.html'].toString('utf8'), pdf]) {
      for (const value of [B.name, B.email, 'Bartholomew', 'bart.quist']) expect(text).not.toContain(value);
    }
  });
});
