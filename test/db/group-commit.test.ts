import type { Knex } from 'knex';
import { groupCommit } from '../../src/db/group-commit';
import { ConflictError } from '../../src/lib/errors';
import { createTestDatabase, onPostgres, type TestDatabase } from '../support/db';

let t: TestDatabase;
const begins: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.schema.createTable('probe_rows', (table) => {
    table.increments('id');
    table.string('label').notNullable();
  });
  t.db.on('query', (q: { sql: string }) => {
    if (/^begin/i.test(q.sql.trim())) begins.push(q.sql);
  });
});
afterAll(() => t.destroy());
beforeEach(async () => {
  await t.db('probe_rows').delete();
  begins.length = 0;
});

const insert = (label: string) => async (trx: Knex.Transaction) => {
  await trx('probe_rows').insert({ label });
  return label;
};
const labels = async () => (await t.db('probe_rows').select('label').orderBy('label')).map((r: { label: string }) => r.label);

describe('group commit', () => {
  it('when units of work for one event arrive together, then each gets its own answer once they are committed, in one transaction', async () => {
    const writer = groupCommit(t.db);

    const answers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((label) => writer.run('event-1', insert(label))));

    expect(answers).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(await labels()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(begins).toHaveLength(1);
  });

  it('when work for different events arrives together, then PostgreSQL gives each event its own transaction and SQLite, one writer, shares one', async () => {
    const writer = groupCommit(t.db);

    await Promise.all([writer.run('event-1', insert('x1')), writer.run('event-2', insert('y1')), writer.run('event-1', insert('x2')), writer.run('event-2', insert('y2'))]);

    expect(await labels()).toEqual(['x1', 'x2', 'y1', 'y2']);
    expect(begins).toHaveLength(onPostgres ? 2 : 1);
  });

  it('when one unit fails after writing, then its writes are undone, it alone gets the error, and the others are committed', async () => {
    const writer = groupCommit(t.db);
    const failing = async (trx: Knex.Transaction) => {
      await trx('probe_rows').insert({ label: 'half-done' });
      throw new ConflictError('already_booked', 'This email address is already registered for this event.');
    };

    const outcomes = await Promise.allSettled([writer.run('event-1', insert('first')), writer.run('event-1', failing), writer.run('event-1', insert('last'))]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'already_booked' });
    expect(await labels()).toEqual(['first', 'last']);
  });

  it('when work keeps arriving while a transaction runs, then it waits for the next one and nothing is lost', async () => {
    const writer = groupCommit(t.db, 4);
    const first = Array.from({ length: 10 }, (_, i) => writer.run('event-1', insert(`w${String(i).padStart(2, '0')}`)));
    await new Promise((resolve) => setImmediate(resolve));
    const second = Array.from({ length: 10 }, (_, i) => writer.run('event-1', insert(`w${String(i + 10).padStart(2, '0')}`)));

    await Promise.all([...first, ...second]);

    expect(await labels()).toEqual(Array.from({ length: 20 }, (_, i) => `w${String(i).padStart(2, '0')}`));
    expect(begins.length).toBeLessThan(20);
  });
});
