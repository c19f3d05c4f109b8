import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase, type StorageKind } from '../../src/platform/db/database.js';
import { migrateToLatest } from '../../src/platform/db/migrator.js';

/**
 * The storage matrix every medium test runs on: embedded PGlite always, and the PostgreSQL server
 * (GOVHUB_TEST_PG_URL, default the local `test` database) unless GOVHUB_TEST_PG=off.
 */
export const PG_ADMIN_URL = process.env.GOVHUB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function storageKinds(): StorageKind[] {
  return process.env.GOVHUB_TEST_PG === 'off' ? ['embedded'] : ['embedded', 'postgres'];
}

/** A database of its own for one test file: in-memory PGlite, or a fresh PostgreSQL database dropped on close. */
export async function openTestDatabase(
  kind: StorageKind,
  opts: { migrate?: boolean } = {},
): Promise<Database> {
  let database: Database;
  if (kind === 'embedded') {
    database = await openDatabase({ dataDir: 'memory://' });
  } else {
    const name = `govhub_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    const inner = await openDatabase({ databaseUrl: url.toString(), poolSize: 5 });
    database = {
      ...inner,
      close: async () => {
        await inner.close();
        // pool.end() resolves before every socket has closed; let them go before the forced drop, or a
        // closing connection reports "terminating connection due to administrator command".
        await new Promise((r) => setTimeout(r, 100));
        const c = new pg.Client({ connectionString: PG_ADMIN_URL });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  if (opts.migrate !== false) {
    await migrateToLatest(database.db);
  }
  return database;
}
