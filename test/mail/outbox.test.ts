import request from 'supertest';
import { toDbTime } from '../../src/lib/time';
import { enqueueEmail, type OutgoingEmail } from '../../src/mail/outbox';
import { RETRY_DELAYS_MS, sendDueEmails } from '../../src/mail/sender';
import { outboxSenderDeps } from '../../src/mail/jobs';
import { createMailer } from '../../src/mail/transport';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, freeBookingBody, person } from '../support/factories';
import { inviteOf } from '../support/ical';
import { fromDbTime } from '../../src/lib/time';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

function anEmail(key: string, to = `${key}@example.org`): OutgoingEmail {
  return { dedupeKey: key, kind: 'test', to, subject: `Subject ${key}`, text: `Text ${key}`, html: `<p>HTML ${key}</p>` };
}

function received(address: string) {
  return t.smtp.messages.filter((m) => JSON.stringify(m.to).includes(address));
}

async function outboxRows(address: string) {
  return t.db('outbox_emails').where({ to_address: address }).select('status', 'attempts', 'next_attempt_at', 'last_error');
}

describe('the outbox sender', () => {
  it('when the mail server is down, then nothing is lost: the email waits with backoff and arrives exactly once when it is back', async () => {
    // Arrange
    const event = await buildEvent(t.db);
    const attendee = person('outage');
    await t.smtp.stop();

    // Act: register while mail is down, and try to send
    await request(t.app).post(`/events/${event.slug}/register`).type('form').send(attendee).expect(303);
    const firstTry = await t.sendMail();

    // Assert: the failure is recorded and a retry is scheduled in the future
    expect(firstTry).toEqual({ sent: 0, failed: 1 });
    const [pending] = await outboxRows(attendee.email);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1 });
    expect(pending.last_error).toBeTruthy();
    expect(fromDbTime(pending.next_attempt_at).getTime()).toBe(t.clock.now().getTime() + RETRY_DELAYS_MS[0]);

    // Act: before the backoff has passed, the sender leaves it alone, even with the server back
    await t.smtp.start();
    expect(await t.sendMail()).toEqual({ sent: 0, failed: 0 });
    expect(received(attendee.email)).toHaveLength(0);

    // Act: after the backoff, it goes
    t.clock.advance(RETRY_DELAYS_MS[0]);
    expect(await t.sendMail()).toEqual({ sent: 1, failed: 0 });
    await t.sendMail();

    // Assert: exactly once
    await t.smtp.waitFor(1);
    expect(received(attendee.email)).toHaveLength(1);
    expect(received(attendee.email)[0].subject).toContain("You're booked");
    const [sent] = await outboxRows(attendee.email);
    expect(sent).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('when every retry fails, then the email is marked failed for a person to look at, after growing delays', async () => {
    // Arrange
    await t.db.transaction((trx) => enqueueEmail(trx, anEmail('doomed'), t.clock.now(), 'events.test'));
    await t.smtp.stop();
    const delays: number[] = [];

    // Act
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      const before = t.clock.now().getTime();
      await t.sendMail();
      const [row] = await outboxRows('doomed@example.org');
      if (row.status === 'failed') break;
      const next = fromDbTime(row.next_attempt_at).getTime();
      delays.push(next - before);
      t.clock.set(new Date(next));
    }
    await t.smtp.start();
    await t.sendMail();

    // Assert
    expect(delays).toEqual(RETRY_DELAYS_MS);
    const [row] = await outboxRows('doomed@example.org');
    expect(row).toMatchObject({ status: 'failed', attempts: RETRY_DELAYS_MS.length + 1 });
    expect(received('doomed@example.org')).toHaveLength(0);
  });

  it('when an email is queued in a transaction that rolls back, then it is never sent', async () => {
    // Act
    await expect(
      t.db.transaction(async (trx) => {
        await enqueueEmail(trx, anEmail('rolled-back'), t.clock.now(), 'events.test');
        throw new Error('the booking failed after the email was queued');
      }),
    ).rejects.toThrow('the booking failed');
    await t.sendMail();

    // Assert
    expect(await outboxRows('rolled-back@example.org')).toEqual([]);
    expect(received('rolled-back@example.org')).toHaveLength(0);
  });

  it('when the same dedupe key is queued twice, then one email is stored and sent', async () => {
    await t.db.transaction((trx) => enqueueEmail(trx, anEmail('once'), t.clock.now(), 'events.test'));
    await t.db.transaction((trx) => enqueueEmail(trx, { ...anEmail('once'), subject: 'A second version' }, t.clock.now(), 'events.test'));
    await t.sendMail();
    await t.sendMail();
    expect(await outboxRows('once@example.org')).toHaveLength(1);
    expect(received('once@example.org').map((m) => m.subject)).toEqual(['Subject once']);
  });

  it('when a sender died while sending, then another picks the email up once its lease has run out', async () => {
    // Arrange: a row claimed by a sender that never finished
    await t.db.transaction((trx) => enqueueEmail(trx, anEmail('orphan'), t.clock.now(), 'events.test'));
    await t.db('outbox_emails')
      .where({ dedupe_key: 'orphan' })
      .update({ status: 'sending', attempts: 1, locked_until: toDbTime(new Date(t.clock.now().getTime() + 60_000)) });

    // Act and assert: not while the lease holds, then once after
    await t.sendMail();
    expect(received('orphan@example.org')).toHaveLength(0);
    t.clock.advance(61_000);
    await t.sendMail();
    expect(received('orphan@example.org')).toHaveLength(1);
  });

  it('when another instance took an email over while this sender was rendering, then this sender does not send it too', async () => {
    // Arrange: a sender whose render is slow; while it renders, its lease lapses and another instance claims the row
    await t.db.transaction((trx) => enqueueEmail(trx, { ...anEmail('slow-render'), deferred: { template: 'slow', payload: {} } } as OutgoingEmail, t.clock.now(), 'events.test'));
    const base = outboxSenderDeps(t.ctx, createMailer({ smtpUrl: t.smtp.url, dir: '' }));
    const render = async () => {
      t.clock.advance(50_000);
      await t.db('outbox_emails').where({ dedupe_key: 'slow-render' }).update({ attempts: 2, locked_until: toDbTime(new Date(t.clock.now().getTime() + 120_000)) });
      return { text: 'rendered', html: '<p>rendered</p>' };
    };

    // Act: the first sender renders (taking the time the other needs to claim it), then would send
    const outcome = await sendDueEmails({ ...base, leaseMs: 60_000, render });

    // Assert: it sent nothing; the row is the other instance's, still 'sending' under its claim
    expect(outcome.sent).toBe(0);
    expect(received('slow-render@example.org')).toHaveLength(0);
    expect(await t.db('outbox_emails').where({ dedupe_key: 'slow-render' }).first('status', 'attempts')).toMatchObject({ status: 'sending', attempts: 2 });
  });

  it('when a booking notice waits in the outbox, then it is rendered when sent: a venue moved meanwhile shows in the email and its invitation', async () => {
    // Arrange: a registration queues the confirmation; the venue changes before the sender runs
    const event = await buildEvent(t.db);
    const body = freeBookingBody('rendered-late');
    await request(t.app).post(`/api/v1/events/${event.slug}/bookings`).send(body).expect(201);
    const [queued] = await t.db('outbox_emails').where({ to_address: body.buyer.email }).select('template', 'text_body');
    await t.db('events').where({ id: event.id }).update({ venue: 'The Moved Hall' });

    // Act
    await t.sendMail();

    // Assert: the row kept what to render, not a rendered message; the email shows the venue as it is now
    expect(queued).toEqual({ template: 'booking_notice', text_body: '' });
    const [mail] = received(body.buyer.email);
    expect(mail.text).toContain('Where: The Moved Hall');
    const invite = inviteOf(mail);
    expect(invite.method).toBe('REQUEST');
    expect(invite.location).toContain('The Moved Hall');
  });

  it('when a queued email cannot be rendered, then that attempt fails with the reason and the emails after it still go out', async () => {
    // Arrange: one email whose template nobody knows, queued before a good one
    await t.db.transaction(async (trx) => {
      await enqueueEmail(trx, { dedupeKey: 'no-template', kind: 'test', to: 'no-template@example.org', subject: 'Never', deferred: { template: 'no_such_template', payload: {} } }, t.clock.now(), 'events.test');
      await enqueueEmail(trx, anEmail('after-unrenderable'), t.clock.now(), 'events.test');
    });

    // Act
    const outcome = await t.sendMail();

    // Assert
    expect(outcome).toEqual({ sent: 1, failed: 1 });
    const [row] = await outboxRows('no-template@example.org');
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'unknown email template no_such_template' });
    expect(received('no-template@example.org')).toHaveLength(0);
    expect(received('after-unrenderable@example.org')).toHaveLength(1);
  });

  it('when the process is stopping, then the sender claims nothing more and the email waits for the next sender', async () => {
    // Arrange
    await t.db.transaction((trx) => enqueueEmail(trx, anEmail('at-shutdown'), t.clock.now(), 'events.test'));
    const mailer = createMailer({ smtpUrl: t.smtp.url, dir: '' });
    const stopping = new AbortController();
    stopping.abort();

    // Act
    const outcome = await sendDueEmails({ ...outboxSenderDeps(t.ctx, mailer), signal: stopping.signal });
    mailer.close();

    // Assert: not claimed, so no lease to wait out; the next sender sends it
    expect(outcome).toEqual({ sent: 0, failed: 0 });
    expect(await outboxRows('at-shutdown@example.org')).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);
    await t.sendMail();
    expect(received('at-shutdown@example.org')).toHaveLength(1);
  });
});
