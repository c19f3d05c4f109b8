import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { StorageKind } from '../src/platform/db/database.js';

/**
 * Where one suite keeps its data: a fresh database on the DATABASE_URL server (dropped afterwards),
 * or a fresh temporary PGlite data directory (removed afterwards). Nothing a suite writes survives it.
 */
export interface BenchStore {
  kind: StorageKind;
  /** The fresh database's URL (postgres), else undefined. */
  databaseUrl: string | undefined;
  /** The temporary data directory (embedded), else unused. */
  dataDir: string;
  drop(): Promise<void>;
}

export function storageKind(): StorageKind {
  return process.env.DATABASE_URL ? 'postgres' : 'embedded';
}

async function admin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createBenchStore(label: string): Promise<BenchStore> {
  const serverUrl = process.env.DATABASE_URL;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `govhub-bench-${label}-`));
  const removeDir = () => fs.rm(dataDir, { recursive: true, force: true });
  if (!serverUrl) {
    return { kind: 'embedded', databaseUrl: undefined, dataDir, drop: removeDir };
  }
  const name = `govhub_bench_${label}_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      await admin(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
      await removeDir();
    },
  };
}

/** Runs fn with a fresh store and always drops it, also when fn fails. */
export async function withBenchStore<T>(label: string, fn: (store: BenchStore) => Promise<T>): Promise<T> {
  const store = await createBenchStore(label);
  try {
    return await fn(store);
  } finally {
    await store.drop();
  }
}
