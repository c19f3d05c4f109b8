import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { AppError } from '../errors.js';
import { namePreparedStatements } from './prepared.js';
import type { DB } from './schema.js';

export type Db = Kysely<DB>;
/** An explicit executor: repositories take either the root handle or the current transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;

export type StorageKind = 'embedded' | 'postgres';

export interface Database {
  db: Db;
  kind: StorageKind;
  /** Where the data lives, for logs and `govhub` status output (never includes a password). */
  location: string;
  /** The embedded engine, when kind is 'embedded' (backup needs it). */
  pglite: PGlite | undefined;
  /** The server pool, when kind is 'postgres' (bulk loads need a raw client for COPY). */
  pgPool?: pg.Pool | undefined;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** Embedded data directory; `memory://` keeps everything in memory (tests). */
  dataDir?: string;
  poolSize?: number;
  /** Called when an idle pooled connection fails (logged by the server; ignored by default). */
  onIdleError?: (err: Error) => void;
}

// int8 (bigint ids, counts) as JS numbers: ids stay far below 2^53 and numbers serialise to JSON.
const pgTypes = {
  getTypeParser: (oid: number, format?: unknown) =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
};

/** Runs PGlite's initdb for a new data directory in a child process (see pglite-init.ts). */
async function initDataDirInChild(dataDir: string): Promise<void> {
  const exists = await fs
    .access(path.join(dataDir, 'PG_VERSION'))
    .then(() => true)
    .catch(() => false);
  if (exists) {
    return;
  }
  const script = fileURLToPath(new URL('./pglite-init.js', import.meta.url));
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [script, dataDir], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    throw new AppError(500, 'STORAGE_INIT_FAILED', 'error.storageInitFailed', { params: { dir: dataDir } });
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) {
      u.password = '***';
    }
    return u.toString();
  } catch {
    return 'postgres://(unparseable url)';
  }
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      types: pgTypes,
      connectionTimeoutMillis: 10_000,
    });
    // An idle client losing its server (restart, failover, admin termination) must not crash the
    // process: the pool drops it, and the next query opens a new connection or reports the outage.
    pool.on('error', (err) => opts.onIdleError?.(err));
    // Texts marked with prepared() run as named statements on every pooled connection (prepared.ts).
    pool.on('connect', (client) => namePreparedStatements(client));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: 'postgres',
      location: redactUrl(opts.databaseUrl),
      pglite: undefined,
      pgPool: pool,
      close: () => db.destroy(),
    };
  }
  const dataDir = opts.dataDir ?? './govhub-data';
  if (!dataDir.startsWith('memory://')) {
    await fs.mkdir(dataDir, { recursive: true });
    await initDataDirInChild(dataDir);
  }
  const pglite = await PGlite.create(dataDir, { parsers: { 20: (v: string) => Number(v) } });
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
  return {
    db,
    kind: 'embedded',
    location: dataDir,
    pglite,
    close: async () => {
      await db.destroy();
      if (!pglite.closed) {
        await pglite.close();
      }
    },
  };
}

/** True when the store answers a trivial query (health checks). */
export async function pingDatabase(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
