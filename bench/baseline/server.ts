/**
 * The raw baseline: the least a server on this stack (Express 5 + better-sqlite3) can do to give the same
 * answers. One prepared statement per answer, no validation, no views, no jobs. The bench starts it as a child
 * process, on its own copy of the same data, and compares the app against it in the same run.
 *
 * The events list has two forms. `/api/v1/events` is the ceiling: the same JSON body as the app's, byte for byte,
 * from one prepared statement over a table that already holds each event's places left (built at start-up, as any
 * cache or counter would keep them), so nothing is aggregated per request. `/reference/aggregating/api/v1/events`
 * counts every seat of every upcoming event per request, which is what the app itself did before it kept its
 * catalogue in memory: a reference, not a ceiling.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import express from 'express';

const file = process.env.BASELINE_DB;
if (!file) throw new Error('BASELINE_DB is required');
const publicUrl = process.env.PUBLIC_URL;
if (!publicUrl) throw new Error('PUBLIC_URL (the app\'s, for the events\' url field) is required');
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');

const UPCOMING = `e.status IN ('published', 'cancelled') AND e.ends_at >= @now`;
const SEATS = `SELECT a.event_id, a.ticket_type_id, COUNT(*) AS taken FROM attendees a JOIN bookings b ON b.id = a.booking_id
  WHERE a.event_id IN (SELECT e.id FROM events e WHERE ${UPCOMING}) AND a.status = 'active'
    AND (b.status = 'confirmed' OR (b.status = 'pending_payment' AND b.hold_expires_at > @now))
  GROUP BY a.event_id, a.ticket_type_id`;

/** Upcoming events, one row per ticket type, with seats taken per ticket type. */
const aggregateEvents = db.prepare(`
  SELECT e.id AS event_id, e.slug, e.kind, e.title, e.status, e.starts_at, e.ends_at, e.timezone, e.venue, e.region, e.capacity,
         t.id AS tt_id, t.name AS tt_name, t.price, t.currency, t.members_only, t.quota, t.position AS tt_position, COALESCE(s.taken, 0) AS taken
  FROM events e JOIN ticket_types t ON t.event_id = e.id AND t.is_active = 1
  LEFT JOIN (${SEATS}) s ON s.ticket_type_id = t.id
  WHERE ${UPCOMING}
  ORDER BY e.starts_at, e.id, t.position, t.id`);

type Row = Record<string, string | number | null>;

/** Places left per event and per ticket type (capped by the event's), as the app computes them. */
function withPlacesLeft(rows: Row[]): Row[] {
  const taken = new Map<unknown, number>();
  for (const r of rows) taken.set(r.event_id, (taken.get(r.event_id) ?? 0) + Number(r.taken));
  return rows.map((r) => {
    const remaining = Math.max(0, Number(r.capacity) - (taken.get(r.event_id) ?? 0));
    const ttRemaining = r.quota === null ? remaining : Math.min(remaining, Math.max(0, Number(r.quota) - Number(r.taken)));
    return { ...r, remaining, tt_remaining: ttRemaining, url: `${publicUrl}/events/${r.slug}` };
  });
}

// The ceiling's table: one row per ticket type of each upcoming event, its places left already counted.
db.exec(`DROP TABLE IF EXISTS catalogue_rows;
  CREATE TABLE catalogue_rows (row_order INTEGER PRIMARY KEY, event_id INTEGER, slug TEXT, kind TEXT, title TEXT, status TEXT,
    starts_at TEXT, ends_at TEXT, timezone TEXT, venue TEXT, region TEXT, capacity INTEGER, remaining INTEGER, url TEXT,
    tt_id INTEGER, tt_name TEXT, price INTEGER, currency TEXT, members_only INTEGER, tt_remaining INTEGER)`);
const insertCatalogueRow = db.prepare(`INSERT INTO catalogue_rows VALUES (@row_order, @event_id, @slug, @kind, @title, @status, @starts_at,
  @ends_at, @timezone, @venue, @region, @capacity, @remaining, @url, @tt_id, @tt_name, @price, @currency, @members_only, @tt_remaining)`);
db.transaction(() => {
  withPlacesLeft(aggregateEvents.all({ now: new Date().toISOString() }) as Row[]).forEach(({ quota, taken, tt_position, ...r }, i) => insertCatalogueRow.run({ ...r, row_order: i }));
})();
const listCatalogue = db.prepare(`SELECT event_id, slug, kind, title, status, starts_at, ends_at, timezone, venue, region, capacity, remaining, url,
  tt_id, tt_name, price, currency, members_only, tt_remaining FROM catalogue_rows WHERE ends_at >= ? ORDER BY row_order`);

const insertBooking = db.prepare(`INSERT INTO bookings (reference, event_id, status, buyer_name, buyer_email, buyer_email_normalised,
  total, currency, payment_method, manage_token_hash, created_at, updated_at)
  VALUES (@reference, (SELECT id FROM events WHERE slug = @slug), 'confirmed', @name, @email, @email, 0, 'GBP', 'none', @hash, @now, @now)`);
const book = db.transaction((row: Record<string, string>) => insertBooking.run(row));

const exportRows = db.prepare(`
  SELECT b.reference, a.name, a.email, a.organisation, t.name AS ticket, a.unit_price, b.status, a.dietary, a.accessibility, a.checked_in_at
  FROM attendees a JOIN bookings b ON b.id = a.booking_id JOIN ticket_types t ON t.id = a.ticket_type_id
  JOIN events e ON e.id = a.event_id WHERE e.slug = ? AND a.status = 'active' ORDER BY a.name, a.id`);

/** The app's JSON shape (src/events/present.ts, toApiEvent), keys in the same order, from rows with places left. */
function shapeEvents(rows: Row[]): string {
  const events: Array<Record<string, unknown> & { ticketTypes: unknown[] }> = [];
  let current: (typeof events)[number] | undefined;
  for (const r of rows) {
    if (!current || current.slug !== r.slug) {
      current = { slug: r.slug, kind: r.kind, title: r.title, status: r.status, startsAt: r.starts_at, endsAt: r.ends_at, timezone: r.timezone, venue: r.venue, region: r.region, capacity: r.capacity, remaining: r.remaining, url: r.url, ticketTypes: [] };
      events.push(current);
    }
    current.ticketTypes.push({ id: r.tt_id, name: r.tt_name, amount: r.price, currency: r.currency, membersOnly: r.members_only === 1, remaining: r.tt_remaining });
  }
  return JSON.stringify({ events });
}

const app = express();
app.use(express.json());
app.get('/healthz', (_req, res) => void res.json({ ok: true }));
app.get('/api/v1/events', (_req, res) => {
  res.type('json').send(shapeEvents(listCatalogue.all(new Date().toISOString()) as Row[]));
});
app.get('/reference/aggregating/api/v1/events', (_req, res) => {
  res.type('json').send(shapeEvents(withPlacesLeft(aggregateEvents.all({ now: new Date().toISOString() }) as Row[])));
});
app.post('/api/v1/events/:slug/bookings', (req, res) => {
  const reference = `B-${randomBytes(6).toString('hex')}`;
  const email = String(req.body?.buyer?.email ?? '');
  book({ reference, slug: req.params.slug, name: String(req.body?.buyer?.name ?? ''), email, hash: reference, now: new Date().toISOString() });
  res.status(201).json({ booking: { reference, status: 'confirmed' } });
});
app.get('/api/v1/admin/events/:slug/attendees.csv', (req, res) => {
  const rows = exportRows.all(req.params.slug) as Row[];
  res.type('text/csv').send(stringify(rows, { header: true, escape_formulas: true }));
});
app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
