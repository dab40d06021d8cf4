import { createStaff, signIn, startWithOrganiser, type OrganiserApp, type SignedIn } from '../admin/helpers';
import type { TestApp } from '../support/app';
import { CLI_ACTOR } from '../../src/admin/audit/log';
import { undoMemberImport } from '../../src/members/service';

let t: TestApp;
let organiser: SignedIn;
let app: OrganiserApp;

beforeAll(async () => {
  app = await startWithOrganiser();
  ({ t, organiser } = app);
});
afterAll(() => app.close());
beforeEach(async () => {
  await t.db('member_imports').delete();
  await t.db('members').delete();
});

const HEADER = 'Email,Name,Membership Number,Expiry Date';
// TEST_NOW is 2026-03-02: 2026-01-31 has expired.
const FIRST = [HEADER, 'ada@example.org,Ada Lovelace,RSS-001,2026-12-31', 'flo@example.org,Florence Nightingale,RSS-002,2026-12-31', 'john@example.org,John Snow,RSS-003,2026-12-31'].join('\n');
const SECOND = [HEADER, 'ada@example.org,Ada Lovelace,RSS-001,2027-12-31', 'flo@example.org,Florence Nightingale,RSS-002,2026-12-31', 'mary@example.org,Mary Seacole,RSS-004,2026-01-31', 'will@example.org,William Farr,RSS-005,2026-12-31'].join('\n');

const upload = (csv: string, who: SignedIn = organiser) =>
  who.agent.post('/admin/members/import').field('_csrf', who.csrf).attach('file', Buffer.from(csv, 'utf8'), { filename: 'members.csv', contentType: 'text/csv' });
const actionIn = (html: string, kind: 'apply' | 'undo') => new RegExp(`action="(/admin/members/import/\\d+/${kind})"`).exec(html)?.[1] as string;
const post = (path: string, who: SignedIn = organiser) => who.agent.post(path).type('form').send({ _csrf: who.csrf });
const emails = async () => (await t.db('members').orderBy('email_normalised').select('email_normalised')).map((r) => r.email_normalised);

async function importNow(csv: string) {
  const preview = await upload(csv).expect(200);
  await post(actionIn(preview.text, 'apply')).expect(303);
}

describe('importing the member list: preview, confirm, undo', () => {
  it('when a new list is uploaded, then the page shows how many are added, removed, changed and expired, and nothing changes until it is confirmed', async () => {
    await importNow(FIRST);

    const preview = await upload(SECOND);

    expect(preview.status).toBe(200);
    const count = (name: string) => new RegExp(`<dd data-count="${name}">(\\d+)</dd>`).exec(preview.text)?.[1];
    expect([count('added'), count('removed'), count('changed'), count('expired')]).toEqual(['2', '1', '1', '1']);
    expect(preview.text).toContain('<strong>Removed, for example:</strong> John Snow (john@example.org).');
    expect(preview.text).toContain('Import 4 members and replace the list');
    expect(await emails()).toEqual(['ada@example.org', 'flo@example.org', 'john@example.org']);

    const applied = await post(actionIn(preview.text, 'apply')).expect(303);
    const page = await organiser.agent.get(applied.headers.location).expect(200);
    expect(page.text).toContain('Imported 4 members.');
    expect(await emails()).toEqual(['ada@example.org', 'flo@example.org', 'mary@example.org', 'will@example.org']);
  });

  it('when the import is undone, then the previous list is back whole, with its expiry dates, and it cannot be undone twice', async () => {
    await importNow(FIRST);
    await importNow(SECOND);
    const page = await organiser.agent.get('/admin/members').expect(200);

    const undone = await post(actionIn(page.text, 'undo')).expect(303);

    expect((await organiser.agent.get(undone.headers.location)).text).toContain('Import undone: the previous list of 3 members is back.');
    expect(await emails()).toEqual(['ada@example.org', 'flo@example.org', 'john@example.org']);
    expect((await t.db('members').where({ email_normalised: 'ada@example.org' }).first()).expires_on).toBe('2026-12-31');
    const again = await post(actionIn(page.text, 'undo'));
    expect(again.status).toBe(409);
    expect(again.text).toContain('can no longer be undone');
    expect(await emails()).toEqual(['ada@example.org', 'flo@example.org', 'john@example.org']);
    expect((await organiser.agent.get('/admin/members')).text).not.toContain('Undo the last import');
  });

  it('when restoring the previous list fails half-way, then nothing of the undo remains: the list and the import are as they were', async () => {
    await importNow(FIRST);
    await importNow(SECOND);
    // The kept list's second row is damaged (no email): restoring fails after the current list was deleted and the import marked undone.
    const row = await t.db('member_imports').where({ status: 'applied' }).whereNotNull('previous_rows').first();
    const kept = JSON.parse(row.previous_rows);
    kept[1].email = null;
    await t.db('member_imports').where({ id: row.id }).update({ previous_rows: JSON.stringify(kept) });

    await expect(undoMemberImport(t.db, CLI_ACTOR, row.id, t.clock.now())).rejects.toThrow();

    expect(await emails()).toEqual(['ada@example.org', 'flo@example.org', 'mary@example.org', 'will@example.org']);
    expect((await t.db('member_imports').where({ id: row.id }).first()).status).toBe('applied');
  });

  it('when Import is pressed twice, or an older preview is confirmed after a newer upload, then the list is replaced once and the stale one is refused', async () => {
    await importNow(FIRST);
    const older = await upload(SECOND).expect(200);
    const newer = await upload(FIRST.replace('John Snow', 'John Snow Jr')).expect(200);
    const stale = await post(actionIn(older.text, 'apply'));
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('a newer upload or import replaced it');
    const [a, b] = await Promise.all([post(actionIn(newer.text, 'apply')), post(actionIn(newer.text, 'apply'))]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    expect((await t.db('members').where({ email_normalised: 'john@example.org' }).first()).name).toBe('John Snow Jr');
  });

  it('when staff look a member up, then they see the match with whether the membership is current', async () => {
    await importNow(SECOND);
    const page = await organiser.agent.get('/admin/members?q=seacole').expect(200);
    expect(page.text).toContain('<li><strong>Mary Seacole</strong> · mary@example.org · RSS-004<br><span class="member-expired">Expired Saturday 31 January 2026</span></li>');
    const byNumber = await organiser.agent.get('/admin/members?q=rss-005').expect(200);
    expect(byNumber.text).toContain('Current, to Thursday 31 December 2026');
    const none = await organiser.agent.get('/admin/members?q=nobody%25').expect(200);
    expect(none.text).toContain('No member matches “nobody%”.');
  });

  it('when a treasurer looks a member up, then they see the match but no import or undo; posting either anyway is 403 and nothing changes', async () => {
    await importNow(FIRST);
    await importNow(SECOND);
    const preview = await upload(FIRST).expect(200);
    const undo = actionIn((await organiser.agent.get('/admin/members')).text, 'undo');
    const treasurer = await signIn(app.server, (await createStaff(t, 'treasurer')).email);
    const page = await treasurer.agent.get('/admin/members?q=ada').expect(200);
    expect(page.text).toContain('<strong>Ada Lovelace</strong> · ada@example.org');
    expect(page.text).not.toContain('Import the member list');
    expect(page.text).not.toContain('Undo the last import');
    await post(actionIn(preview.text, 'apply'), treasurer).expect(403);
    await post(undo, treasurer).expect(403);
    expect(await emails()).toEqual(['ada@example.org', 'flo@example.org', 'mary@example.org', 'will@example.org']);
  });
});
