import type { Knex } from 'knex';
import { toDbTime } from '../../src/lib/time';

let counter = 0;

export interface EventOverrides {
  slug?: string;
  kind?: 'evening_meeting' | 'seminar' | 'conference';
  title?: string;
  region?: 'london' | 'scotland' | 'north_west' | 'online' | 'other';
  startsAt?: string;
  endsAt?: string;
  timezone?: string;
  capacity?: number;
  status?: 'draft' | 'published' | 'cancelled';
  bookingOpensAt?: string | null;
  bookingClosesAt?: string | null;
  venue?: string;
  address?: string;
  sequence?: number;
  allowsInvoice?: boolean;
  refundDeadlineAt?: string | null;
  refundFee?: number;
  /** How people take part (default in person); a hybrid event's online places; the online meeting's address. */
  mode?: 'in_person' | 'online' | 'hybrid';
  onlineCapacity?: number | null;
  meetingUrl?: string;
  /** Ticket types; default one free registration type. */
  tickets?: Array<{ name: string; price: number; membersOnly?: boolean; quota?: number | null; salesStartsAt?: string; salesEndsAt?: string }>;
}

export interface BuiltEvent {
  id: number;
  slug: string;
  ticketTypeIds: number[];
}

/** An event with its ticket types; by default a free evening meeting in London two weeks after TEST_NOW. */
export async function buildEvent(db: Knex, overrides: EventOverrides = {}): Promise<BuiltEvent> {
  counter += 1;
  const slug = overrides.slug ?? `test-event-${counter}-${Math.random().toString(36).slice(2, 7)}`;
  const startsAt = overrides.startsAt ?? '2026-03-17T18:00:00.000Z';
  const endsAt = overrides.endsAt ?? new Date(new Date(startsAt).getTime() + 2 * 3600_000).toISOString();
  const now = toDbTime(new Date('2026-01-01T00:00:00Z'));
  const [row] = await db('events')
    .insert({
      slug,
      kind: overrides.kind ?? 'evening_meeting',
      title: overrides.title ?? `Test meeting ${counter}`,
      summary: 'A test meeting.',
      description: 'Longer description.',
      venue: overrides.venue ?? 'Royal Statistical Society',
      address: overrides.address ?? '12 Errol Street, London EC1Y 8LX',
      region: overrides.region ?? 'london',
      starts_at: toDbTime(new Date(startsAt)),
      ends_at: toDbTime(new Date(endsAt)),
      timezone: overrides.timezone ?? 'Europe/London',
      capacity: overrides.capacity ?? 50,
      status: overrides.status ?? 'published',
      booking_opens_at: overrides.bookingOpensAt ? toDbTime(new Date(overrides.bookingOpensAt)) : null,
      booking_closes_at: overrides.bookingClosesAt ? toDbTime(new Date(overrides.bookingClosesAt)) : null,
      sequence: overrides.sequence ?? 0,
      allows_invoice: overrides.allowsInvoice ?? false,
      refund_deadline_at: overrides.refundDeadlineAt ? toDbTime(new Date(overrides.refundDeadlineAt)) : null,
      refund_fee: overrides.refundFee ?? 0,
      contact_email: 'events@hsug.test',
      mode: overrides.mode ?? 'in_person',
      online_capacity: overrides.onlineCapacity ?? null,
      created_at: now,
      updated_at: now,
    })
    .returning('id');
  const id = Number(typeof row === 'object' ? row.id : row);
  if (overrides.meetingUrl) await db('event_meetings').insert({ event_id: id, url: overrides.meetingUrl, updated_at: now });
  const tickets = overrides.tickets ?? [{ name: 'Free registration', price: 0 }];
  const ticketTypeIds: number[] = [];
  for (const [position, t] of tickets.entries()) {
    const [tt] = await db('ticket_types')
      .insert({
        event_id: id,
        name: t.name,
        price: t.price,
        currency: 'GBP',
        members_only: t.membersOnly ?? false,
        quota: t.quota ?? null,
        sales_starts_at: t.salesStartsAt ? toDbTime(new Date(t.salesStartsAt)) : null,
        sales_ends_at: t.salesEndsAt ? toDbTime(new Date(t.salesEndsAt)) : null,
        position,
      })
      .returning('id');
    ticketTypeIds.push(Number(typeof tt === 'object' ? tt.id : tt));
  }
  return { id, slug, ticketTypeIds };
}

export function person(n: number | string, extra: Record<string, string> = {}) {
  return { name: `Attendee ${n}`, email: `attendee${n}@example.org`, organisation: 'NHS Test Trust', ...extra };
}

export function freeBookingBody(n: number | string) {
  const p = person(n);
  return { buyer: { name: p.name, email: p.email }, items: [{ attendee: p }] };
}

/**
 * A booking holding `seats` places while its buyer pays, as a paid booking does before Stripe answers, inserted
 * directly: for a hold that lapses within a test's real time (the service holds for HOLD_MINUTES, at least 30).
 */
export async function buildHold(db: Knex, event: BuiltEvent, options: { seats: number; holdExpiresAt: Date; now?: Date }): Promise<{ id: number; reference: string }> {
  counter += 1;
  const reference = `HOLD-${counter}-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
  const stamp = toDbTime(options.now ?? new Date());
  const buyer = person(`hold-${reference}`);
  const [row] = await db('bookings')
    .insert({
      reference, event_id: event.id, status: 'pending_payment', buyer_name: buyer.name, buyer_email: buyer.email, buyer_email_normalised: buyer.email,
      total: 0, currency: 'GBP', payment_method: 'stripe', hold_expires_at: toDbTime(options.holdExpiresAt), manage_token_hash: reference, created_at: stamp, updated_at: stamp,
    })
    .returning('id');
  const id = Number(typeof row === 'object' ? row.id : row);
  await db('attendees').insert(
    Array.from({ length: options.seats }, (_, i) => {
      const p = person(`hold-${reference}-${i}`);
      return { booking_id: id, event_id: event.id, ticket_type_id: event.ticketTypeIds[0], status: 'active', name: p.name, email: p.email, email_normalised: p.email, unit_price: 0, currency: 'GBP', ical_uid: `${reference}-${i}@hsug.test`, created_at: stamp };
    }),
  );
  return { id, reference };
}
