import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/** Distinct SQL texts kept prepared: every query the gateway runs is far fewer; multi-row inserts vary with their rows. */
const DEFAULT_CAPACITY = 256;

/**
 * `database` for Kysely's SQLite dialect, with each SQL text prepared once and its statement reused.
 * Kysely's driver calls `prepare` for every query it runs, and SQLite parsing and planning the same
 * text again costs about as much as running a small statement (the audit log's group commits and the
 * anchor's reads, on the event loop for every message relayed: docs/benchmarks.md). A statement still
 * busy (an iteration open on it) is not shared: the query gets a fresh one, as it would without the
 * cache. The least recently used statement is forgotten beyond `capacity`; SQLite re-prepares a kept
 * one by itself after a schema change (`sqlite3_prepare_v2`).
 */
export function withStatementCache(database: Database, capacity = DEFAULT_CAPACITY): SqliteDatabase {
  const prepared = new Map<string, Statement>();
  return {
    prepare(sql) {
      const kept = prepared.get(sql);
      if (kept !== undefined && !kept.busy) {
        // Map keeps insertion order: moving the statement to the end makes the first the least recently used.
        prepared.delete(sql);
        prepared.set(sql, kept);
        return kept;
      }
      const statement = database.prepare(sql);
      if (kept === undefined) {
        prepared.set(sql, statement);
        if (prepared.size > capacity) prepared.delete(prepared.keys().next().value as string);
      }
      return statement;
    },
    close() {
      prepared.clear();
      database.close();
    },
  };
}
