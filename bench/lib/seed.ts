import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { toDbTime } from '../../src/lib/time';

const KINDS = ['evening_meeting', 'evening_meeting', 'evening_meeting', 'seminar', 'conference'] as const;
const TOPICS = ['waiting times', 'cancer survival', 'GP workforce', 'A&E attendances', 'mental health services', 'maternity outcomes', 'social care', 'prescribing data', 'mortality indicators', 'health inequalities'];

function fillerSlug(i: number): string {
  return `${KINDS[i % KINDS.length].replace('_', '-')}-${TOPICS[i % TOPICS.length].replace(/[^a-z]+/gi, '-').toLowerCase()}-${i + 1}`;
}

/** Slugs the scenarios book against; every other upcoming event only fills the list. */
export const BENCH_SLUGS = {
  /** Free, capacity far beyond what a run can book, so every registration confirms; numbered 1…OPEN_EVENTS. */
  open: 'bench-open-evening-meeting',
  /** Free, 100 places, nobody booked yet: the rush. */
  rush: 'bench-rush-annual-conference',
  /** Paid (member and non-member prices), unlimited for the run. */
  paid: 'bench-paid-seminar',
  /** Ended conference with 10,000 attendees: the export. */
  export: 'bench-export-conference-archive',
  /** The event page measured: the first of the filler events, an evening meeting in London with a few hundred booked. */
  page: fillerSlug(0),
} as const;

export const RUSH_CAPACITY = 100;
/** Registrations rotate over this many open events, so that none grows far beyond a real conference in one run. */
export const OPEN_EVENTS = 10;
export const UPCOMING_EVENTS = 50;
export const SPREAD_ATTENDEES = 10_000;
export const EXPORT_ATTENDEES = 10_000;

const REGIONS = ['london', 'london', 'scotland', 'north_west'] as const;
const VENUES = {
  london: ['Royal Statistical Society', '12 Errol Street, London EC1Y 8LX'],
  scotland: ['Public Health Scotland, Gyle Square', '1 South Gyle Crescent, Edinburgh EH12 9EB'],
  north_west: ['University of Manchester, Alliance MBS', 'Booth Street West, Manchester M15 6PB'],
} as const;
const ORGS = ['NHS England', 'Public Health Scotland', 'Office for National Statistics', 'Nuffield Trust', 'The King\'s Fund', 'Manchester University NHS FT', 'UKHSA', null];
const DIETS = [null, null, null, null, 'Vegetarian', 'Vegan', 'Gluten free', 'No nuts'];

type Row = Record<string, unknown>;
type Ticket = { name: string; price: number; membersOnly?: boolean };

interface PlannedEvent {
  slug: string;
  kind: string;
  title: string;
  region: keyof typeof VENUES;
  startsAt: Date;
  hours: number;
  capacity: number;
  tickets: Ticket[];
  attendees: number;
}

const FREE: Ticket[] = [{ name: 'Free registration', price: 0 }];
const SEMINAR: Ticket[] = [
  { name: 'RSS member', price: 4500, membersOnly: true },
  { name: 'Non-member', price: 7500 },
];
const CONFERENCE: Ticket[] = [
  { name: 'Member', price: 12000, membersOnly: true },
  { name: 'Non-member', price: 18000 },
  { name: 'Student', price: 4000 },
];

function ticketsFor(kind: string): Ticket[] {
  return kind === 'seminar' ? SEMINAR : kind === 'conference' ? CONFERENCE : FREE;
}

/** Fifty upcoming events (the scenarios' own, then the rest a week apart with the attendees), then the ended export conference. */
function planEvents(now: Date): PlannedEvent[] {
  const day = 86_400_000;
  const plan: PlannedEvent[] = Array.from({ length: OPEN_EVENTS }, (_, i) => ({
    slug: `${BENCH_SLUGS.open}-${i + 1}`, kind: 'evening_meeting', title: `Open evening meeting ${i + 1} (bench)`, region: 'london' as const,
    startsAt: new Date(now.getTime() + (20 + i) * day), hours: 2, capacity: 10_000_000, tickets: FREE, attendees: 0,
  }));
  plan.push(
    { slug: BENCH_SLUGS.rush, kind: 'conference', title: 'Annual conference: free day (bench)', region: 'london', startsAt: new Date(now.getTime() + 30 * day), hours: 7, capacity: RUSH_CAPACITY, tickets: FREE, attendees: 0 },
    { slug: BENCH_SLUGS.paid, kind: 'seminar', title: 'Paid seminar (bench)', region: 'london', startsAt: new Date(now.getTime() + 40 * day), hours: 6, capacity: 10_000_000, tickets: SEMINAR, attendees: 0 },
  );
  const filler = UPCOMING_EVENTS - plan.length;
  for (let i = 0; i < filler; i++) {
    const kind = KINDS[i % KINDS.length];
    const region = REGIONS[i % REGIONS.length];
    const attendees = Math.floor(SPREAD_ATTENDEES / filler) + (i < SPREAD_ATTENDEES % filler ? 1 : 0);
    plan.push({
      slug: fillerSlug(i),
      kind,
      title: `${TOPICS[i % TOPICS.length][0].toUpperCase()}${TOPICS[i % TOPICS.length].slice(1)}: what the statistics say (${i + 1})`,
      region,
      startsAt: new Date(now.getTime() + (7 + i * 7) * day + 18 * 3600_000),
      hours: kind === 'evening_meeting' ? 2 : 7,
      capacity: attendees + 50 + (i % 4) * 25,
      tickets: ticketsFor(kind),
      attendees,
    });
  }
  plan.push({ slug: BENCH_SLUGS.export, kind: 'conference', title: 'Annual conference archive (bench)', region: 'london', startsAt: new Date(now.getTime() - 60 * day), hours: 8, capacity: EXPORT_ATTENDEES + 500, tickets: CONFERENCE, attendees: EXPORT_ATTENDEES });
  return plan;
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Unique, well-formed references (HSUG-XXXX-XXXX), counted up from a point the app's random ones rarely hit. */
function nextReference(seq: { refs: number }): string {
  let n = ++seq.refs + 0x3_0000_0000;
  let code = '';
  for (let i = 0; i < 8; i++, n = Math.floor(n / 32)) code = ALPHABET[n % 32] + code;
  return `HSUG-${code.slice(0, 4)}-${code.slice(4)}`;
}

async function insertEvent(trx: Knex.Transaction, e: PlannedEvent, stamp: string): Promise<{ id: number; typeIds: number[]; prices: number[] }> {
  const [row] = await trx('events')
    .insert({
      slug: e.slug, kind: e.kind, title: e.title, summary: `${e.title}: talks and discussion.`, description: 'Speakers from the NHS and academia. Refreshments from 5:30pm.',
      venue: VENUES[e.region][0], address: VENUES[e.region][1], region: e.region, starts_at: toDbTime(e.startsAt), ends_at: toDbTime(new Date(e.startsAt.getTime() + e.hours * 3600_000)),
      timezone: 'Europe/London', capacity: e.capacity, status: 'published', currency: 'GBP', allows_invoice: e.kind !== 'evening_meeting', contact_email: 'events@hsug.org.uk',
      created_at: stamp, updated_at: stamp,
    })
    .returning('id');
  const id = Number(typeof row === 'object' ? row.id : row);
  const typeRows = e.tickets.map((t, position) => ({ event_id: id, name: t.name, price: t.price, currency: 'GBP', members_only: t.membersOnly ?? false, position }));
  const inserted = await trx('ticket_types').insert(typeRows).returning('id');
  return { id, typeIds: inserted.map((r: unknown) => Number(typeof r === 'object' ? (r as Row).id : r)), prices: e.tickets.map((t) => t.price) };
}

/** Bookings of one to three people each, all confirmed, inserted in batches. */
async function insertAttendees(trx: Knex.Transaction, eventId: number, typeIds: number[], prices: number[], count: number, stamp: string, seq: { n: number; refs: number }): Promise<void> {
  const bookings: Row[] = [];
  const people: Array<Row & { reference: string }> = [];
  for (let left = count; left > 0; ) {
    const size = Math.min(left, 1 + (seq.n % 3 === 0 ? 1 : 0) + (seq.n % 7 === 0 ? 1 : 0));
    const reference = nextReference(seq);
    let total = 0;
    for (let i = 0; i < size; i++, seq.n++) {
      const t = seq.n % typeIds.length;
      total += prices[t];
      const email = `person${seq.n}@example.nhs.uk`;
      people.push({ reference, event_id: eventId, ticket_type_id: typeIds[t], status: 'active', name: `Person ${seq.n}`, email, email_normalised: email, organisation: ORGS[seq.n % ORGS.length], dietary: DIETS[seq.n % DIETS.length], unit_price: prices[t], currency: 'GBP', ical_uid: `bench-${seq.n}@hsug.bench`, created_at: stamp });
    }
    const buyer = people[people.length - size];
    bookings.push({ reference, event_id: eventId, status: 'confirmed', buyer_name: buyer.name, buyer_email: buyer.email, buyer_email_normalised: buyer.email, buyer_organisation: buyer.organisation, total, currency: 'GBP', payment_method: total > 0 ? 'stripe' : 'none', manage_token_hash: createHash('sha256').update(reference).digest('hex'), confirmed_at: stamp, created_at: stamp, updated_at: stamp });
    left -= size;
  }
  for (let i = 0; i < bookings.length; i += 500) await trx('bookings').insert(bookings.slice(i, i + 500));
  const ids = new Map<string, number>((await trx('bookings').select('id', 'reference').where({ event_id: eventId })).map((r: Row) => [String(r.reference), Number(r.id)]));
  const rows = people.map(({ reference, ...p }) => ({ ...p, booking_id: ids.get(reference) }));
  for (let i = 0; i < rows.length; i += 500) await trx('attendees').insert(rows.slice(i, i + 500));
}

/** Loads the bench's data into a freshly migrated database; returns how many attendees it inserted. */
export async function seedBenchData(db: Knex, now: Date): Promise<number> {
  const stamp = toDbTime(now);
  const seq = { n: 0, refs: 0 };
  await db.transaction(async (trx) => {
    for (const e of planEvents(now)) {
      const { id, typeIds, prices } = await insertEvent(trx, e, stamp);
      if (e.attendees > 0) await insertAttendees(trx, id, typeIds, prices, e.attendees, stamp, seq);
    }
  });
  return seq.n;
}
