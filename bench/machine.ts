import fs from 'node:fs/promises';
import os from 'node:os';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { ROOT } from './paths.js';

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  postgres: string;
}

async function pgliteVersion(): Promise<string> {
  const pkg = JSON.parse(
    await fs.readFile(`${ROOT}/node_modules/@electric-sql/pglite/package.json`, 'utf8'),
  ) as { version: string };
  const pglite = await PGlite.create('memory://');
  try {
    const { rows } = await pglite.query<{ server_version: string }>('show server_version');
    return `PGlite ${pkg.version} (PostgreSQL ${rows[0]?.server_version ?? 'unknown'})`;
  } finally {
    await pglite.close();
  }
}

async function serverVersion(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    return `PostgreSQL ${rows[0]?.server_version ?? 'unknown'}`;
  } finally {
    await client.end();
  }
}

/** The machine and the database engine the figures were taken on. */
export async function machineInfo(databaseUrl: string | undefined): Promise<MachineInfo> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    postgres: databaseUrl ? await serverVersion(databaseUrl) : await pgliteVersion(),
  };
}
