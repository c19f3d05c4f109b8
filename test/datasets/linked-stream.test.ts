import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openSource, type LinkedSource } from '../../src/datasets/linked.js';
import { AppError } from '../../src/platform/errors.js';
import { PG_ADMIN_URL } from '../support/db.js';

/**
 * Streaming scans from linked sources, at the source level, against the PostgreSQL and MariaDB servers:
 * a consumer that stops early leaves the (one-connection) pool usable, and a source that dies in the
 * middle of a stream ends it with a clear SOURCE_UNAVAILABLE error rather than a short, silent result.
 * The sources' timeout is long, so the loss itself, not the inactivity timeout, must end the stream.
 */
const pgUrl = new URL(PG_ADMIN_URL);
const ROWS = 200_000;
const open = (kind: 'postgres' | 'mysql'): LinkedSource =>
  openSource(
    kind === 'postgres'
      ? {
          id: 'stream-pg',
          kind,
          host: pgUrl.hostname,
          port: Number(pgUrl.port || 5432),
          database: pgUrl.pathname.slice(1),
          username: decodeURIComponent(pgUrl.username),
          password: decodeURIComponent(pgUrl.password) || null,
          poolSize: 1,
          timeoutMs: 60_000,
        }
      : {
          id: 'stream-my',
          kind,
          host: '127.0.0.1',
          port: 3306,
          database: 'test',
          username: 'root',
          password: null,
          poolSize: 1,
          timeoutMs: 60_000,
        },
  );
// Wide rows (≈ 40 MB in all), so the stream cannot have been buffered whole by the time it is cut.
const wide = (kind: 'postgres' | 'mysql') =>
  kind === 'postgres'
    ? `select g as id, repeat('x', 200) as pad from generate_series(1, ${ROWS}) g`
    : `select seq as id, repeat('x', 200) as pad from seq_1_to_${ROWS}`;

for (const kind of ['postgres', 'mysql'] as const) {
  describe(`linked ${kind} streams`, () => {
    const source = open(kind);
    const killer = open(kind);
    after(async () => {
      await source.close();
      await killer.close();
    });

    test(
      'a consumer that stops after the first batch leaves the pool usable',
      { timeout: 120_000 },
      async () => {
        let seen = 0;
        for await (const batch of source.stream(wide(kind), [])) {
          seen += batch.length;
          break;
        }
        assert.ok(seen > 0 && seen < ROWS);
        // The pool has one connection: this only answers if the stream gave it back in a usable state.
        const [r] = await source.query('select 1 as one', []);
        assert.equal(Number(r?.one), 1);
        let all = 0;
        for await (const batch of source.stream(wide(kind), [])) {
          all += batch.length;
        }
        assert.equal(all, ROWS);
      },
    );

    test(
      'a source that dies mid-stream ends the stream with SOURCE_UNAVAILABLE',
      { timeout: 120_000 },
      async () => {
        let seen = 0;
        const read = async () => {
          for await (const batch of source.stream(wide(kind), [])) {
            if (seen === 0) {
              // Cut the streaming session from the server side, as a restart or a network cut would.
              if (kind === 'postgres') {
                await killer.query(
                  `select pg_terminate_backend(pid) from pg_stat_activity
                 where pid <> pg_backend_pid() and query like 'FETCH%govhub_c%'`,
                  [],
                );
              } else {
                const ids = await killer.query(
                  `select id from information_schema.processlist where info like 'select seq as id%'`,
                  [],
                );
                for (const { id } of ids) {
                  await killer.query(`kill ${Number(id)}`, []);
                }
              }
            }
            seen += batch.length;
          }
        };
        await assert.rejects(
          read(),
          (e: unknown) => e instanceof AppError && e.code === 'SOURCE_UNAVAILABLE',
        );
        assert.ok(seen < ROWS);
        // The source recovers: the pool opens a fresh connection.
        const [r] = await source.query('select 1 as one', []);
        assert.equal(Number(r?.one), 1);
      },
    );
  });
}
