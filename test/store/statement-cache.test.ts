import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type Generated } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from '../../src/store/statement-cache.js';

interface Tables {
  pupils_seen: { id: Generated<number>; name: string };
}

const opened: Database.Database[] = [];

function memoryDatabase(): Database.Database {
  const database = new Database(':memory:');
  database.exec('create table pupils_seen (id integer primary key, name text not null)');
  opened.push(database);
  return database;
}

afterEach(() => {
  for (const database of opened.splice(0)) if (database.open) database.close();
});

describe('withStatementCache', () => {
  it('prepares each SQL text once and hands the same statement back', () => {
    const cached = withStatementCache(memoryDatabase());
    const first = cached.prepare('select count(*) as n from pupils_seen');
    expect(cached.prepare('select count(*) as n from pupils_seen')).toBe(first);
    expect(cached.prepare('select name from pupils_seen')).not.toBe(first);
  });

  it('gives a fresh statement while the kept one is busy, so a query inside an open iteration still runs', () => {
    const database = memoryDatabase();
    database.prepare('insert into pupils_seen (name) values (?), (?)').run('Amara Quill', 'Tobias Fenwick');
    const cached = withStatementCache(database);
    const text = 'select name from pupils_seen order by id';
    const outer = cached.prepare(text);
    const names: string[][] = [];
    for (const row of outer.iterate([]) as IterableIterator<{ name: string }>) {
      const inner = cached.prepare(text);
      expect(inner).not.toBe(outer);
      names.push([row.name, ...(inner.all([]) as { name: string }[]).map((each) => each.name)]);
    }
    expect(names).toEqual([
      ['Amara Quill', 'Amara Quill', 'Tobias Fenwick'],
      ['Tobias Fenwick', 'Amara Quill', 'Tobias Fenwick'],
    ]);
    // Once the iteration ended the kept statement serves again.
    expect(cached.prepare(text)).toBe(outer);
  });

  it('forgets the least recently used text beyond its capacity', () => {
    const cached = withStatementCache(memoryDatabase(), 2);
    const a = cached.prepare('select 1');
    const b = cached.prepare('select 2');
    expect(cached.prepare('select 1')).toBe(a);
    cached.prepare('select 3');
    expect(cached.prepare('select 1')).toBe(a);
    expect(cached.prepare('select 2')).not.toBe(b);
  });

  it('serves Kysely: reads see the writes made with reused statements, and close closes the database', async () => {
    const database = memoryDatabase();
    const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    for (const name of ['Amara Quill', 'Tobias Fenwick', 'Iris Pembleton']) {
      await db.insertInto('pupils_seen').values({ name }).execute();
      const count = await db.selectFrom('pupils_seen').select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
      expect(count.n).toBe(
        await db
          .selectFrom('pupils_seen')
          .selectAll()
          .execute()
          .then((rows) => rows.length),
      );
    }
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('pupils_seen').where('name', '=', 'Tobias Fenwick').execute();
    });
    expect((await db.selectFrom('pupils_seen').select('name').orderBy('id').execute()).map((row) => row.name)).toEqual(['Amara Quill', 'Iris Pembleton']);
    await db.destroy();
    expect(database.open).toBe(false);
  });
});
