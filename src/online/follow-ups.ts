import type { Knex } from 'knex';
import type { ServiceContext } from '../context';
import { lockRow, writeTransaction } from '../db/dialect';
import { findEventById } from '../events/queries';
import type { EventRecord } from '../events/types';
import { publicHost } from '../lib/links';
import { formatDate, fromDbTime, toDbTime } from '../lib/time';
import { enqueueEmail } from '../mail/outbox';
import { FOLLOW_UP_TEMPLATE, type FollowUpPayload } from './follow-up-email';
import { attendanceThresholdSeconds, whereAttended } from '../certificates';

/**
 * The messages around an event's day, one per rule: two reminders before the start, and after the end a thank-you to
 * those who attended and a "sorry we missed you" to confirmed no-shows.
 */
export const FOLLOW_UP_RULES = ['reminder_early', 'reminder_late', 'thank_you', 'missed_you'] as const;
export type FollowUpRule = (typeof FOLLOW_UP_RULES)[number];

const HOUR = 3600_000;
/** A reminder still goes this long after its time (an instance down for a while), never after the start. */
const REMINDER_GRACE_MS = 24 * HOUR;
/** A follow-up still goes this long after its time; after that, saying thank you is too late. */
const FOLLOW_UP_GRACE_MS = 3 * 24 * HOUR;

export interface RuleTime {
  rule: FollowUpRule;
  /** When its emails are queued. People who booked after this instant do not get a reminder. */
  dueAt: Date;
  /** After this instant the rule is not sent at all (too late to be useful). */
  closesAt: Date;
}

/** When each rule that is switched on falls due, from the event's times as they are now (moving the event moves them). */
export function ruleTimes(event: Pick<EventRecord, 'startsAt' | 'endsAt' | 'followUps'>): RuleTime[] {
  const rules = event.followUps;
  const times: RuleTime[] = [];
  const reminder = (rule: FollowUpRule, hours: number | null) => {
    if (hours === null) return;
    const dueAt = new Date(event.startsAt.getTime() - hours * HOUR);
    times.push({ rule, dueAt, closesAt: new Date(Math.min(event.startsAt.getTime(), dueAt.getTime() + REMINDER_GRACE_MS)) });
  };
  reminder('reminder_early', rules.reminderEarlyHours);
  reminder('reminder_late', rules.reminderLateHours);
  const after = new Date(event.endsAt.getTime() + rules.followUpHours * HOUR);
  const closes = new Date(after.getTime() + FOLLOW_UP_GRACE_MS);
  if (rules.thankYou) times.push({ rule: 'thank_you', dueAt: after, closesAt: closes });
  if (rules.missedYou) times.push({ rule: 'missed_you', dueAt: after, closesAt: closes });
  return times;
}

const SUBJECTS: Record<FollowUpRule, (event: EventRecord) => string> = {
  reminder_early: (e) => `Coming up: ${e.title}, ${formatDate(e.startsAt, e.timezone)}`,
  reminder_late: (e) => `Reminder: ${e.title}, ${formatDate(e.startsAt, e.timezone)}`,
  thank_you: (e) => `Thank you for coming: ${e.title}`,
  missed_you: (e) => `Sorry we missed you: ${e.title}`,
};

/**
 * Who a rule's email goes to: active places of confirmed bookings with an email address; for a reminder, only those
 * booked by its time (no stale reminder for someone who booked after it); after the event, those who attended for the
 * thank-you, and the others for "sorry we missed you". "Attended" is the certificates' one definition (checked in at the
 * door, opened their joining link, or present in an uploaded attendance report for at least `minSeconds`).
 */
export function recipientsQuery(trx: Knex.Transaction, eventId: number, rule: FollowUpRule, dueAt: Date, minSeconds: number): Knex.QueryBuilder {
  const q = trx('attendees')
    .join('bookings', 'bookings.id', 'attendees.booking_id')
    .select('attendees.id', 'attendees.booking_id', 'attendees.email', 'attendees.name')
    .where('attendees.event_id', eventId)
    .where('attendees.status', 'active')
    .where('bookings.status', 'confirmed')
    .whereNot('attendees.email', '')
    .orderBy('attendees.id');
  if (rule === 'reminder_early' || rule === 'reminder_late') return q.where('attendees.created_at', '<=', toDbTime(dueAt));
  return whereAttended(q, 'attendees', minSeconds, rule === 'thank_you');
}

export const NO_ATTENDANCE = 'Nobody was checked in at the door, joined online or appears in an attendance report, so who came is not known.';

async function hasAttendance(trx: Knex.Transaction, eventId: number, minSeconds: number): Promise<boolean> {
  const row = await whereAttended(trx('attendees').where({ event_id: eventId, status: 'active' }), 'attendees', minSeconds).first('id');
  return row !== undefined;
}

/**
 * Queues one rule's emails for one event, exactly once however many instances run: under the event's lock (which a
 * booking also takes, so a booking being written at the rule's time is either in or out, never half-seen), the rule is
 * claimed by inserting (event, rule) into `event_follow_up_runs`; only the transaction that inserted it queues the
 * emails, each with its own dedupe key, and both commit together or not at all (a crash queues nothing and the rule is
 * claimed again). Returns how many were queued, or null when the rule was not due or was claimed elsewhere.
 */
async function queueRule(ctx: ServiceContext, eventId: number, rule: FollowUpRule, now: Date): Promise<number | null> {
  return writeTransaction(ctx.db, async (trx) => {
    await lockRow(trx, 'events', eventId);
    const event = await findEventById(trx, eventId);
    if (!event || event.status !== 'published') return null;
    const time = ruleTimes(event).find((t) => t.rule === rule);
    if (!time || now < time.dueAt || now >= time.closesAt) return null;
    const claimed = await trx('event_follow_up_runs')
      .insert({ event_id: eventId, rule, due_at: toDbTime(time.dueAt), claimed_at: toDbTime(now), recipients: 0 })
      .onConflict(['event_id', 'rule'])
      .ignore()
      .returning('id');
    if (claimed.length === 0) return null;
    // Nobody checked in and nobody joined online: attendance was not taken, so "sorry we missed you" would go to people
    // who came. Neither follow-up is sent; the organisers' page says why.
    const minSeconds = await attendanceThresholdSeconds(trx, event);
    if ((rule === 'missed_you' || rule === 'thank_you') && !(await hasAttendance(trx, eventId, minSeconds))) {
      await trx('event_follow_up_runs').where({ event_id: eventId, rule }).update({ skipped_reason: NO_ATTENDANCE });
      return 0;
    }
    const people = (await recipientsQuery(trx, eventId, rule, time.dueAt, minSeconds)) as Array<{ id: number; booking_id: number; email: string; name: string }>;
    const host = publicHost(ctx.config);
    for (const person of people) {
      const payload: FollowUpPayload = { rule, attendeeId: Number(person.id), eventId };
      await enqueueEmail(trx, {
        dedupeKey: `follow-up:${rule}:attendee:${person.id}`,
        kind: `follow_up_${rule}`,
        eventId,
        bookingId: Number(person.booking_id),
        to: person.email,
        toName: person.name,
        subject: SUBJECTS[rule](event),
        deferred: { template: FOLLOW_UP_TEMPLATE, payload: payload as unknown as Record<string, unknown> },
      }, now, host);
    }
    await trx('event_follow_up_runs').where({ event_id: eventId, rule }).update({ recipients: people.length });
    return people.length;
  });
}

/**
 * The scheduler's one run: every rule of every published event that is due now and not yet sent is queued. Events
 * are read that could have a rule due: those that have not ended more than the follow-up window ago.
 */
export async function runFollowUps(ctx: ServiceContext): Promise<{ rules: number; emails: number }> {
  const now = ctx.clock.now();
  const candidates = await ctx.db('events')
    .select('id')
    .where('status', 'published')
    .where('ends_at', '>=', toDbTime(new Date(now.getTime() - FOLLOW_UP_GRACE_MS - 7 * 24 * HOUR)))
    .orderBy('id');
  const done = new Set(
    (await ctx.db('event_follow_up_runs').select('event_id', 'rule').whereIn('event_id', candidates.map((c) => Number(c.id)))).map((r) => `${r.event_id}:${r.rule}`),
  );
  let rules = 0;
  let emails = 0;
  for (const { id } of candidates) {
    const event = await findEventById(ctx.db, Number(id));
    if (!event) continue;
    for (const time of ruleTimes(event)) {
      if (done.has(`${event.id}:${time.rule}`) || now < time.dueAt || now >= time.closesAt) continue;
      const queued = await queueRule(ctx, event.id, time.rule, now);
      if (queued === null) continue;
      rules += 1;
      emails += queued;
    }
  }
  if (emails > 0) ctx.kickOutbox();
  return { rules, emails };
}

/** What has been sent for an event, by rule: when and to how many. */
export async function listRuns(db: Knex, eventId: number): Promise<Map<FollowUpRule, { claimedAt: Date; recipients: number; skippedReason: string | null }>> {
  const rows = await db('event_follow_up_runs').select('rule', 'claimed_at', 'recipients', 'skipped_reason').where({ event_id: eventId });
  return new Map(rows.map((r) => [r.rule as FollowUpRule, { claimedAt: fromDbTime(r.claimed_at), recipients: Number(r.recipients), skippedReason: (r.skipped_reason as string | null) ?? null }]));
}
