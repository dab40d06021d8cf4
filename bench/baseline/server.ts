/**
 * The raw baseline: the least a server on this stack (Express 5 + better-sqlite3) can do to give the same
 * answers. One prepared statement per answer, no validation, no views, no jobs. The bench starts it as a child
 * process, on its own copy of the same data, and compares the app against it in the same run.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { stringify } from 'csv-stringify/sync';
import express from 'express';

const file = process.env.BASELINE_DB;
if (!file) throw new Error('BASELINE_DB is required');
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
const listEvents = db.prepare(`
  SELECT e.slug, e.kind, e.title, e.status, e.starts_at, e.ends_at, e.timezone, e.venue, e.region, e.capacity,
         t.id AS tt_id, t.name AS tt_name, t.price, t.currency, t.members_only, t.quota, COALESCE(s.taken, 0) AS taken
  FROM events e JOIN ticket_types t ON t.event_id = e.id AND t.is_active = 1
  LEFT JOIN (${SEATS}) s ON s.ticket_type_id = t.id
  WHERE ${UPCOMING}
  ORDER BY e.starts_at, e.id, t.position, t.id`);

const insertBooking = db.prepare(`INSERT INTO bookings (reference, event_id, status, buyer_name, buyer_email, buyer_email_normalised,
  total, currency, payment_method, manage_token_hash, created_at, updated_at)
  VALUES (@reference, (SELECT id FROM events WHERE slug = @slug), 'confirmed', @name, @email, @email, 0, 'GBP', 'none', @hash, @now, @now)`);
const book = db.transaction((row: Record<string, string>) => insertBooking.run(row));

const exportRows = db.prepare(`
  SELECT b.reference, a.name, a.email, a.organisation, t.name AS ticket, a.unit_price, b.status, a.dietary, a.accessibility, a.checked_in_at
  FROM attendees a JOIN bookings b ON b.id = a.booking_id JOIN ticket_types t ON t.id = a.ticket_type_id
  JOIN events e ON e.id = a.event_id WHERE e.slug = ? AND a.status = 'active' ORDER BY a.name, a.id`);

type Row = Record<string, string | number | null>;

function shapeEvents(rows: Row[]) {
  const events: Array<Record<string, unknown> & { ticketTypes: unknown[]; taken: number }> = [];
  let current: (typeof events)[number] | undefined;
  for (const r of rows) {
    if (!current || current.slug !== r.slug) {
      current = { slug: r.slug, kind: r.kind, title: r.title, status: r.status, startsAt: r.starts_at, endsAt: r.ends_at, timezone: r.timezone, venue: r.venue, region: r.region, capacity: r.capacity, taken: 0, ticketTypes: [] };
      events.push(current);
    }
    current.taken += Number(r.taken);
    current.ticketTypes.push({ id: r.tt_id, name: r.tt_name, amount: r.price, currency: r.currency, membersOnly: r.members_only === 1, remaining: r.quota === null ? undefined : Number(r.quota) - Number(r.taken) });
  }
  return events.map(({ taken, ...e }) => ({ ...e, remaining: Math.max(0, Number(e.capacity) - taken) }));
}

const app = express();
app.use(express.json());
app.get('/healthz', (_req, res) => void res.json({ ok: true }));
app.get('/api/v1/events', (_req, res) => {
  res.json({ events: shapeEvents(listEvents.all({ now: new Date().toISOString() }) as Row[]) });
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
