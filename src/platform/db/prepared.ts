/**
 * Server-side prepared statements for a few hot queries (PostgreSQL). A query text marked with
 * `prepared()` runs as a named statement: each pooled connection parses and plans it once, later calls
 * only bind and execute (on the governed data API's point lookup this cut the database's CPU per call by
 * about two thirds). Everything else runs as before, unnamed. PGlite ignores the marks.
 *
 * The marks are global and bounded: a text gets a name the second time it is marked (one-off texts never
 * do), and at most MAX_PREPARED texts per process get one (texts built per dataset and filter shape stay
 * few in practice; past the bound they simply run unnamed), so a connection never holds more than that
 * many statements. PostgreSQL re-plans a prepared statement by
 * itself when a table it reads is altered or replaced; texts meant for it name their columns (no `*`),
 * so such a change cannot alter a statement's result type.
 */
import type pg from 'pg';

export const MAX_PREPARED = 200;

const names = new Map<string, string>();
/** Texts marked once so far (bounded: cleared when full). */
const seen = new Set<string>();

/** Marks a query text (with `$n` parameters) to run as a prepared statement; returns the text. */
export function prepared(text: string): string {
  if (names.size >= MAX_PREPARED || names.has(text)) {
    return text;
  }
  if (seen.delete(text)) {
    names.set(text, `gh_${names.size}`);
  } else {
    if (seen.size >= 1000) {
      seen.clear();
    }
    seen.add(text);
  }
  return text;
}

type QueryFn = (...args: unknown[]) => unknown;

/**
 * Makes a pooled client run marked texts as named statements (called once per new connection). Only the
 * `query(text, values)` form is affected; config objects, cursors and simple queries pass through.
 */
export function namePreparedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as QueryFn;
  (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && args.length === 2) {
      const name = names.get(text);
      if (name !== undefined) {
        return query({ name, text, values });
      }
    }
    return query(...args);
  };
}
