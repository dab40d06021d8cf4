import type { Server } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildEvent, person } from '../support/factories';
import { createStaff, createToken, signIn, type SignedIn } from './helpers';

// Issue 14: "Audit every attendee download (who, which event, format)": the files and the sign-in sheet, through the
// staff pages and the API.

let t: TestApp;
let server: Server;
let organiser: SignedIn & { email: string; id: number };
let apiUser: { email: string; id: number };
let apiToken: string;
let event: { id: number; slug: string };

beforeAll(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  const o = await createStaff(t, 'organiser');
  organiser = { ...(await signIn(server, o.email)), email: o.email, id: o.id };
  apiUser = await createStaff(t, 'treasurer');
  apiToken = await createToken(t, apiUser.id);
  event = await buildEvent(t.db);
  await request(server).post(`/api/v1/events/${event.slug}/bookings`).send({ buyer: person('audited'), items: [{ attendee: person('audited') }] }).expect(201);
});
afterAll(async () => {
  server.close();
  await t.close();
});

/** The audit rows written while `act` ran, as the audit page's reader would see them. */
async function auditedDuring(act: () => Promise<unknown>) {
  const last = Number((await t.db('audit_log').max({ id: 'id' }).first())?.id ?? 0);
  await act();
  const rows = await t.db('audit_log').where('id', '>', last).orderBy('id').select('user_id', 'actor', 'action', 'target_type', 'target_id', 'details');
  return rows.map((r: Record<string, unknown>) => ({ ...r, user_id: r.user_id === null ? null : Number(r.user_id), details: JSON.parse(String(r.details)) as Record<string, unknown> }));
}

type Download = [label: string, via: 'page' | 'api', path: (slug: string) => string, format: string];

const DOWNLOADS: Download[] = [
  ['the CSV from the attendee page', 'page', (s) => `/admin/events/${s}/attendees.csv`, 'csv'],
  ['the XLSX from the attendee page', 'page', (s) => `/admin/events/${s}/attendees.xlsx`, 'xlsx'],
  ['the JSON from the attendee page', 'page', (s) => `/admin/events/${s}/attendees.json`, 'json'],
  ['the printable sign-in sheet', 'page', (s) => `/admin/events/${s}/sign-in-sheet`, 'sign_in_sheet'],
  ['the attendee list from the API', 'api', (s) => `/api/v1/admin/events/${s}/attendees`, 'json'],
  ['the CSV from the API', 'api', (s) => `/api/v1/admin/events/${s}/attendees.csv`, 'csv'],
  ['the XLSX from the API', 'api', (s) => `/api/v1/admin/events/${s}/attendees.xlsx`, 'xlsx'],
];

describe('auditing attendee downloads', () => {
  it.each(DOWNLOADS)('when %s is downloaded, then the audit log says who took which event\'s list, in which format', async (_label, via, path, format) => {
    const rows = await auditedDuring(async () => {
      const res = via === 'page' ? await organiser.agent.get(path(event.slug)) : await request(server).get(path(event.slug)).set('Authorization', `Bearer ${apiToken}`);
      expect(res.status).toBe(200);
    });

    const who = via === 'page' ? organiser : apiUser;
    expect(rows).toEqual([{ user_id: who.id, actor: who.email, action: 'attendees_downloaded', target_type: 'event', target_id: String(event.id), details: { slug: event.slug, format, surface: via } }]);
  });

  it('when a filtered list is downloaded, then the filter is recorded with it', async () => {
    const rows = await auditedDuring(() => organiser.agent.get(`/admin/events/${event.slug}/attendees.csv?q=Attendee&status=confirmed`).expect(200));

    expect(rows[0].details).toEqual({ slug: event.slug, format: 'csv', surface: 'page', filter: { q: 'Attendee', status: 'confirmed' } });
  });

  it('when a download is refused (no permission, unknown event, unknown format), then nothing is recorded', async () => {
    const rows = await auditedDuring(async () => {
      await request(server).get(`/api/v1/admin/events/${event.slug}/attendees.csv`).expect(401);
      await organiser.agent.get('/admin/events/no-such-event/attendees.csv').expect(404);
      await organiser.agent.get(`/admin/events/${event.slug}/attendees.pdf`).expect(404);
    });

    expect(rows).toEqual([]);
  });

  it('when an administrator opens the audit page, then the download is listed with its actor and format', async () => {
    const admin = await signIn(server, (await createStaff(t, 'admin')).email);

    const page = await admin.agent.get('/admin/audit').expect(200);

    // One plain sentence an entry: the person, the event and the format, no JSON.
    const title = (await t.db('events').where({ id: event.id }).first()).title as string;
    expect(page.text).toContain(`Test organiser downloaded the attendee list of “${title}” as an Excel file.`);
    expect(page.text).toContain(`Test organiser opened the sign-in sheet of “${title}”.`);
    expect(page.text).not.toContain('&quot;format&quot;');
    expect(page.text).not.toContain('attendees_downloaded');
  });
});
