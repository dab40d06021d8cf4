import request from 'supertest';
import { mailRetentionJob } from '../../src/mail/jobs';
import { enqueueEmail } from '../../src/mail/outbox';
import { fromDbTime, toDbTime } from '../../src/lib/time';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';

// Issue 14: "Sent outbox rows keep rendered bodies that contain manage links: purge bodies of sent mail after a
// configurable period (default 30 days), keeping the metadata."

const DAY = 24 * 60 * 60 * 1000;

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const MANAGE_LINK = 'http://events.test/bookings/HSUG-AB12-CD34?token=SecretManageToken1234567890abcdefghijklmnop';

/** A rendered email (as rows were before rendering moved to the sender), with a manage link in every part. */
async function queueRendered(key: string): Promise<void> {
  await enqueueEmail(t.db, { dedupeKey: key, kind: 'test', to: `${key}@example.org`, toName: 'Ada Lovelace', subject: `Your booking ${key}`, text: `Manage it: ${MANAGE_LINK}`, html: `<a href="${MANAGE_LINK}">Manage</a>`, ical: { method: 'REQUEST', content: `BEGIN:VCALENDAR\r\nDESCRIPTION:${MANAGE_LINK}\r\nEND:VCALENDAR` } }, t.clock.now(), 'events.test');
}

/** A deferred email whose template data holds a payment link with the manage token (a waitlist offer), sent. */
async function sentDeferredWithLink(key: string): Promise<void> {
  const payload = { notice: 'offered', bookingId: 1, attendeeIds: [], sequence: 0, isBuyer: true, payUrl: 'http://events.test/bookings/HSUG-AB12-CD34/pay?token=SecretPayToken1234567890abcdefghijklmnopq' };
  await enqueueEmail(t.db, { dedupeKey: key, kind: 'booking_offered', to: `${key}@example.org`, subject: 'A place is yours', deferred: { template: 'booking_notice', payload } }, t.clock.now(), 'events.test');
  await t.db('outbox_emails').where({ dedupe_key: key }).update({ status: 'sent', attempts: 1, sent_at: toDbTime(t.clock.now()) });
}

async function row(address: string) {
  return t.db('outbox_emails').where({ to_address: address }).first();
}

function runJob(days?: number) {
  const ctx = days === undefined ? t.ctx : { ...t.ctx, config: { ...t.ctx.config, mailBodyRetentionDays: days } };
  return mailRetentionJob(ctx).run(new AbortController().signal);
}

describe('purging the bodies of sent emails', () => {
  it('when a sent email is older than 30 days, then its text, HTML and calendar file are blanked and its recipient, subject and times stay', async () => {
    // Arrange: rendered and sent now
    t.clock.set('2026-03-02T12:00:00.000Z');
    await queueRendered('old-rendered');
    await t.sendMail();
    const sent = await row('old-rendered@example.org');
    expect(sent).toMatchObject({ status: 'sent', text_body: expect.stringContaining(MANAGE_LINK) });

    // Act: thirty days and a minute later
    t.clock.advance(30 * DAY + 60_000);
    const purged = await runJob();

    // Assert
    const after = await row('old-rendered@example.org');
    expect(purged).toBeGreaterThanOrEqual(1);
    expect(after).toMatchObject({ status: 'sent', text_body: '', html_body: '', ical_content: null, to_address: 'old-rendered@example.org', to_name: 'Ada Lovelace', subject: 'Your booking old-rendered', kind: 'test', dedupe_key: 'old-rendered', ical_method: 'REQUEST', message_id: sent.message_id });
    expect(fromDbTime(after.sent_at).toISOString()).toBe('2026-03-02T12:00:00.000Z');
    expect(fromDbTime(after.created_at).toISOString()).toBe('2026-03-02T12:00:00.000Z');
    expect(fromDbTime(after.body_purged_at).toISOString()).toBe(t.clock.now().toISOString());
    expect(JSON.stringify(after)).not.toContain('SecretManageToken');
  });

  it('when a sent email is 29 days old, then it keeps its body', async () => {
    t.clock.set('2026-05-01T09:00:00.000Z');
    await queueRendered('recent-rendered');
    await t.sendMail();

    t.clock.advance(29 * DAY);
    await runJob();

    expect(await row('recent-rendered@example.org')).toMatchObject({ status: 'sent', text_body: expect.stringContaining(MANAGE_LINK), body_purged_at: null });
  });

  it('when an old sent email\'s template data holds a link with a token, then the data is removed; template data without a token is kept', async () => {
    t.clock.set('2026-06-01T09:00:00.000Z');
    await sentDeferredWithLink('old-offer');
    const event = await buildEvent(t.db, { startsAt: '2026-06-20T17:00:00Z' });
    const attendee = person('old-registration');
    await request(t.app).post(`/events/${event.slug}/register`).type('form').send(attendee).expect(303);
    await t.sendMail();
    const registration = await row(attendee.email);
    expect(registration).toMatchObject({ status: 'sent', template: 'booking_notice' });

    t.clock.advance(31 * DAY);
    await runJob();

    expect(await row('old-offer@example.org')).toMatchObject({ template: 'booking_notice', template_payload: null, subject: 'A place is yours', body_purged_at: expect.anything() });
    expect(await row(attendee.email)).toMatchObject({ template: 'booking_notice', template_payload: registration.template_payload, body_purged_at: expect.anything() });
  });

  it('when emails are still to be sent, or have failed, then their bodies are kept however old they are', async () => {
    t.clock.set('2026-07-01T09:00:00.000Z');
    await queueRendered('never-sent');
    await queueRendered('gave-up');
    await t.db('outbox_emails').where({ dedupe_key: 'gave-up' }).update({ status: 'failed', attempts: 9, last_error: 'relay refused' });
    await t.db('outbox_emails').where({ dedupe_key: 'never-sent' }).update({ next_attempt_at: toDbTime(new Date('2027-01-01T00:00:00Z')) });

    t.clock.advance(90 * DAY);
    await runJob();

    expect(await row('never-sent@example.org')).toMatchObject({ status: 'pending', text_body: expect.stringContaining(MANAGE_LINK), body_purged_at: null });
    expect(await row('gave-up@example.org')).toMatchObject({ status: 'failed', text_body: expect.stringContaining(MANAGE_LINK), body_purged_at: null });
  });

  it('when MAIL_BODY_RETENTION_DAYS is 7, then a body is purged after 7 days and not before', async () => {
    t.clock.set('2026-09-01T09:00:00.000Z');
    await queueRendered('week-old');
    await t.sendMail();

    t.clock.advance(6 * DAY);
    await runJob(7);
    expect(await row('week-old@example.org')).toMatchObject({ body_purged_at: null });

    t.clock.advance(1 * DAY + 60_000);
    await runJob(7);
    expect(await row('week-old@example.org')).toMatchObject({ text_body: '', body_purged_at: expect.anything() });
  });

  it('when the job runs again, then nothing more is purged and purged rows keep their first purge time', async () => {
    const before = await row('old-rendered@example.org');

    t.clock.advance(DAY);
    const purged = await runJob();

    expect(purged).toBe(0);
    expect((await row('old-rendered@example.org')).body_purged_at).toEqual(before.body_purged_at);
  });
});
