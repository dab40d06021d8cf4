import { performance } from 'node:perf_hooks';
import type { ServiceContext } from '../context';
import { tagBody, type TaggedBody } from '../lib/etag';
import { nextHoldExpiry, readCatalogueVersion } from './queries';
import { listUpcomingEvents, type EventWithAvailability } from './service';
import type { EventKind, Region } from './types';

/**
 * How long an instance goes on serving a snapshot before it asks the database (one small query) whether anything
 * changed. A booking, a cancellation or an edit made on any instance, or by the CLI, shows within this time.
 */
export const RECHECK_MS = 250;
/** A backstop: a snapshot is read again after this long even if nothing says it changed. */
const MAX_AGE_MS = 60_000;
/**
 * How far back a snapshot also holds events that have ended, so that the API's `from=<today>` (the group's website
 * asks for the events of the day and after) is answered from memory too.
 */
const LOOKBACK_MS = 7 * 86_400_000;
/** Bodies kept per snapshot; the API's free-form date filters could otherwise make any number of them. */
const MAX_BODIES = 1000;

export interface CatalogueOptions {
  /** RECHECK_MS unless given; 0 asks on every request (the tests, which change the database between requests). */
  recheckMs?: number;
}

export interface CatalogueSnapshot {
  /** The clock's time when it was read. */
  readAt: Date;
  /** Published and cancelled events that had not ended at `coversFrom`, soonest first, with places left. */
  items: EventWithAvailability[];
  /** A week before readAt: a list starting earlier is read from the database. */
  coversFrom: Date;
  bySlug: Map<string, EventWithAvailability>;
  /**
   * The body stored under `key` for this snapshot, rendered by `render` the first time it is asked for. Whatever
   * `render` reads must come from the snapshot, so that the body changes exactly when the snapshot does.
   */
  cached(key: string, render: () => string, etagBasis?: (body: string) => string): TaggedBody;
}

export interface Catalogue {
  /** The catalogue as the database had it at most `recheckMs` ago. */
  current(): Promise<CatalogueSnapshot>;
}

interface Snapshot extends CatalogueSnapshot {
  version: string;
  /** Clock time (ms) at which something shown changes with no write: a hold lapsing, an event starting or ending, a booking or sales window opening or closing. */
  validUntil: number;
  builtAt: number;
}

/**
 * The first instant after `now` at which what the catalogue shows changes by time alone. An instant `t` changes
 * comparisons made with `>=` at `t` and those made with `>` a millisecond later.
 */
function nextChange(items: EventWithAvailability[], now: Date, holdLapses: Date | null): number {
  const at = now.getTime();
  let next = Infinity;
  const consider = (instant: Date | null) => {
    if (!instant) return;
    const t = instant.getTime();
    const change = t > at ? t : t === at ? t + 1 : Infinity;
    if (change < next) next = change;
  };
  consider(holdLapses);
  for (const { event, ticketTypes } of items) {
    for (const instant of [event.startsAt, event.endsAt, event.bookingOpensAt, event.bookingClosesAt]) consider(instant);
    for (const type of ticketTypes) {
      consider(type.salesStartsAt);
      consider(type.salesEndsAt);
    }
  }
  return next;
}

function snapshotOf(items: EventWithAvailability[], readAt: Date, coversFrom: Date, version: string, holdLapses: Date | null): Snapshot {
  const bodies = new Map<string, TaggedBody>();
  return {
    readAt,
    items,
    coversFrom,
    bySlug: new Map(items.map((item) => [item.event.slug, item])),
    version,
    validUntil: nextChange(items, readAt, holdLapses),
    builtAt: performance.now(),
    cached(key, render, etagBasis) {
      let found = bodies.get(key);
      if (!found) {
        const body = render();
        found = tagBody(body, etagBasis?.(body));
        if (bodies.size < MAX_BODIES) bodies.set(key, found);
      }
      return found;
    },
  };
}

/**
 * The public catalogue, read once and served from memory until it changes. Places left are never older than
 * `recheckMs` (plus the time one rebuild takes) and never change by time alone without a rebuild; a booking is
 * still checked against the database under the event's lock, never against this.
 */
export function createCatalogue(ctx: ServiceContext, options: CatalogueOptions = {}): Catalogue {
  const recheckMs = options.recheckMs ?? RECHECK_MS;
  let snapshot: Snapshot | undefined;
  /** performance.now() when the snapshot's version was last confirmed (taken before the query was sent). */
  let confirmedAt = -Infinity;
  let refreshing: Promise<Snapshot> | undefined;

  const isCurrent = (s: Snapshot, now: Date) => now >= s.readAt && now.getTime() < s.validUntil && performance.now() - s.builtAt < MAX_AGE_MS;

  async function refresh(): Promise<Snapshot> {
    const asked = performance.now();
    // The version is read before the data: a change committed in between makes the next check rebuild again.
    const version = await readCatalogueVersion(ctx.db);
    const now = ctx.clock.now();
    if (!snapshot || snapshot.version !== version || !isCurrent(snapshot, now)) {
      const coversFrom = new Date(now.getTime() - LOOKBACK_MS);
      const [items, holdLapses] = await Promise.all([listUpcomingEvents(ctx, { from: coversFrom }), nextHoldExpiry(ctx.db, now)]);
      snapshot = snapshotOf(items, now, coversFrom, version, holdLapses);
    }
    confirmedAt = asked;
    return snapshot;
  }

  return {
    async current() {
      if (snapshot && performance.now() - confirmedAt < recheckMs && isCurrent(snapshot, ctx.clock.now())) return snapshot;
      refreshing ??= refresh().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
  };
}

export interface UpcomingFilter {
  kind?: EventKind;
  region?: Region;
  /** Events one can take part in this way (a hybrid event matches both). */
  mode?: 'online' | 'in_person';
  from?: Date;
  to?: Date;
  /** Cancelled events are listed (so people who planned to come see it) except in the calendar feed. */
  includeCancelled?: boolean;
}

/**
 * The snapshot's events that listUpcomingEvents would give for this filter (`from` defaults to the snapshot's time).
 * A `from` before `coversFrom` reaches events the snapshot does not hold: the caller reads those from the database.
 */
export function selectUpcoming(snapshot: CatalogueSnapshot, filter: UpcomingFilter): EventWithAvailability[] {
  const from = filter.from ?? snapshot.readAt;
  if (from < snapshot.coversFrom) throw new Error('selectUpcoming: "from" is before what the snapshot holds');
  return snapshot.items.filter(({ event }) =>
    (filter.includeCancelled !== false || event.status === 'published') &&
    (!filter.kind || event.kind === filter.kind) &&
    (!filter.region || event.region === filter.region) &&
    (!filter.mode || event.mode === filter.mode || event.mode === 'hybrid') &&
    event.endsAt >= from &&
    (!filter.to || event.startsAt < filter.to),
  );
}
