import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { findForbiddenCharacter } from '../../src/lib/text';

/** One route that changes something: its method and its full path pattern, as Express was told it. */
export interface WriteRoute {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string;
}

/**
 * Every route of the app whose method is not GET or HEAD, with its full path: the routers are walked as Express 5
 * holds them (`app.router.stack`; a mounted router's layer keeps its mount path in `rawPath`). A route added
 * anywhere shows up here, so the fuzz test fails until it covers it.
 */
export function discoverWriteRoutes(app: Express): WriteRoute[] {
  const found: WriteRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== 'get' && method !== 'head' && layer.route.methods[method]) found.push({ method, path: `${prefix}${layer.route.path}` });
        }
      } else if (layer.handle?.stack) {
        const mount = layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, `${prefix}${mount}`);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  const unique = new Map(found.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r]));
  return [...unique.values()];
}

export interface RawResponse {
  status: number;
  type: string;
  text: string;
  headers: http.IncomingHttpHeaders;
}

/** Sends exactly these bytes (a client library would re-encode a Buffer under a JSON or form type). */
export function sendRaw(server: Server, request: { method: string; path: string; headers: Record<string, string>; body?: Buffer }): Promise<RawResponse> {
  const { port } = server.address() as AddressInfo;
  const body = request.body ?? Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: request.path, method: request.method, headers: { ...request.headers, 'Content-Length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? '').split(';')[0], text: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const cookieOf = (res: RawResponse, name = 'hsug_staff') => ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith(`${name}=`))?.split(';')[0];
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

/** A browser's staff session: its cookie and CSRF token (sent as X-CSRF-Token, so even an unreadable body reaches the handler). */
export interface StaffSession {
  cookie: string;
  csrf: string;
}

/** The sign-in form's CSRF token and the signed cookie it is checked against (admin/auth/form-token.ts). */
export async function signInForm(server: Server): Promise<StaffSession> {
  const page = await sendRaw(server, { method: 'GET', path: '/admin/sign-in', headers: {} });
  const cookie = cookieOf(page, 'hsug_form');
  const csrf = csrfOf(page.text);
  if (!cookie || !csrf) throw new Error('the sign-in page gave no form cookie or CSRF token');
  return { cookie, csrf };
}

/** Signs in through the form and returns the signed-in session. */
export async function signInSession(server: Server, email: string, password: string): Promise<StaffSession> {
  const form = await signInForm(server);
  const res = await sendRaw(server, { method: 'POST', path: '/admin/sign-in', headers: { Cookie: form.cookie, 'Content-Type': 'application/x-www-form-urlencoded' }, body: Buffer.from(new URLSearchParams({ _csrf: form.csrf, email, password, next: '/admin' }).toString()) });
  const cookie = cookieOf(res);
  if (res.status !== 303 || !cookie) throw new Error(`sign-in failed: ${res.status}`);
  const home = await sendRaw(server, { method: 'GET', path: '/admin', headers: { Cookie: cookie } });
  const csrf = csrfOf(home.text);
  if (!csrf) throw new Error('no CSRF token on the staff home page');
  return { cookie, csrf };
}

/** The tables that hold the service's records (not its security bookkeeping: sessions, sign-in failures, limiters). */
export const RECORD_TABLES = ['events', 'ticket_types', 'bookings', 'attendees', 'payments', 'refunds', 'credits', 'finance_documents', 'finance_explanations', 'outbox_emails', 'staff_messages', 'members', 'audit_log', 'users', 'api_tokens', 'subscribers', 'subscriber_suppressions', 'announcements', 'event_questions', 'booking_answers', 'discount_codes'] as const;

/** How many rows each record table holds, in one query. */
export async function recordCounts(db: Knex): Promise<Record<string, number>> {
  const select = RECORD_TABLES.map((t) => `(select count(*) from ${t}) as ${t}`).join(', ');
  const raw = await db.raw(`select ${select}`);
  const row = (Array.isArray(raw) ? raw[0] : raw.rows[0]) as Record<string, number | string>;
  return Object.fromEntries(RECORD_TABLES.map((t) => [t, Number(row[t])]));
}

/** Text columns people fill in, and whether each is multi-line (lib/text.ts). */
const TEXT_COLUMNS: Record<string, { single: string[]; multi: string[] }> = {
  events: { single: ['title', 'summary', 'venue', 'address'], multi: ['description'] },
  ticket_types: { single: ['name', 'description'], multi: [] },
  bookings: { single: ['buyer_name', 'buyer_email', 'buyer_organisation', 'purchase_order', 'billing_contact', 'billing_email'], multi: ['cancel_reason', 'billing_address'] },
  attendees: { single: ['name', 'email', 'organisation'], multi: ['dietary', 'accessibility'] },
  staff_messages: { single: ['subject'], multi: ['body'] },
  subscribers: { single: ['email', 'consent_source'], multi: [] },
  announcements: { single: ['subject'], multi: ['message'] },
  members: { single: ['name', 'email', 'membership_number'], multi: [] },
  payments: { single: ['bank_reference'], multi: ['note'] },
  refunds: { single: [], multi: ['reason'] },
  credits: { single: [], multi: ['reason'] },
  finance_explanations: { single: [], multi: ['note'] },
  users: { single: ['name', 'email'], multi: [] },
  event_questions: { single: ['label', 'help_text'], multi: ['options'] },
  booking_answers: { single: ['label'], multi: ['value'] },
  discount_codes: { single: ['code', 'note'], multi: [] },
};

/**
 * What is wrong with the records as a whole: a stored text value that breaks the text rule (a hostile value got
 * through), or a booking without a seat (half a booking written). Empty when all is well.
 */
export async function recordProblems(db: Knex): Promise<string[]> {
  const problems: string[] = [];
  for (const [table, { single, multi }] of Object.entries(TEXT_COLUMNS)) {
    const rows = (await db(table).select('id', ...single, ...multi)) as Array<Record<string, unknown>>;
    for (const row of rows) {
      for (const column of [...single, ...multi]) {
        const value = row[column];
        if (typeof value !== 'string') continue;
        const found = findForbiddenCharacter(value, { multiLine: multi.includes(column) });
        if (found) problems.push(`${table}.${column} of row ${String(row.id)} holds ${found.label}`);
      }
    }
  }
  const seatless = await db('bookings').leftJoin('attendees', 'attendees.booking_id', 'bookings.id').whereNull('attendees.id').select('bookings.reference');
  for (const b of seatless as Array<{ reference: string }>) problems.push(`booking ${b.reference} has no seat`);
  return problems;
}

/** application/x-www-form-urlencoded, as a browser sends it (arrays as repeated keys). */
export function formEncode(fields: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, typeof v === 'string' ? v : JSON.stringify(v) ?? '');
  }
  return params.toString();
}

/** multipart/form-data (RFC 7578) with text fields and one file. */
export function multipartEncode(fields: Record<string, string>, file: { field: string; filename: string; content: Buffer }): { body: Buffer; contentType: string } {
  const boundary = `----hsugfuzz${Math.random().toString(36).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${value}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: text/csv\r\n\r\n`), file.content, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
