import type { Server } from 'node:http';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { textOf } from '../support/html';
import { createStaff, signIn, type SignedIn } from '../admin/helpers';
import { subscribeAndConfirm } from './support';

/** Issue 20, "Administrators": figures by choice, an all-or-nothing import with consent, the export. */

let t: TestApp;
let server: Server;
let admin: SignedIn;

beforeEach(async () => {
  t = await startTestApp();
  server = t.app.listen(0);
  admin = await signIn(server, (await createStaff(t, 'admin')).email);
});
afterEach(async () => {
  server.close();
  await t.close();
});

const upload = (csv: string) => admin.agent.post('/admin/subscribers/import').field('_csrf', admin.csrf).attach('file', Buffer.from(csv), 'list.csv');
const count = async () => Number((await t.db('subscribers').count({ n: '*' }).first())!.n);

describe('the subscriber list for administrators', () => {
  it('when an imported file has rows without consent, a bad address and a repeated one, then nothing is imported and each line is named', async () => {
    const res = await upload('email,consent date,consent source\nok@nhs.example,2025-06-30,RSS sign-up sheet\nnodate@nhs.example,,RSS sign-up sheet\nnosource@nhs.example,2025-06-30,\nnot-an-address,2025-06-30,Sheet\nOK@nhs.example,2025-07-01,Sheet\nfuture@nhs.example,2027-01-01,Sheet\n').expect(422);
    const text = textOf(res.text);
    expect(text).toContain('Nothing was imported');
    expect(text).toContain('3 consent date is missing');
    expect(text).toContain('4 consent source is missing');
    expect(text).toContain('5 email is not an email address');
    expect(text).toContain('6 email OK@nhs.example is also on line 2');
    expect(text).toContain('7 consent date 2027-01-01 is in the future');
    expect(await count()).toBe(0);
  });

  it('when a file misses the consent columns, then it is refused as a whole and says which columns it needs', async () => {
    const res = await upload('email\nsomeone@nhs.example\n').expect(422);
    expect(textOf(res.text)).toContain('missing: consent date, consent source');
    expect(await count()).toBe(0);
  });

  it('when a good list is imported, then its addresses are confirmed with their consent recorded, counted by choice, and exported', async () => {
    await subscribeAndConfirm(t, 'seminars@x.example', { kinds: ['seminar'], regions: ['scotland'] });
    await request(t.app).post('/subscribe').type('form').send('email=waiting%40x.example&choice=all').expect(303);
    const res = await upload('Email Address,Date of consent,Source\nann@nhs.example,30/06/2025,RSS sign-up sheet\n-cmd@evil.example,2025-06-30,Old list\nseminars@x.example,2025-06-30,Old list\n').expect(200);
    expect(textOf(res.text)).toContain('Imported 2 addresses. 1 already subscribed (left as they were).');
    const row = await t.db('subscribers').where({ email: 'ann@nhs.example' }).first();
    expect([row.status, row.consent_source, new Date(row.consent_at).toISOString()]).toEqual(['confirmed', 'import: RSS sign-up sheet', '2025-06-30T00:00:00.000Z']);

    const page = textOf((await admin.agent.get('/admin/subscribers').expect(200)).text);
    expect(page).toContain('Confirmed 3');
    expect(page).toContain('Waiting to confirm 1');
    expect(page).toContain('All events 2');
    expect(page).toContain('Seminars 1');
    expect(page).toContain('Scotland 1');

    const csv = await admin.agent.get('/admin/subscribers/export.csv').expect(200);
    expect(csv.headers['cache-control']).toContain('no-store');
    const rows = parse(csv.text, { bom: true, columns: true }) as Array<Record<string, string>>;
    // Sorted here: PostgreSQL's collation may order the hyphen differently from SQLite's.
    expect(rows.map((r) => [r.Email, r['Hears about']]).sort()).toEqual([
      ["'-cmd@evil.example", 'all HSUG events'],
      ['ann@nhs.example', 'all HSUG events'],
      ['seminars@x.example', 'seminars, events in Scotland'],
    ]);
  });

  it('when an organiser or the treasurer opens the subscriber list, then they are refused: it is for administrators', async () => {
    for (const role of ['organiser', 'treasurer'] as const) {
      const them = await signIn(server, (await createStaff(t, role)).email);
      await them.agent.get('/admin/subscribers').expect(403);
      await them.agent.get('/admin/subscribers/export.csv').expect(403);
    }
  });
});
