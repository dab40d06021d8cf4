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
          position,
        })),
      );
      // Certificates of attendance (issue 13): the seminar and the conference issue them, with their CPD hours set.
      // The one-hour webinar is a seminar too: its CPD time is its hour, not a seminar day's.
      const cpdMinutes = e.mode === 'online' ? 60 : DEMO_CPD_MINUTES[e.kind];
      if (cpdMinutes) await trx('certificate_settings').insert({ event_id: eventId, issues_certificates: true, cpd_minutes: cpdMinutes, topics: '', updated_at: stamp });
    }
  });
  return events.length;
}

export async function isDatabaseEmpty(db: Knex): Promise<boolean> {
  const row = await db('events').count({ n: '*' }).first();
  return Number(row?.n ?? 0) === 0;
}
