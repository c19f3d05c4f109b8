/**
 * Physical storage of hosted datasets in the node's own store: one table per version
 * (`dsv_<dataset>_<version>`, columns `_rn` + c1…cn), bulk-loaded with COPY — pg-copy-streams on
 * PostgreSQL, `COPY … FROM '/dev/blob'` in bounded chunks on embedded PGlite. Table and column names
 * are generated here, never taken from clients.
 */
import { CompiledQuery, sql } from 'kysely';
import copyStreams from 'pg-copy-streams';
import type { Database, Executor } from '../platform/db/database.js';
import type { DatasetItemRow } from '../platform/db/tables/datasets.js';
import { BINARY_HEADER, BINARY_TRAILER } from './pg-binary.js';
import { type DataType, pgType } from './values.js';

export const versionTable = (datasetId: string, version: number): string =>
  `dsv_${datasetId.replace(/[^a-zA-Z0-9]/g, '').toLowerCase()}_${version}`;

/** The table a load writes before it knows its dataset (import --new-resource); renamed when it does. */
export const scratchTable = (loadId: string): string =>
  `dsl_${loadId.replace(/[^a-zA-Z0-9]/g, '').toLowerCase()}`;

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
    throw new Error(`unsafe identifier ${name}`);
  }
  return `"${name}"`;
};

/** The statements that create a version table and its load-order index. */
function versionTableDdl(table: string, items: DatasetItemRow[]): string[] {
  const cols = items.map((i) => `${ident(i.column)} ${pgType(i.dataType as DataType)}`).join(', ');
  return [
    `create table ${ident(table)} (_rn bigint not null, ${cols})`,
    // The load-order index exists before the rows arrive: the server keeps it up (rows come in _rn order,
    // appended to the rightmost leaf) while the loader is still reading the file, instead of sorting the
    // whole table once the load is done.
    `create index ${ident(`${table}_rn`)} on ${ident(table)} (_rn)`,
  ];
}

export async function createVersionTable(
  db: Executor,
  table: string,
  items: DatasetItemRow[],
): Promise<void> {
  for (const stmt of versionTableDdl(table, items)) {
    await sql.raw(stmt).execute(db);
  }
}

export async function dropTable(db: Executor, table: string): Promise<void> {
  await sql.raw(`drop table if exists ${ident(table)}`).execute(db);
}

export async function renameTable(db: Executor, from: string, to: string): Promise<void> {
  await sql.raw(`alter table ${ident(from)} rename to ${ident(to)}`).execute(db);
  await sql.raw(`alter index if exists ${ident(`${from}_rn`)} rename to ${ident(`${to}_rn`)}`).execute(db);
}

/**
 * Indexes the key items (when there are any) and analyses a loaded version table (its load-order index was
 * made with it); returns its row count (counted unless `known`).
 */
export async function finishVersionTable(
  db: Executor,
  table: string,
  keyColumns: string[] = [],
  known?: number,
): Promise<number> {
  if (keyColumns.length > 0) {
    // Point lookups by key (the governed data API's verify and key filters) use this index.
    await sql
      .raw(`create index ${ident(`${table}_key`)} on ${ident(table)} (${keyColumns.map(ident).join(', ')})`)
      .execute(db);
  }
  await sql.raw(`analyze ${ident(table)}`).execute(db);
  if (known !== undefined) {
    return known;
  }
  const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.id(table)}`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** Copies the rows of `from` into `into`, keeping only rows whose key differs from every row in `except`. */
export async function carryOver(
  db: Executor,
  from: string,
  into: string,
  columns: string[],
  keyColumns: string[],
  except?: string,
): Promise<void> {
  const list = ['_rn', ...columns].map(ident).join(', ');
  const sel = ['_rn', ...columns].map((c) => `f.${ident(c)}`).join(', ');
  const notIn =
    except && keyColumns.length
      ? ` where not exists (select 1 from ${ident(except)} s where ${keyColumns
          .map((k) => `s.${ident(k)} is not distinct from f.${ident(k)}`)
          .join(' and ')})`
      : '';
  await sql
    .raw(`insert into ${ident(into)} (${list}) select ${sel} from ${ident(from)} f${notIn}`)
    .execute(db);
}

/**
 * A COPY target accepting CSV text, or binary COPY rows (`BinaryRowWriter`; the sink adds the file
 * header and trailer); `end()` completes the COPY.
 */
export interface CopySink {
  write(data: string | Buffer): Promise<void>;
  end(): Promise<void>;
  abort(): Promise<void>;
}

const CHUNK = 8 << 20;

/**
 * Opens a COPY into `table`. With `create`, the version table is created first with those items: on
 * PostgreSQL in the COPY's own transaction, so the rows are written frozen (`FREEZE`: no hint bits to set
 * by the ANALYZE and reads that follow) and an aborted load leaves no table behind; the table becomes
 * visible to other sessions when `end()` commits.
 */
export async function openCopySink(
  database: Database,
  table: string,
  columns: string[],
  format: 'csv' | 'binary' = 'csv',
  create?: DatasetItemRow[],
): Promise<CopySink> {
  const list = ['_rn', ...columns].map(ident).join(', ');
  const freeze = create !== undefined && database.pgPool !== undefined;
  const stmt = `COPY ${ident(table)} (${list}) FROM STDIN WITH (FORMAT ${format}${freeze ? ', FREEZE true' : ''})`;
  const binary = format === 'binary';
  if (database.pgPool) {
    const client = await database.pgPool.connect();
    if (create) {
      try {
        await client.query('begin');
        for (const ddl of versionTableDdl(table, create)) {
          await client.query(ddl);
        }
      } catch (e) {
        client.release(e instanceof Error ? e : new Error(String(e)));
        throw e;
      }
    }
    const stream = client.query(copyStreams.from(stmt));
    if (binary) {
      stream.write(BINARY_HEADER);
    }
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    done.catch(() => undefined);
    let released = false;
    const release = (err?: Error) => {
      if (!released) {
        released = true;
        client.release(err);
      }
    };
    return {
      async write(csv) {
        if (!stream.write(csv)) {
          await new Promise<void>((resolve, reject) => {
            const onDrain = () => {
              stream.off('error', onError);
              resolve();
            };
            const onError = (e: Error) => {
              stream.off('drain', onDrain);
              reject(e);
            };
            stream.once('drain', onDrain);
            stream.once('error', onError);
          });
        }
      },
      async end() {
        stream.end(binary ? BINARY_TRAILER : undefined);
        try {
          await done;
          if (create) {
            await client.query('commit');
          }
        } catch (e) {
          // The connection may be inside a failed transaction: it is closed, not pooled.
          release(e instanceof Error ? e : new Error(String(e)));
          throw e;
        }
        release();
      },
      async abort() {
        stream.destroy(new Error('aborted'));
        release(new Error('aborted'));
        await Promise.resolve();
      },
    };
  }
  const pglite = database.pglite;
  if (!pglite) {
    throw new Error('no bulk-load path for this store');
  }
  if (create) {
    await createVersionTable(database.db, table, create);
  }
  const blobStmt = stmt.replace('FROM STDIN', "FROM '/dev/blob'");
  let parts: Array<string | Buffer> = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) {
      return;
    }
    // Each blob is a whole COPY file: binary ones get the header and trailer.
    const blob = new Blob(binary ? [BINARY_HEADER, ...parts, BINARY_TRAILER] : parts);
    parts = [];
    size = 0;
    await pglite.query(blobStmt, [], { blob });
  };
  return {
    async write(csv) {
      parts.push(csv);
      size += csv.length;
      if (size >= CHUNK) {
        await flush();
      }
    },
    end: flush,
    async abort() {
      parts = [];
      size = 0;
      await Promise.resolve();
    },
  };
}

/** Runs a compiled (parameterised) query on the store. */
export async function rawQuery<R>(db: Executor, text: string, params: unknown[]): Promise<R[]> {
  const r = await db.executeQuery<R>(CompiledQuery.raw(text, params));
  return r.rows;
}
