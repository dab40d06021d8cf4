import { copyQuestions } from '../booking-setup/service';
import type { Knex } from 'knex';
import { promoteWaitlist } from '../../bookings';
import type { ServiceContext } from '../../context';
import { lockRow, writeTransaction } from '../../db/dialect';
import { isUniqueViolation } from '../../db/errors/index';
import { countSeatsTaken, findEventById, findEventBySlug } from '../../events/queries';
import type { EventRecord, TicketTypeRecord } from '../../events/types';
import { ConflictError, NotFoundError, ValidationError, type ErrorDetail } from '../../lib/errors';
import { isCalendarRevision } from '../../calendar/ics';
import { formatInstant } from '../../lib/time';
import { recordAudit, type Actor } from '../audit/log';
import { countPeopleToUpdate, describeChanges, queueUpdatedInvitations } from './changes';
import { changeEventStatus, copyTicketTypes, countAttendeesByTicketType, countBookingsHeld, insertEvent, isSlugTaken, insertTicketType, listAllTicketTypes, updateEventRow, updateTicketTypeRow } from './queries';
import { SLUG_PATTERN, type EventInput, type TicketInput } from './schemas';
import { chooseSlug, SLUG_TAKEN } from './slugs';
import { alignSeatModes, assertMeetingReady, saveMeeting, seatsTakenByMode } from '../../online';

/** A slug taken by a concurrent request between our check and our write. */
function translateSlugClash(error: unknown): never {
  if (isUniqueViolation(error, 'slug')) throw new ValidationError([{ path: 'slug', message: SLUG_TAKEN }]);
  throw error;
}

async function lockedEvent(trx: Knex.Transaction, slug: string): Promise<EventRecord> {
  const found = await findEventBySlug(trx, slug);
  if (!found) throw new NotFoundError('event_not_found', 'No event with that address.');
  await lockRow(trx, 'events', found.id);
  return (await findEventById(trx, found.id)) as EventRecord;
}

/**
 * The checks that need the database (a typed web address already used; a capacity below the places taken), run
 * beside the form's own checks when those fail, so that the form still reports every mistake in one answer. Advisory:
 * the same checks inside the saving transaction are the ones that count.
 */
export async function checkEventFormAgainstData(ctx: ServiceContext, body: Record<string, unknown>, slug?: string): Promise<ErrorDetail[]> {
  const problems: ErrorDetail[] = [];
  const existing = slug ? await findEventBySlug(ctx.db, slug) : undefined;
  const typedSlug = typeof body.slug === 'string' ? body.slug.trim().toLowerCase() : '';
  if (typedSlug && SLUG_PATTERN.test(typedSlug) && (await isSlugTaken(ctx.db, typedSlug, existing?.id))) problems.push({ path: 'slug', message: SLUG_TAKEN });
  const number = (v: unknown) => (typeof v === 'string' && /^\d{1,6}$/.test(v.trim()) ? Number(v.trim()) : null);
  const capacity = number(body.capacity);
  const mode = body.mode === 'online' || body.mode === 'hybrid' ? body.mode : 'in_person';
  if (existing && capacity !== null) {
    const taken = await seatsTakenByMode(ctx.db, existing.id, mode, ctx.clock.now());
    problems.push(...capacityBelowTaken({ mode, capacity, onlineCapacity: number(body.onlineCapacity) }, taken));
  }
  // A published online or hybrid event keeps its meeting address, as publishing required: its joining links lead there.
  const meetingUrl = typeof body.meetingUrl === 'string' ? body.meetingUrl.trim() : '';
  if (existing?.status === 'published' && mode !== 'in_person' && !meetingUrl) problems.push({ path: 'meetingUrl', message: PUBLISHED_NEEDS_MEETING });
  return problems;
}

/** Like `checkEventFormAgainstData`, for a ticket type's form: a quota below the places of that type already taken. */
export async function checkTicketFormAgainstData(ctx: ServiceContext, event: EventRecord, ticketTypeId: number, body: Record<string, unknown>): Promise<ErrorDetail[]> {
  const quota = typeof body.quota === 'string' && /^\d{1,6}$/.test(body.quota.trim()) ? Number(body.quota.trim()) : null;
  if (quota === null) return [];
  const taken = (await countSeatsTaken(ctx.db, [event.id], ctx.clock.now())).get(event.id)?.byTicketType.get(ticketTypeId) ?? 0;
  return quota < taken ? [{ path: 'quota', message: quotaMessage(taken) }] : [];
}

const quotaMessage = (taken: number) => `${taken} places of this type are taken, so the quota cannot be lower than ${taken}`;

const PUBLISHED_NEEDS_MEETING = 'Enter the meeting address: the event is published, and its online attendees\' joining links lead to it';

const capacityMessage = (taken: number) => `${taken} places are already taken, so the capacity cannot be lower than ${taken}`;

/** A capacity below the places already taken: for a hybrid event, each way of taking part against its own capacity. */
function capacityBelowTaken(input: { mode: EventRecord['mode']; capacity: number; onlineCapacity: number | null }, taken: { total: number; in_person: number; online: number }): ErrorDetail[] {
  if (input.mode !== 'hybrid') return input.capacity < taken.total ? [{ path: 'capacity', message: capacityMessage(taken.total) }] : [];
  const problems: ErrorDetail[] = [];
  if (input.capacity < taken.in_person) problems.push({ path: 'capacity', message: capacityMessage(taken.in_person) });
  if (input.onlineCapacity !== null && input.onlineCapacity < taken.online) problems.push({ path: 'onlineCapacity', message: capacityMessage(taken.online) });
  return problems;
}

/** A new event starts as a draft with its first ticket type, so it can be checked before it is published. */
export async function createEvent(ctx: ServiceContext, actor: Actor, input: EventInput, firstTicket: TicketInput): Promise<EventRecord> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const slug = await chooseSlug(trx, input.slug, input.title);
    const id = await insertEvent(trx, { ...input, slug }, now).catch(translateSlugClash);
    await saveMeeting(trx, id, input.meeting, now);
    await insertTicketType(trx, { id, currency: 'GBP' }, { ...firstTicket, isActive: true });
    await recordAudit(trx, actor, { action: 'event_created', targetType: 'event', targetId: id, details: { slug, title: input.title } }, now);
    return (await findEventById(trx, id)) as EventRecord;
  });
}

/**
 * "Copy as new event": a new draft with the details typed on the copy form (prefilled from `sourceSlug`, dates left
 * for the organiser) and every ticket type of the source with its price (`copyTicketTypes`). Nothing about people is
 * copied: no bookings, attendees, waitlist or messages.
 */
export async function copyEvent(ctx: ServiceContext, actor: Actor, sourceSlug: string, input: EventInput): Promise<EventRecord> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const source = await findEventBySlug(trx, sourceSlug);
    if (!source) throw new NotFoundError('event_not_found', 'No event with that address.');
    const slug = await chooseSlug(trx, input.slug, input.title);
    const id = await insertEvent(trx, { ...input, slug }, now).catch(translateSlugClash);
    await saveMeeting(trx, id, input.meeting, now);
    const ticketTypes = await copyTicketTypes(trx, source.id, { id, currency: source.currency });
    const questions = await copyQuestions(trx, source.id, id, now);
    await recordAudit(trx, actor, { action: 'event_copied', targetType: 'event', targetId: id, details: { slug, title: input.title, from: source.slug, fromTitle: source.title, ticketTypes, questions } }, now);
    return (await findEventById(trx, id)) as EventRecord;
  });
}

/** What saving the edit form would do, shown to the organiser before anything is saved or sent. */
export interface EventUpdatePlan {
  /** The calendar-relevant changes, as the email will say them; empty when nobody is re-invited. */
  changes: string[];
  /** People who would be emailed an updated invitation (confirmed places with an email address; none for a draft). */
  emails: number;
  /** The booking window no longer fitting the new times. */
  warnings: string[];
}

const DAY_MS = 86400_000;

function describeGap(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= DAY_MS) {
    const days = Math.round(abs / DAY_MS);
    return `${days} ${days === 1 ? 'day' : 'days'}`;
  }
  const hours = Math.round(abs / 3600_000);
  return `${hours} ${hours === 1 ? 'hour' : 'hours'}`;
}

/**
 * Where the booking window no longer fits new times: booking opening or closing after the new start, or a start moved
 * while "booking closes" stayed where it was (so booking now closes much earlier, or later, relative to the event).
 */
export function bookingWindowWarnings(before: EventRecord, input: EventInput): string[] {
  const zone = input.timezone;
  const warnings: string[] = [];
  const closes = input.bookingClosesAt;
  if (input.bookingOpensAt && input.bookingOpensAt >= input.startsAt) {
    warnings.push(`Booking opens on ${formatInstant(input.bookingOpensAt, zone)}, after the event starts (${formatInstant(input.startsAt, zone)}), so nobody could book.`);
  }
  if (closes && closes > input.startsAt) {
    warnings.push(`Booking closes on ${formatInstant(closes, zone)}, after the new start (${formatInstant(input.startsAt, zone)}). Booking stops when the event starts anyway; set "Booking closes" before the start.`);
  } else if (closes && before.bookingClosesAt && closes.getTime() === before.bookingClosesAt.getTime() && input.startsAt.getTime() !== before.startsAt.getTime()) {
    const oldGap = before.startsAt.getTime() - closes.getTime();
    const newGap = input.startsAt.getTime() - closes.getTime();
    warnings.push(`Booking still closes on ${formatInstant(closes, zone)}: that is ${describeGap(newGap)} before the new start, where it was ${describeGap(oldGap)} before the old one. Change "Booking closes" if it should move with the event.`);
  }
  return warnings;
}

/** Reads what saving would change and whom it would email; changes nothing. Throws 404 `event_not_found`. */
export async function planEventUpdate(ctx: ServiceContext, slug: string, input: EventInput): Promise<EventUpdatePlan> {
  const before = await findEventBySlug(ctx.db, slug);
  if (!before) throw new NotFoundError('event_not_found', 'No event with that address.');
  const changes = describeChanges(before, input);
  const emails = changes.length > 0 && before.status !== 'draft' ? await countPeopleToUpdate(ctx.db, before.id) : 0;
  return { changes, emails, warnings: bookingWindowWarnings(before, input) };
}

export interface EventUpdateResult {
  event: EventRecord;
  changes: string[];
  notified: number;
  promoted: number;
}

/**
 * Saves the event. When its time or place changes, the iCal sequence goes up and everyone holding a place
 * gets the updated invitation, queued in the same transaction as the change. A change to what the calendar entry
 * says otherwise (title, summary, description) also raises the sequence, so subscribed calendars and later copies
 * take it (`isCalendarRevision`), without emailing everyone about it.
 */
export async function updateEvent(ctx: ServiceContext, actor: Actor, slug: string, input: EventInput): Promise<EventUpdateResult> {
  const now = ctx.clock.now();
  const result = await writeTransaction(ctx.db, async (trx) => {
    const before = await lockedEvent(trx, slug);
    const nextSlug = await chooseSlug(trx, input.slug ?? before.slug, input.title, before.id);
    const capacityProblems = capacityBelowTaken(input, await seatsTakenByMode(trx, before.id, input.mode, now));
    if (capacityProblems.length > 0) throw new ValidationError(capacityProblems);
    const changes = describeChanges(before, input);
    const isRevision = changes.length > 0 || isCalendarRevision(before, { ...input, slug: nextSlug });
    const sequence = isRevision ? before.sequence + 1 : before.sequence;
    await updateEventRow(trx, before.id, { ...input, slug: nextSlug }, sequence, now).catch(translateSlugClash);
    await saveMeeting(trx, before.id, input.meeting, now);
    const after = (await findEventById(trx, before.id)) as EventRecord;
    if (after.status === 'published' && after.mode !== 'in_person' && !input.meeting.url) throw new ValidationError([{ path: 'meetingUrl', message: PUBLISHED_NEEDS_MEETING }]);
    // A change to one way of taking part moves every place to it (in person only, or online only).
    if (after.mode !== before.mode) await alignSeatModes(trx, ctx.config, after);
    const notified = changes.length > 0 && after.status !== 'draft' ? await queueUpdatedInvitations(trx, ctx, after, changes, before) : 0;
    const promoted = (after.capacity > before.capacity || (after.onlineCapacity ?? 0) > (before.onlineCapacity ?? 0) || after.mode !== before.mode) && after.status === 'published' ? (await promoteWaitlist(trx, ctx, after)).length : 0;
    await recordAudit(trx, actor, { action: 'event_updated', targetType: 'event', targetId: after.id, details: { slug: after.slug, changes, notified, promoted, sequence } }, now);
    return { event: after, changes, notified, promoted };
  });
  ctx.kickOutbox();
  return result;
}

export async function publishEvent(ctx: ServiceContext, actor: Actor, slug: string): Promise<EventRecord> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const event = await lockedEvent(trx, slug);
    if (event.status === 'published') return event;
    if (event.status === 'cancelled') throw new ConflictError('event_cancelled', 'A cancelled event cannot be published again. Create a new event instead.');
    const active = (await listAllTicketTypes(trx, event.id)).filter((t) => t.isActive);
    if (active.length === 0) throw new ConflictError('no_ticket_types', 'Add a ticket type that is on sale before publishing.');
    await assertMeetingReady(trx, event);
    await changeEventStatus(trx, event.id, ['draft'], 'published', now);
    await recordAudit(trx, actor, { action: 'event_published', targetType: 'event', targetId: event.id, details: { slug } }, now);
    return (await findEventById(trx, event.id)) as EventRecord;
  });
}

/** Back to draft, only while nobody has booked: once people have, the way out is cancelling. */
export async function unpublishEvent(ctx: ServiceContext, actor: Actor, slug: string): Promise<EventRecord> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const event = await lockedEvent(trx, slug);
    if (event.status !== 'published') return event;
    if ((await countBookingsHeld(trx, event.id, now)) > 0) {
      throw new ConflictError('has_bookings', 'People have already booked this event, so it cannot go back to draft. Cancel it instead, and they will be told.');
    }
    await changeEventStatus(trx, event.id, ['published'], 'draft', now);
    await recordAudit(trx, actor, { action: 'event_unpublished', targetType: 'event', targetId: event.id, details: { slug } }, now);
    return (await findEventById(trx, event.id)) as EventRecord;
  });
}

export async function createTicketType(ctx: ServiceContext, actor: Actor, slug: string, input: TicketInput): Promise<TicketTypeRecord> {
  const now = ctx.clock.now();
  return writeTransaction(ctx.db, async (trx) => {
    const event = await lockedEvent(trx, slug);
    const id = await insertTicketType(trx, event, input);
    await recordAudit(trx, actor, { action: 'ticket_type_created', targetType: 'ticket_type', targetId: id, details: { event: slug, name: input.name, price: input.price } }, now);
    return (await listAllTicketTypes(trx, event.id)).find((t) => t.id === id) as TicketTypeRecord;
  });
}

export async function updateTicketType(ctx: ServiceContext, actor: Actor, slug: string, ticketTypeId: number, input: TicketInput): Promise<void> {
  const now = ctx.clock.now();
  await writeTransaction(ctx.db, async (trx) => {
    const event = await lockedEvent(trx, slug);
    const before = (await listAllTicketTypes(trx, event.id)).find((t) => t.id === ticketTypeId);
    if (!before) throw new NotFoundError('not_found', 'No such ticket type for this event.');
    const taken = (await countSeatsTaken(trx, [event.id], now)).get(event.id)?.byTicketType.get(ticketTypeId) ?? 0;
    if (input.quota !== null && input.quota < taken) throw new ValidationError([{ path: 'quota', message: quotaMessage(taken) }]);
    const everSold = await countAttendeesByTicketType(trx, ticketTypeId);
    await updateTicketTypeRow(trx, ticketTypeId, input);
    await recordAudit(trx, actor, { action: 'ticket_type_updated', targetType: 'ticket_type', targetId: ticketTypeId, details: { event: slug, before: { name: before.name, price: before.price, isActive: before.isActive }, after: { name: input.name, price: input.price, isActive: input.isActive }, everSold } }, now);
  });
}
