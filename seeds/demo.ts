import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { toDbTime } from '../src/lib/time';

const ZONE = 'Europe/London';

interface SeedTicket {
  name: string;
  price: number;
  description?: string;
  membersOnly?: boolean;
  quota?: number;
  salesEndsAt?: DateTime;
  /** Not on public sale: booked only with a discount code that reveals it (`SeedCode.reveals`). */
  isHidden?: boolean;
}

/** A registration question (issue 18); `showIf` names an earlier question's `key` and the answer that shows this one. */
interface SeedQuestion {
  key: string;
  scope: 'booking' | 'attendee';
  kind: 'short_text' | 'long_text' | 'single_choice' | 'multiple_choice' | 'yes_no';
  label: string;
  helpText?: string;
  options?: string[];
  isRequired?: boolean;
  isSensitive?: boolean;
  showIf?: { key: string; value: string };
}

/** A discount code for the event (issue 18), named in the README so a newcomer can try it. */
interface SeedCode {
  code: string;
  kind: 'amount' | 'percent' | 'free';
  percent?: number;
  amount?: number;
  maxUses?: number;
  maxPerBooking?: number;
  /** The name of a hidden ticket type the code opens (and is limited to). */
  reveals?: string;
  note: string;
}

interface SeedEvent {
  slug: string;
  kind: 'evening_meeting' | 'seminar' | 'conference';
  title: string;
  summary: string;
  description: string;
  venue: string;
  address: string;
  region: 'london' | 'scotland' | 'north_west' | 'online';
  /** How people take part (default in person); a hybrid event's online places; the meeting's (demo) address. */
  mode?: 'in_person' | 'online' | 'hybrid';
  onlineCapacity?: number;
  meetingUrl?: string;
  start: DateTime;
  end: DateTime;
  capacity: number;
  status?: 'published' | 'cancelled';
  isAgm?: boolean;
  allowsInvoice?: boolean;
  refundDeadline?: DateTime;
  refundFee?: number;
  tickets: SeedTicket[];
  questions?: SeedQuestion[];
  codes?: SeedCode[];
}

/** The first given weekday (1 = Monday) on or after the given date, at a local time. */
function nextWeekday(from: DateTime, weekday: number, hour: number, minute = 0): DateTime {
  const days = (weekday - from.weekday + 7) % 7;
  return from.plus({ days }).set({ hour, minute, second: 0, millisecond: 0 });
}

const FREE: SeedTicket[] = [{ name: 'Free registration', price: 0 }];
const RSS = 'Royal Statistical Society, 12 Errol Street, London EC1Y 8LX';

/** Demo events that look like HSUG's programme, placed relative to today so some are always upcoming. */
export function demoEvents(today: Date): SeedEvent[] {
  const now = DateTime.fromJSDate(today, { zone: ZONE }).startOf('day');
  const month = (n: number) => now.plus({ months: n }).startOf('month');
  const april = now.month < 4 ? now.set({ month: 4 }).startOf('month') : now.plus({ years: 1 }).set({ month: 4 }).startOf('month');
  const evening = (d: DateTime) => ({ start: nextWeekday(d, 2, 18), end: nextWeekday(d, 2, 20) });

  const london1 = evening(month(1).plus({ days: 7 }));
  const edinburgh = evening(month(1).plus({ days: 14 }));
  const manchester = evening(month(2).plus({ days: 7 }));
  const agm = evening(april.plus({ days: 14 }));
  const seminarDay = nextWeekday(month(2).plus({ days: 14 }), 4, 9, 30);
  const confDay = nextWeekday(month(3).plus({ days: 7 }), 3, 9, 0);
  const past = evening(now.minus({ months: 1 }).startOf('month').plus({ days: 7 }));
  const cancelled = evening(month(1).plus({ days: 21 }));

  return [
    {
      slug: 'waiting-times-in-the-nhs',
      kind: 'evening_meeting',
      title: 'Measuring waiting times in the NHS',
      summary: 'How referral-to-treatment statistics are compiled, and what they can and cannot tell us.',
      description: 'Speakers from NHS England and the Nuffield Trust explain how the referral-to-treatment waiting time statistics are collected, the changes planned for the coming year, and the pitfalls of comparing trusts.\n\nFree and open to all; refreshments from 5:30pm.',
      venue: 'Royal Statistical Society',
      address: '12 Errol Street, London EC1Y 8LX',
      region: 'london',
      ...london1,
      capacity: 80,
      tickets: FREE,
    },
    {
      slug: 'scottish-health-survey-2026',
      kind: 'evening_meeting',
      title: 'Inside the Scottish Health Survey',
      summary: 'The survey team on sampling, weighting and the new mental wellbeing module.',
      description: 'An evening with the Scottish Health Survey team from Public Health Scotland. Free and open to all.',
      venue: 'Edinburgh Futures Institute',
      address: '1 Lauriston Place, Edinburgh EH3 9EF',
      region: 'scotland',
      ...edinburgh,
      capacity: 40,
      tickets: FREE,
    },
    {
      slug: 'linked-data-greater-manchester',
      kind: 'evening_meeting',
      title: 'Linked health and care data in Greater Manchester',
      summary: 'What the GM Care Record makes possible for analysts, and the governance around it.',
      description: 'Analysts from the Greater Manchester Integrated Care Partnership present recent work using linked primary, secondary and social care data. Free and open to all.',
      venue: 'University of Manchester, Alliance Manchester Business School',
      address: 'Booth Street West, Manchester M15 6PB',
      region: 'north_west',
      ...manchester,
      capacity: 60,
      tickets: FREE,
    },
    {
      slug: `agm-and-evening-meeting-${agm.start.year}`,
      kind: 'evening_meeting',
      title: `Annual General Meeting and evening meeting ${agm.start.year}`,
      summary: 'The HSUG AGM, followed by a talk on the new ONS health index.',
      description: 'The Annual General Meeting of the Health Statistics User Group (members only may vote), followed at 6:30pm by a talk open to all on the Health Index for England.',
      venue: 'Royal Statistical Society',
      address: '12 Errol Street, London EC1Y 8LX',
      region: 'london',
      ...agm,
      capacity: 80,
      isAgm: true,
      tickets: FREE,
    },
    {
      slug: 'seminar-small-area-estimation',
      kind: 'seminar',
      title: 'Seminar: small area estimation for health',
      summary: 'A practical day on modelling local prevalence from national surveys.',
      description: 'A one-day seminar with worked examples in R. Lunch and refreshments included. Places are limited so that everyone can take part in the practical sessions.',
      venue: 'Royal Statistical Society',
      address: '12 Errol Street, London EC1Y 8LX',
      region: 'london',
      start: seminarDay,
      end: seminarDay.set({ hour: 16, minute: 30 }),
      capacity: 30,
      allowsInvoice: true,
      refundDeadline: seminarDay.minus({ days: 14 }),
      refundFee: 1000,
      tickets: [
        { name: 'HSUG member', price: 6000, membersOnly: true },
        { name: 'Non-member', price: 9500 },
      ],
    },
    {
      slug: `hsug-conference-${confDay.year}`,
      kind: 'conference',
      title: `HSUG Conference ${confDay.year}: statistics for a changing health service`,
      summary: 'Two days of talks on health statistics, from data collection to decisions.',
      description: 'The group’s two-day conference, with keynotes, parallel sessions and a poster session. The fee covers both days, lunch and refreshments, and the conference dinner on the first evening.',
      venue: 'Manchester Central',
      address: 'Windmill Street, Manchester M2 3GX',
      region: 'north_west',
      start: confDay,
      end: confDay.plus({ days: 1 }).set({ hour: 16, minute: 0 }),
      capacity: 150,
      allowsInvoice: true,
      refundDeadline: confDay.minus({ days: 28 }),
      refundFee: 2500,
      tickets: [
        { name: 'Member (early bird)', price: 18000, membersOnly: true, salesEndsAt: confDay.minus({ days: 42 }) },
        { name: 'Member', price: 22000, membersOnly: true },
        { name: 'Non-member', price: 29500 },
        { name: 'Student', price: 9000, quota: 20, description: 'For full-time students; bring your student card.' },
        { name: 'Speaker', price: 29500, isHidden: true, description: 'For speakers and session chairs: the organisers give you a code.' },
      ],
      questions: [
        { key: 'dinner', scope: 'booking', kind: 'yes_no', label: 'Will you come to the conference dinner on the first evening?', isRequired: true },
        { key: 'menu', scope: 'booking', kind: 'single_choice', label: 'Which dinner menu would you like?', options: ['Meat', 'Fish', 'Vegetarian', 'Vegan'], isRequired: true, showIf: { key: 'dinner', value: 'yes' } },
        { key: 'sessions', scope: 'attendee', kind: 'multiple_choice', label: 'Which parallel sessions are you most likely to attend?', helpText: 'It helps us choose the rooms; you can still go to any session.', options: ['Methods', 'Data linkage', 'Workforce', 'Public health'] },
        { key: 'health', scope: 'attendee', kind: 'long_text', label: 'Is there anything about your health we should know for the two days?', helpText: 'Only the organisers see this, and it is deleted a month after the conference.', isSensitive: true },
      ],
      codes: [
        { code: 'DEMO20', kind: 'percent', percent: 20, maxUses: 50, note: 'Demo code: 20% off any conference ticket (named in the README).' },
        { code: 'SPEAKER-DEMO', kind: 'free', reveals: 'Speaker', maxPerBooking: 1, note: 'Demo code: a free speaker place (the hidden Speaker ticket).' },
      ],
    },
    {
      slug: 'covid-inquiry-data-lessons',
      kind: 'evening_meeting',
      title: 'What the pandemic taught us about health data',
      summary: 'Lessons from the COVID-19 Inquiry for official health statistics.',
      description: 'A panel discussion on data flows and statistical communication during the pandemic.',
      venue: 'Royal Statistical Society',
      address: RSS.replace('Royal Statistical Society, ', ''),
      region: 'london',
      ...past,
      capacity: 80,
      tickets: FREE,
    },
    {
      slug: 'gp-appointments-data',
      kind: 'evening_meeting',
      title: 'GP appointments data: what counts as an appointment?',
      summary: 'This meeting has been cancelled because the speaker is unwell; we hope to rearrange it.',
      description: 'Cancelled. Everyone registered has been told, and the meeting will be rearranged.',
      venue: 'Royal Statistical Society',
      address: '12 Errol Street, London EC1Y 8LX',
      region: 'london',
      ...cancelled,
      capacity: 80,
      status: 'cancelled',
      tickets: FREE,
    },
  ];
}

/** CPD hours of the demo events, in minutes: the seminar's day without lunch, the conference's two days. */
const DEMO_CPD_MINUTES: Partial<Record<SeedEvent['kind'], number>> = { seminar: 360, conference: 720 };

/**
 * An online webinar and a hybrid evening meeting (issue 12), so a newcomer can try both ways of taking part: book
 * online, get the personal joining link, and see it open 30 minutes before the start. The meeting addresses are
 * placeholders on example.org.
 */
export function onlineDemoEvents(today: Date): SeedEvent[] {
  const now = DateTime.fromJSDate(today, { zone: ZONE }).startOf('day');
  const webinar = nextWeekday(now.plus({ days: 10 }), 4, 13);
  const hybrid = nextWeekday(now.plus({ months: 1 }).startOf('month').plus({ days: 21 }), 3, 18);
  return [
    {
      slug: 'webinar-nhs-workforce-statistics',
      kind: 'seminar',
      title: 'Webinar: NHS workforce statistics explained',
      summary: 'A lunchtime webinar with NHS England on the monthly workforce statistics, jointly with the RSS Medical Section.',
      description: 'How the NHS workforce statistics are put together from the Electronic Staff Record, what changed in the latest release, and how to use them well. Online only; questions in the chat.',
      venue: '',
      address: '',
      region: 'online',
      mode: 'online',
      meetingUrl: 'https://meet.example.org/hsug-workforce-webinar',
      start: webinar,
      end: webinar.plus({ hours: 1 }),
      capacity: 300,
      tickets: FREE,
    },
    {
      slug: 'hybrid-evening-ethnicity-coding',
      kind: 'evening_meeting',
      title: 'Ethnicity coding in health records (in person and online)',
      summary: 'Come to the RSS or join online: how complete and accurate is ethnicity recording, and what to do about it.',
      description: 'Speakers from the NHS Race and Health Observatory and ONS. Join us at the Royal Statistical Society, or online with a personal joining link. Free and open to all; refreshments for those in the room from 5:30pm.',
      venue: 'Royal Statistical Society',
      address: '12 Errol Street, London EC1Y 8LX',
      region: 'london',
      mode: 'hybrid',
      capacity: 60,
      onlineCapacity: 200,
      meetingUrl: 'https://meet.example.org/hsug-ethnicity-coding',
      start: hybrid,
      end: hybrid.plus({ hours: 2 }),
      tickets: FREE,
    },
  ];
}

export async function seedDemo(db: Knex, today: Date): Promise<number> {
  const stamp = toDbTime(today);
  const events = [...demoEvents(today), ...onlineDemoEvents(today)];
  await db.transaction(async (trx) => {
    for (const e of events) {
      const [row] = await trx('events')
        .insert({
          slug: e.slug,
          kind: e.kind,
          title: e.title,
          summary: e.summary,
          description: e.description,
          venue: e.venue,
          address: e.address,
          region: e.region,
          mode: e.mode ?? 'in_person',
          online_capacity: e.mode === 'hybrid' ? (e.onlineCapacity ?? null) : null,
          starts_at: toDbTime(e.start.toJSDate()),
          ends_at: toDbTime(e.end.toJSDate()),
          timezone: ZONE,
          capacity: e.capacity,
          status: e.status ?? 'published',
          booking_closes_at: toDbTime(e.start.toJSDate()),
          is_agm: e.isAgm ?? false,
          allows_invoice: e.allowsInvoice ?? false,
          refund_deadline_at: e.refundDeadline ? toDbTime(e.refundDeadline.toJSDate()) : null,
          refund_fee: e.refundFee ?? 0,
          contact_email: 'events@hsug.org.uk',
          cancelled_at: e.status === 'cancelled' ? stamp : null,
          created_at: stamp,
          updated_at: stamp,
        })
        .returning('id');
      const eventId = Number(typeof row === 'object' ? row.id : row);
      if (e.meetingUrl) await trx('event_meetings').insert({ event_id: eventId, url: e.meetingUrl, updated_at: stamp });
      await trx('ticket_types').insert(
        e.tickets.map((t, position) => ({
          event_id: eventId,
          name: t.name,
          description: t.description ?? '',
          price: t.price,
          currency: 'GBP',
          members_only: t.membersOnly ?? false,
          quota: t.quota ?? null,
          sales_ends_at: t.salesEndsAt ? toDbTime(t.salesEndsAt.toJSDate()) : null,
          is_hidden: t.isHidden ?? false,
          position,
        })),
      );
      // Certificates of attendance (issue 13): the seminar and the conference issue them, with their CPD hours set.
      // The one-hour webinar is a seminar too: its CPD time is its hour, not a seminar day's.
      const cpdMinutes = e.mode === 'online' ? 60 : DEMO_CPD_MINUTES[e.kind];
      if (cpdMinutes) await trx('certificate_settings').insert({ event_id: eventId, issues_certificates: true, cpd_minutes: cpdMinutes, topics: '', updated_at: stamp });
      await seedQuestionsAndCodes(trx, eventId, e, stamp);
    }
  });
  return events.length;
}

/** The event's registration questions and discount codes (issue 18), kept apart from the event's own columns. */
async function seedQuestionsAndCodes(trx: Knex.Transaction, eventId: number, e: SeedEvent, stamp: string): Promise<void> {
  const ids = new Map<string, number>();
  for (const [position, q] of (e.questions ?? []).entries()) {
    const [row] = await trx('event_questions')
      .insert({
        event_id: eventId,
        position: position + 1,
        scope: q.scope,
        kind: q.kind,
        label: q.label,
        help_text: q.helpText ?? '',
        options: JSON.stringify(q.options ?? []),
        is_required: q.isRequired ?? false,
        is_sensitive: q.isSensitive ?? false,
        condition_question_id: q.showIf ? ids.get(q.showIf.key) : null,
        condition_value: q.showIf?.value ?? null,
        created_at: stamp,
        updated_at: stamp,
      })
      .returning('id');
    ids.set(q.key, Number(typeof row === 'object' ? row.id : row));
  }
  for (const c of e.codes ?? []) {
    const revealed = c.reveals ? await trx('ticket_types').where({ event_id: eventId, name: c.reveals }).first('id') : undefined;
    const [row] = await trx('discount_codes')
      .insert({
        event_id: eventId,
        code: c.code,
        kind: c.kind,
        amount: c.amount ?? 0,
        percent: c.percent ?? 0,
        currency: 'GBP',
        max_uses: c.maxUses ?? null,
        max_per_booking: c.maxPerBooking ?? null,
        reveals_ticket_type_id: revealed ? Number(revealed.id) : null,
        note: c.note,
        is_active: true,
        created_at: stamp,
        updated_at: stamp,
      })
      .returning('id');
    if (revealed) await trx('discount_code_ticket_types').insert({ discount_code_id: Number(typeof row === 'object' ? row.id : row), ticket_type_id: Number(revealed.id) });
  }
}

export async function isDatabaseEmpty(db: Knex): Promise<boolean> {
  const row = await db('events').count({ n: '*' }).first();
  return Number(row?.n ?? 0) === 0;
}
