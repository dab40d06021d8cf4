import type { Knex } from 'knex';
import { lockRow } from '../db/dialect';
import type { ModeSeats } from '../events/availability';
import { countSeatsTaken, emptySeatCounts, findEventBySlug, listTicketTypes } from '../events/queries';
import type { EventRecord, SeatCounts, TicketTypeRecord } from '../events/types';
import { listQuestions, type QuestionRecord } from './questions';

interface KnownEvent {
  event: EventRecord;
  types: TicketTypeRecord[];
  counts?: SeatCounts;
  questions?: QuestionRecord[];
}

/**
 * What a booking transaction has already read about the events it books, so that bookings sharing one transaction
 * (group commit, db/group-commit.ts) read and lock each event once. Sound because the transaction holds the event's
 * lock from the first read to the commit: nobody else can book it, change it or free a seat meanwhile, and every
 * booking in the transaction that takes seats records them here (takeSeats). Forgotten with the transaction.
 */
const known = new WeakMap<Knex.Transaction, Map<string, KnownEvent>>();

function scope(trx: Knex.Transaction): Map<string, KnownEvent> {
  let events = known.get(trx);
  if (!events) known.set(trx, (events = new Map()));
  return events;
}

/** The event and its ticket types, locked for the rest of the transaction; undefined when there is no such event. */
export async function lockEventBySlug(trx: Knex.Transaction, slug: string): Promise<KnownEvent | undefined> {
  const events = scope(trx);
  const seen = events.get(slug);
  if (seen) return seen;
  const event = await findEventBySlug(trx, slug);
  if (!event) return undefined;
  await lockRow(trx, 'events', event.id);
  const entry: KnownEvent = { event, types: (await listTicketTypes(trx, [event.id])).get(event.id) ?? [] };
  events.set(slug, entry);
  return entry;
}

/**
 * Seats taken at the locked event. Counted once per transaction; a hold that lapses between two bookings of the
 * same transaction (milliseconds apart) still counts, which can only keep a seat back, never sell it twice.
 */
export async function seatsTaken(trx: Knex.Transaction, event: EventRecord, now: Date): Promise<SeatCounts> {
  const entry = scope(trx).get(event.slug);
  if (entry?.counts) return entry.counts;
  const counts = (await countSeatsTaken(trx, [event.id], now)).get(event.id) ?? emptySeatCounts();
  if (entry) entry.counts = counts;
  return counts;
}

/** The locked event's registration questions, read once per transaction (the lock keeps them from changing). */
export async function eventQuestions(trx: Knex.Transaction, event: EventRecord): Promise<QuestionRecord[]> {
  const entry = scope(trx).get(event.slug);
  if (entry?.questions) return entry.questions;
  const questions = await listQuestions(trx, event.id);
  if (entry) entry.questions = questions;
  return questions;
}

/** Records seats this transaction has just taken (confirmed or held), so the next booking in it sees them. */
export function takeSeats(trx: Knex.Transaction, event: EventRecord, wanted: Map<number, number>, modes: ModeSeats = {}): void {
  const counts = scope(trx).get(event.slug)?.counts;
  if (!counts) return;
  for (const [typeId, seats] of wanted) {
    counts.taken += seats;
    counts.byTicketType.set(typeId, (counts.byTicketType.get(typeId) ?? 0) + seats);
  }
  for (const mode of ['in_person', 'online'] as const) counts.byMode[mode] += modes[mode] ?? 0;
}
