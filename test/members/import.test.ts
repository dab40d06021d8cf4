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

/** Uploads, then confirms the preview as the organiser would; answers the page after the redirect. */
async function uploadAndConfirm(csv: string) {
  const preview = await upload(csv).expect(200);
  const action = /action="(\/admin\/members\/import\/\d+\/apply)"/.exec(preview.text)?.[1];
  if (!action) throw new Error(`no preview: ${preview.text.slice(0, 500)}`);
  const applied = await organiser.agent.post(action).type('form').send({ _csrf: organiser.csrf }).expect(303);
  return organiser.agent.get(applied.headers.location).expect(200);
}

function captureIo(): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), prompt: async () => '' };
}

describe('importing the member list in the browser', () => {
  it('when a valid file is uploaded, then every member is stored, and the page shows counts, soon-to-expire and expired', async () => {
    const res = await uploadAndConfirm(VALID);
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

  it('when rows hold a NUL, an ESC or a right-to-left override, then nothing is imported and each line names the column and the character', async () => {
    const before = await t.db('members').select('email_normalised').orderBy('id');
    const csv = ['Email,Name,Membership Number,Expiry Date', 'nul@example.org,Nul\u0000Person,RSS-020,2026-12-31', 'esc@example.org,Esc Person,RSS-\u001b021,2026-12-31', 'rlo@example.org,Evil \u202Efdp.exe,RSS-022,2026-12-31'].join('\n');

    const res = await upload(csv);

    expect(res.status).toBe(422);
    expect(res.text).toContain('Nothing was imported');
    expect(res.text).toMatch(/<th scope="row">2<\/th><td>name: contains an invisible control character \(U\+0000\); remove it<\/td>/);
    expect(res.text).toMatch(/<th scope="row">3<\/th><td>membership number: contains an invisible control character \(U\+001B\); remove it<\/td>/);
    expect(res.text).toMatch(/<th scope="row">4<\/th><td>name: contains an invisible text-direction control \(U\+202E\)/);
    expect(await t.db('members').select('email_normalised').orderBy('id')).toEqual(before);
  });

  it('when the file is not UTF-8 (Windows-1252 from Excel), then nothing is imported and the page says to save it as CSV UTF-8', async () => {
    const before = await t.db('members').select('email_normalised').orderBy('id');
    // "Zoë" in Windows-1252 is 5A 6F EB: not UTF-8, and would otherwise be stored as "Zo\uFFFD".
    const bytes = Buffer.concat([Buffer.from('Email,Name,Membership Number,Expiry Date\nzoe@example.org,Zo'), Buffer.from([0xeb]), Buffer.from(' Lee,RSS-030,2026-12-31\n')]);

    const res = await organiser.agent.post('/admin/members/import').field('_csrf', organiser.csrf).attach('file', bytes, { filename: 'members.csv', contentType: 'text/csv' });

    expect(res.status).toBe(422);
    expect(res.text).toContain('The file is not UTF-8 text');
    expect(res.text).toContain('CSV UTF-8 (Comma delimited)');
    expect(await t.db('members').select('email_normalised').orderBy('id')).toEqual(before);
  });

  it('when names are typed with combining accents and spaces around them, then they are stored trimmed and in NFC', async () => {
    await uploadAndConfirm(['Email,Name,Membership Number,Expiry Date', 'zoe@example.org,  Zoe\u0308 Lee  ,RSS-040,2026-12-31'].join('\n'));
    expect((await t.db('members').where({ email_normalised: 'zoe@example.org' }).first()).name).toBe('Zo\u00EB Lee');
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

    const latin1 = path.join(dir, 'latin1.csv');
    fs.writeFileSync(latin1, Buffer.from('Email,Name,Membership Number,Expiry Date\nzoe@example.org,Zo\u00EB,RSS-1,2026-12-31\n', 'latin1'));
    const latin1Io = captureIo();
    expect(await runCli(['members:import', latin1], env, latin1Io)).toBe(1);
    expect(latin1Io.errors.join('\n')).toContain('The file is not UTF-8 text');
    expect(await isCurrentMember(t.db, 'ada2@example.org', '2026-03-02')).toBe(true);

    // Any other read failure is not dressed up as a missing file: it reaches the CLI's own error report (status 1).
    await expect(runCli(['members:import', dir], env, captureIo())).rejects.toThrow(/EISDIR/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
