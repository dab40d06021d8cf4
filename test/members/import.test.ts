import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli/main';
import type { CliIo } from '../../src/cli/types';
import { isCurrentMember } from '../../src/members/queries';
import type { TestApp } from '../support/app';
import { startWithOrganiser, type OrganiserApp, type SignedIn } from '../admin/helpers';

let t: TestApp;
let organiser: SignedIn;

let app: OrganiserApp;

beforeAll(async () => {
  app = await startWithOrganiser();
  ({ t, organiser } = app);
});
afterAll(() => app.close());

const VALID = [
  'Email,Name,Membership Number,Expiry Date',
  'ada@example.org,Ada Lovelace,RSS-001,2026-12-31',
  'FLORENCE@Example.org,Florence Nightingale,RSS-002,15/03/2026',
  'john@example.org,"Snow, John",RSS-003,01/01/2026',
].join('\r\n');

const BAD = [
  'membership_no,EXPIRES,e-mail,full name',
  'RSS-010,2026-12-31,good@example.org,Good Person',
  'RSS-011,31/02/2026,feb@example.org,Bad Date',
  ',2026-12-31,not-an-email,',
  'RSS-013,2027-01-01,GOOD@example.org,Duplicate',
].join('\n');

function upload(csv: string, name = 'members.csv') {
  return organiser.agent.post('/admin/members/import').field('_csrf', organiser.csrf).attach('file', Buffer.from(csv, 'utf8'), { filename: name, contentType: 'text/csv' });
}

function captureIo(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), prompt: async () => '' };
}

describe('importing the member list in the browser', () => {
  it('when a valid file is uploaded, then every member is stored, and the page shows counts, soon-to-expire and expired', async () => {
    const res = await upload(VALID);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Imported 3 members');
    const rows = await t.db('members').orderBy('membership_number').select('email_normalised', 'name', 'expires_on');
    expect(rows).toEqual([
      { email_normalised: 'ada@example.org', name: 'Ada Lovelace', expires_on: '2026-12-31' },
      { email_normalised: 'florence@example.org', name: 'Florence Nightingale', expires_on: '2026-03-15' },
      { email_normalised: 'john@example.org', name: 'Snow, John', expires_on: '2026-01-01' },
    ]);
    const page = await organiser.agent.get('/admin/members').expect(200);
    const stat = (label: string) => new RegExp(`<dt>${label}</dt><dd>(\\d+)</dd>`).exec(page.text)?.[1];
    expect([stat('On the list'), stat('Current'), stat('Expire in the next 30 days'), stat('Expired')]).toEqual(['3', '2', '1', '1']);
    expect(await isCurrentMember(t.db, 'Florence@example.org', '2026-03-15')).toBe(true);
    expect(await isCurrentMember(t.db, 'florence@example.org', '2026-03-16')).toBe(false);
    expect(await isCurrentMember(t.db, 'nobody@example.org', '2026-03-01')).toBe(false);
  });

  it('when a file has bad rows, then nothing is imported and the report names each line and problem', async () => {
    const before = await t.db('members').select('email_normalised').orderBy('id');
    const res = await upload(BAD);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Nothing was imported');
    expect(res.text).toMatch(/<th scope="row">3<\/th><td>expiry date &quot;31\/02\/2026&quot; is not a date/);
    expect(res.text).toMatch(/<th scope="row">4<\/th><td>email is not an email address; name is missing; membership number is missing<\/td>/);
    expect(res.text).toMatch(/<th scope="row">5<\/th><td>email GOOD@example.org is also on line 2<\/td>/);
    expect(await t.db('members').select('email_normalised').orderBy('id')).toEqual(before);
  });

  it('when the header lacks a column, or no file is chosen, then a clear message and nothing changes', async () => {
    const res = await upload('email,name\nx@example.org,X');
    expect(res.status).toBe(422);
    expect(res.text).toContain('missing: membership number, expiry date');
    const none = await organiser.agent.post('/admin/members/import').field('_csrf', organiser.csrf);
    expect(none.status).toBe(422);
    expect(none.text).toContain('Choose a CSV file to import.');
  });

  it('when the upload has no CSRF token, then 403 and nothing changes', async () => {
    const res = await organiser.agent.post('/admin/members/import').attach('file', Buffer.from(VALID), 'members.csv');
    expect(res.status).toBe(403);
  });
});

describe('members:import on the command line', () => {
  it('when given a valid file, then it replaces the list and says how many; with bad rows it lists them and exits 1', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsug-members-'));
    const good = path.join(dir, 'good.csv');
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(good, `\uFEFF${VALID.replace('ada@example.org', 'ada2@example.org')}`);
    fs.writeFileSync(bad, BAD);
    const env = { DATABASE_URL: t.testDb.url, NODE_ENV: 'test' };

    const io = captureIo();
    expect(await runCli(['members:import', good], env, io)).toBe(0);
    expect(io.lines.join('\n')).toContain('Imported 3 members');
    expect(await isCurrentMember(t.db, 'ada2@example.org', '2026-03-02')).toBe(true);
    expect(await isCurrentMember(t.db, 'ada@example.org', '2026-03-02')).toBe(false);

    const badIo = captureIo();
    expect(await runCli(['members:import', bad], env, badIo)).toBe(1);
    expect(badIo.errors.join('\n')).toContain('line 3: expiry date "31/02/2026" is not a date');
    expect(await isCurrentMember(t.db, 'ada2@example.org', '2026-03-02')).toBe(true);

    const missing = captureIo();
    expect(await runCli(['members:import', path.join(dir, 'nope.csv')], env, missing)).toBe(1);
    expect(missing.errors.join('\n')).toContain('no such file');

    // Any other read failure is not dressed up as a missing file: it reaches the CLI's own error report (status 1).
    await expect(runCli(['members:import', dir], env, captureIo())).rejects.toThrow(/EISDIR/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
