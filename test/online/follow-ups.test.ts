import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import { runFollowUps } from '../../src/online';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';

/**
 * Reminders before an event and follow-ups after it, with the fixed clock: who gets which, exactly once, and never a
 * stale one. The event starts at T = Tuesday 14 April 2026, 18:00 London (17:00Z).
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

const T = Date.parse('2026-04-14T17:00:00Z');
const at = (ms: number) => new Date(T + ms).toISOString();
const HOUR = 3600_000;
const DAY = 24 * HOUR;

async function book(slug: string, n: string, mode: 'in_person' | 'online') {
  const p = { ...person(n), mode };
  const res = await request(t.app).post(`/api/v1/events/${slug}/bookings`).send({ buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] });
  expect(res.status).toBe(201);
  return res.body.booking as { reference: string; status: string; manageUrl: string };
}

/** Runs the scheduler as the job does, then the outbox sender, and returns the new emails that arrived. */
async function tick(iso: string): Promise<ParsedMail[]> {
  const before = t.smtp.messages.length;
  t.clock.set(iso);
  await runFollowUps(t.ctx);
  await t.sendMail();
  return t.smtp.messages.slice(before);
}

const who = (mails: ParsedMail[]) => mails.map((m) => `${(m.to as { text: string }).text.replace(/^.*<|>.*$/g, '')} ${m.subject?.split(':')[0]}`).sort();

describe('reminders and follow-ups', () => {
  it('when people book at T−10 days, T−3 days and T−5 hours, then the 7-day reminder goes to the first only, the 1-day reminder to the first two; cancelled and waitlisted get nothing; after the event attendees are thanked and no-shows missed, each exactly once', async () => {
    // Arrange: a hybrid meeting, 10 in person and 1 online place.
    t.clock.set(at(-11 * DAY));
    const event = await buildEvent(t.db, { slug: 'reminded', title: 'Hybrid evening meeting', mode: 'hybrid', capacity: 10, onlineCapacity: 1, startsAt: at(0), endsAt: at(2 * HOUR), meetingUrl: 'https://teams.example.com/l/SECRETSECRET' });
    t.clock.set(at(-10 * DAY));
    const a = await book(event.slug, 'ten-days', 'in_person');
    await book(event.slug, 'online-holder', 'online');
    expect((await book(event.slug, 'online-waiting', 'online')).status).toBe('waitlisted');
    const e = await book(event.slug, 'cancels', 'in_person');
    await request(t.app).post(`/api/v1/bookings/${e.reference}/cancel`).set('Authorization', `Bearer ${new URL(e.manageUrl).searchParams.get('token')}`).expect(200);
    await t.sendMail();

    // Act / Assert: the 7-day reminder at its time, and a second instance's run at the same moment adds nothing.
    const week = await tick(at(-7 * DAY));
    expect(who(week)).toEqual(['attendeeonline-holder@example.org Coming up', 'attendeeten-days@example.org Coming up']);
    expect(await tick(at(-7 * DAY + 60_000))).toEqual([]);

    t.clock.set(at(-3 * DAY));
    await book(event.slug, 'three-days', 'in_person');
    await t.sendMail();
    expect(await tick(at(-3 * DAY + 60_000))).toEqual([]);

    const day = await tick(at(-1 * DAY));
    expect(who(day)).toEqual(['attendeeonline-holder@example.org Reminder', 'attendeeten-days@example.org Reminder', 'attendeethree-days@example.org Reminder']);

    t.clock.set(at(-5 * HOUR));
    await book(event.slug, 'five-hours', 'in_person');
    await t.sendMail();
    expect(await tick(at(-4 * HOUR))).toEqual([]);

    // What a reminder carries: the venue or the joining link, the manage link, the "can't come?" line.
    const roomReminder = day.find((m) => m.text?.includes('Attendee ten-days'))!;
    expect(roomReminder.text).toContain('Where: Royal Statistical Society, 12 Errol Street, London EC1Y 8LX');
    expect(roomReminder.text).toContain(a.manageUrl);
    expect(roomReminder.text).toContain("Can't come? Please release your place for someone on the waitlist");
    const onlineReminder = day.find((m) => m.text?.includes('Attendee online-holder'))!;
    expect(onlineReminder.text).toMatch(/Join: {2}http:\/\/events\.test\/join\/[A-Za-z0-9_-]{43}/);
    expect(onlineReminder.text).toContain('it opens Tuesday 14 April 2026, 5:30pm BST');
    for (const m of [...week, ...day]) expect(`${m.text}${m.html}`).not.toContain('SECRETSECRET');

    // After the event: the one in the room checked in, the online holder joined; the others did not come.
    await t.db('attendees').where({ email: 'attendeeten-days@example.org' }).update({ checked_in_at: at(10 * 60_000) });
    await t.db('attendees').where({ email: 'attendeeonline-holder@example.org' }).update({ joined_at: at(-20 * 60_000) });
    expect(await tick(at(2 * HOUR + 30 * 60_000))).toEqual([]);
    const after = await tick(at(4 * HOUR));
    expect(who(after)).toEqual([
      'attendeefive-hours@example.org Sorry we missed you',
      'attendeeonline-holder@example.org Thank you for coming',
      'attendeeten-days@example.org Thank you for coming',
      'attendeethree-days@example.org Sorry we missed you',
    ]);
    expect(await tick(at(5 * HOUR))).toEqual([]);
    const everyone = t.smtp.messages.filter((m) => /Coming up|Reminder|Thank you|Sorry we missed/.test(m.subject ?? ''));
    expect(everyone.filter((m) => JSON.stringify(m.to).includes('online-waiting'))).toEqual([]);
    expect(everyone.filter((m) => JSON.stringify(m.to).includes('attendeecancels'))).toEqual([]);
  });

  it('when the event moves a week later before its reminder, then the reminder goes at the new time, not the old; when an event is cancelled, its pending reminders are dropped', async () => {
    // Arrange
    t.clock.set(at(-20 * DAY));
    const moved = await buildEvent(t.db, { title: 'Moved meeting', startsAt: at(0), endsAt: at(2 * HOUR) });
    const cancelled = await buildEvent(t.db, { title: 'Cancelled meeting', startsAt: at(0), endsAt: at(2 * HOUR) });
    await book(moved.slug, 'moved-1', 'in_person');
    await book(cancelled.slug, 'dropped-1', 'in_person');
    await t.sendMail();

    // Act: the event moves a week later; the other is cancelled.
    await t.db('events').where({ id: moved.id }).update({ starts_at: at(7 * DAY), ends_at: at(7 * DAY + 2 * HOUR) });
    await t.db('events').where({ id: cancelled.id }).update({ status: 'cancelled' });

    // Assert
    expect(who(await tick(at(-7 * DAY)))).toEqual([]);
    expect(who(await tick(at(0)))).toEqual(['attendeemoved-1@example.org Coming up']);
  });

  it('when nobody was checked in and nobody joined online, then neither follow-up is sent (attendance was not taken) and the run says why', async () => {
    t.clock.set(at(-20 * DAY));
    const event = await buildEvent(t.db, { title: 'Unchecked meeting', startsAt: at(0), endsAt: at(2 * HOUR) });
    await book(event.slug, 'unchecked-1', 'in_person');
    await t.sendMail();
    t.clock.set(at(-HOUR));
    await t.db('events').where({ id: event.id }).update({ reminder_early_hours: null, reminder_late_hours: null });
    expect(await tick(at(4 * HOUR))).toEqual([]);
    const runs = await t.db('event_follow_up_runs').where({ event_id: event.id }).orderBy('rule');
    expect(runs.map((r) => [r.rule, Number(r.recipients), r.skipped_reason])).toEqual([
      ['missed_you', 0, 'Nobody was checked in at the door, joined online or appears in an attendance report, so who came is not known.'],
      ['thank_you', 0, 'Nobody was checked in at the door, joined online or appears in an attendance report, so who came is not known.'],
    ]);
  });

  it('when the only record of attendance is an uploaded attendance report, then those present long enough are thanked (with the survey link) and the rest missed, by the same rule as certificates', async () => {
    // Arrange: an online meeting of 2 hours; nobody checked in or opened their joining link.
    t.clock.set(at(-20 * DAY));
    const event = await buildEvent(t.db, { title: 'Webinar with a report', mode: 'online', startsAt: at(0), endsAt: at(2 * HOUR), meetingUrl: 'https://zoom.example.com/j/123' });
    await book(event.slug, 'stayed-an-hour', 'online');
    await book(event.slug, 'left-early', 'online');
    await book(event.slug, 'never-came', 'online');
    await t.sendMail();
    t.clock.set(at(-HOUR));
    await t.db('events').where({ id: event.id }).update({ reminder_early_hours: null, reminder_late_hours: null });
    // Act: the organisers' uploaded report (half the event, 60 minutes, is the default minimum) is recorded.
    const seats = await t.db('attendees').where({ event_id: event.id }).select('id', 'email');
    const seatOf = (n: string) => Number(seats.find((s) => s.email === `attendee${n}@example.org`)!.id);
    await t.db('online_attendance').insert([
      { attendee_id: seatOf('stayed-an-hour'), event_id: event.id, seconds: 60 * 60, recorded_at: at(2 * HOUR + 60_000) },
      { attendee_id: seatOf('left-early'), event_id: event.id, seconds: 59 * 60, recorded_at: at(2 * HOUR + 60_000) },
    ]);
    const after = await tick(at(4 * HOUR));

    // Assert
    expect(who(after)).toEqual([
      'attendeeleft-early@example.org Sorry we missed you',
      'attendeenever-came@example.org Sorry we missed you',
      'attendeestayed-an-hour@example.org Thank you for coming',
    ]);
    const thanks = after.find((m) => m.subject?.startsWith('Thank you'))!;
    expect(thanks.text).toMatch(new RegExp(`Tell us how it went \\(a few questions, a couple of minutes\\): http://events\\.test/bookings/HSUG-[0-9A-Z-]+/seats/${seatOf('stayed-an-hour')}/feedback\\?token=`));
    const missed = after.filter((m) => m.subject?.startsWith('Sorry'));
    for (const m of missed) expect(m.text).not.toContain('/feedback?token=');
  });

  it('when an attendee is known only from the attendance report, then the attendees-only recording their thank-you links opens for them, and their booking page lists it', async () => {
    t.clock.set(at(-20 * DAY));
    const event = await buildEvent(t.db, { title: 'Webinar with a recording', mode: 'online', startsAt: at(0), endsAt: at(2 * HOUR), meetingUrl: 'https://zoom.example.com/j/123' });
    const booked = await book(event.slug, 'report-only', 'online');
    await t.sendMail();
    await t.db('events').where({ id: event.id }).update({ reminder_early_hours: null, reminder_late_hours: null });
    t.clock.set(at(2 * HOUR + 30_000));
    const seat = await t.db('attendees').where({ event_id: event.id }).first();
    await t.db('online_attendance').insert({ attendee_id: seat.id, event_id: event.id, seconds: 90 * 60, recorded_at: at(2 * HOUR + 60_000) });
    await t.db('event_materials').insert({ event_id: event.id, kind: 'recording', title: 'The recording', url: 'https://video.example.org/recording-42', visibility: 'attendees', created_at: at(2 * HOUR + 60_000) });

    const [thanks] = await tick(at(4 * HOUR));

    expect(thanks.subject).toMatch(/^Thank you for coming/);
    const link = /http:\/\/events\.test(\/materials\/\d+\/\d+\/[A-Za-z0-9_-]+)/.exec(thanks.text ?? '');
    expect(link).not.toBeNull();
    const opened = await request(t.app).get(link![1]);
    expect(opened.status).toBe(302);
    expect(opened.headers.location).toBe('https://video.example.org/recording-42');
    const page = await request(t.app).get(`/bookings/${booked.reference}?token=${new URL(booked.manageUrl).searchParams.get('token')}`);
    expect(page.text).toContain('The recording');
  });

  it('when two schedulers run at the same moment, then each reminder is queued once', async () => {
    t.clock.set(at(-20 * DAY));
    const event = await buildEvent(t.db, { title: 'Raced meeting', startsAt: at(0), endsAt: at(2 * HOUR) });
    for (const n of ['race-1', 'race-2', 'race-3']) await book(event.slug, n, 'in_person');
    await t.sendMail();
    t.clock.set(at(-7 * DAY));
    const results = await Promise.all([runFollowUps(t.ctx), runFollowUps(t.ctx), runFollowUps(t.ctx)]);
    expect(results.map((r) => r.emails).sort()).toEqual([0, 0, 3]);
    const before = t.smtp.messages.length;
    await t.sendMail();
    expect(who(t.smtp.messages.slice(before))).toEqual(['attendeerace-1@example.org Coming up', 'attendeerace-2@example.org Coming up', 'attendeerace-3@example.org Coming up']);
  });

  it('when a reminder was queued and the place is cancelled before it is sent, then it is not sent', async () => {
    t.clock.set(at(-20 * DAY));
    const event = await buildEvent(t.db, { title: 'Queued meeting', startsAt: at(0), endsAt: at(2 * HOUR) });
    const b = await book(event.slug, 'late-cancel', 'in_person');
    await t.sendMail();
    t.clock.set(at(-7 * DAY));
    await runFollowUps(t.ctx);
    await request(t.app).post(`/api/v1/bookings/${b.reference}/cancel`).set('Authorization', `Bearer ${new URL(b.manageUrl).searchParams.get('token')}`).expect(200);
    const before = t.smtp.messages.length;
    await t.sendMail();
    expect(t.smtp.messages.slice(before).map((m) => m.subject)).toEqual(['Cancelled: Queued meeting']);
    const row = await t.db('outbox_emails').where({ dedupe_key: `follow-up:reminder_early:attendee:${(await t.db('attendees').where({ email: 'attendeelate-cancel@example.org' }).first()).id}` }).first();
    expect(row.status).toBe('skipped');
  });
});
