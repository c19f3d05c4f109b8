/**
 * Linked sources: a department's PostgreSQL or MySQL/MariaDB database, queried in place. Each source
 * has its own small pool, statement timeout and circuit breaker, so a source that is down fails fast
 * with a clear error and affects no other dataset.
 */
import mysql from 'mysql2';
import pg from 'pg';
import type { DatasetItemRow } from '../platform/db/tables/datasets.js';
import { AppError } from '../platform/errors.js';
import { buildSelect, type Connector, type Page, type Row, toItemRow } from './connector.js';
import { type Dialect, type Filter, type Order, quoteIdent } from './filter.js';
import { ColumnStats, dataTypeOfSqlType, proposeItem } from './values.js';

export interface SourceSpec {
  id: string;
  kind: 'postgres' | 'mysql';
  host: string;
  port: number;
  database: string;
  username: string;
  password: string | null;
  poolSize?: number | undefined;
  timeoutMs?: number | undefined;
}

export interface SourceColumn {
  name: string;
  sqlType: string;
  nullable: boolean;
}

/** Closed → open after `threshold` consecutive failures; half-open after `coolMs` lets one call through. */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  constructor(
    private readonly threshold = 3,
    private readonly coolMs = 10_000,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.threshold) {
      return 'closed';
    }
    return Date.now() - this.openedAt >= this.coolMs ? 'half-open' : 'open';
  }

  async run<T>(fn: () => Promise<T>, onOpen: () => Error): Promise<T> {
    if (this.state === 'open') {
      throw onOpen();
    }
    try {
      const r = await fn();
      this.failures = 0;
      return r;
    } catch (e) {
      this.failures++;
      if (this.failures >= this.threshold) {
        this.openedAt = Date.now();
      }
      throw e;
    }
  }
}

const unavailable = (spec: SourceSpec, cause?: unknown) =>
  new AppError(503, 'SOURCE_UNAVAILABLE', 'error.sourceUnavailable', {
    params: { source: `${spec.kind}://${spec.host}:${spec.port}/${spec.database}` },
    cause,
  });

/** Rows per batch handed on by a streaming scan. */
const STREAM_BATCH = 10_000;

/** Splits `schema.table` and quotes each part for the dialect. */
export function quoteTable(dialect: Dialect, table: string): string {
  return table
    .split('.')
    .map((p) => quoteIdent(dialect, p))
    .join('.');
}

export abstract class LinkedSource {
  readonly breaker = new CircuitBreaker();
  constructor(readonly spec: SourceSpec) {}
  abstract readonly dialect: Dialect;
  abstract query(sqlText: string, params: unknown[]): Promise<Row[]>;
  abstract stream(sqlText: string, params: unknown[]): AsyncIterable<Row[]>;
  abstract columns(table: string): Promise<SourceColumn[]>;
  abstract tables(): Promise<string[]>;
  abstract close(): Promise<void>;

  protected guard<T>(fn: () => Promise<T>): Promise<T> {
    return this.breaker
      .run(fn, () => unavailable(this.spec))
      .catch((e: unknown) => {
        throw this.classify(e);
      });
  }

  /**
   * Connection-level failures (refused, unreachable, lost, timed out) are the source being down and
   * become SOURCE_UNAVAILABLE naming the source; anything else (a SQL error) is reported as is.
   */
  protected classify(e: unknown): unknown {
    if (e instanceof AppError) {
      return e;
    }
    const code = (e as { code?: string } | null)?.code ?? '';
    if (
      /ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EPIPE|PROTOCOL_CONNECTION_LOST|PROTOCOL_SEQUENCE_TIMEOUT|57014|57P0\d|08\d\d\d/.test(
        code,
      ) ||
      /timeout|Connection terminated|connection error and is not queryable/i.test(String(e))
    ) {
      return unavailable(this.spec, e);
    }
    return e;
  }

  /**
   * Proposes items for a table: one per column, the type mapped from the SQL type, the PII kind and the
   * classification level from a sample of its values (the same detectors as a file import).
   */
  async proposeItems(table: string): Promise<DatasetItemRow[]> {
    const cols = await this.columns(table);
    if (cols.length === 0) {
      throw new AppError(404, 'SOURCE_TABLE_NOT_FOUND', 'error.sourceTableNotFound', { params: { table } });
    }
    const stats = cols.map(() => new ColumnStats());
    const list = cols.map((c) => quoteIdent(this.dialect, c.name)).join(', ');
    const sample = await this.query(
      `select ${list} from ${quoteTable(this.dialect, table)} limit ${PROPOSAL_SAMPLE}`,
      [],
    );
    for (const row of sample) {
      cols.forEach((c, i) => stats[i]?.add(sampleText(row[c.name])));
    }
    return cols.map((c, i) => {
      const seen = proposeItem(c.name, stats[i] as ColumnStats);
      return {
        name: c.name,
        column: c.name,
        dataType: dataTypeOfSqlType(c.sqlType),
        level: seen.level,
        piiKind: seen.piiKind,
      };
    });
  }
}

/** Rows read from a table to propose its items' PII kinds and levels. */
const PROPOSAL_SAMPLE = 500;

function sampleText(v: unknown): string | null {
  if (v === null || v === undefined) {
    return null;
  }
  if (v instanceof Date) {
    return v.toISOString().slice(0, 10);
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean);
}

export class PgSource extends LinkedSource {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  constructor(spec: SourceSpec) {
    super(spec);
    const timeout = spec.timeoutMs ?? 30_000;
    this.pool = new pg.Pool({
      host: spec.host,
      port: spec.port,
      database: spec.database,
      user: spec.username,
      password: spec.password ?? undefined,
      max: spec.poolSize ?? 4,
      connectionTimeoutMillis: Math.min(timeout, 5000),
      statement_timeout: timeout,
      idleTimeoutMillis: 30_000,
    });
    this.pool.on('error', () => undefined);
  }

  query(sqlText: string, params: unknown[]): Promise<Row[]> {
    return this.guard(async () => (await this.pool.query(sqlText, params)).rows as Row[]);
  }

  /** Streams through a server-side cursor in batches (bounded memory). */
  async *stream(sqlText: string, params: unknown[]): AsyncIterable<Row[]> {
    const client = await this.guard(() => this.pool.connect());
    // A checked-out client whose server goes away also emits 'error'; the failing FETCH reports it.
    const ignore = () => undefined;
    client.on('error', ignore);
    let ok = false;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`DECLARE govhub_c NO SCROLL CURSOR FOR ${sqlText}`, params);
      for (;;) {
        const r = await client.query(`FETCH ${STREAM_BATCH} FROM govhub_c`);
        if (r.rows.length) {
          yield r.rows as Row[];
        }
        if (r.rows.length < STREAM_BATCH) {
          break;
        }
      }
      await client.query('COMMIT');
      ok = true;
    } catch (e) {
      throw this.classify(e);
    } finally {
      // A connection that cannot even roll back is broken: destroy it rather than pool it.
      const broken =
        !ok &&
        (await client.query('ROLLBACK').then(
          () => false,
          () => true,
        ));
      client.off('error', ignore);
      client.release(broken);
    }
  }

  async columns(table: string): Promise<SourceColumn[]> {
    const [schema, name] = table.includes('.') ? table.split('.', 2) : ['public', table];
    const rows = await this.query(
      `select column_name as name, data_type as type, is_nullable as nullable from information_schema.columns
       where table_schema = $1 and table_name = $2 order by ordinal_position`,
      [schema, name],
    );
    return rows.map((r) => ({
      name: String(r.name),
      sqlType: String(r.type),
      nullable: r.nullable === 'YES',
    }));
  }

  async tables(): Promise<string[]> {
    const rows = await this.query(
      `select table_schema || '.' || table_name as t from information_schema.tables
       where table_schema not in ('pg_catalog', 'information_schema') order by 1`,
      [],
    );
    return rows.map((r) => String(r.t));
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

export class MysqlSource extends LinkedSource {
  readonly dialect = 'mysql' as const;
  private readonly pool: mysql.Pool;
  private readonly timeout: number;
  constructor(spec: SourceSpec) {
    super(spec);
    this.timeout = spec.timeoutMs ?? 30_000;
    this.pool = mysql.createPool({
      host: spec.host,
      port: spec.port,
      database: spec.database,
      user: spec.username,
      password: spec.password ?? '',
      connectionLimit: spec.poolSize ?? 4,
      connectTimeout: Math.min(this.timeout, 5000),
      dateStrings: true,
      supportBigNumbers: true,
    });
  }

  /** The callback API: no promise wrapper (and no stack capture) per query, unlike `pool.promise()`. */
  query(sqlText: string, params: unknown[]): Promise<Row[]> {
    return this.guard(
      () =>
        new Promise<Row[]>((resolve, reject) => {
          this.pool.query<mysql.RowDataPacket[]>(
            { sql: sqlText, values: params, timeout: this.timeout },
            (err, rows) => (err ? reject(err) : resolve(rows as Row[])),
          );
        }),
    );
  }

  /**
   * Streams rows in batches of `STREAM_BATCH`, collected from the driver's row events (no promise per
   * row). At most two batches wait for the consumer: beyond that the connection is paused, so memory
   * stays bounded whatever the consumer's pace. The timeout is one of inactivity: it restarts with each
   * batch and is off while the consumer, not the source, is the slow side. A consumer that stops early
   * (or a failure) destroys the connection rather than return it to the pool with a result half read.
   */
  async *stream(sqlText: string, params: unknown[]): AsyncIterable<Row[]> {
    const conn = await this.guard(
      () =>
        new Promise<mysql.PoolConnection>((resolve, reject) => {
          this.pool.getConnection((err, c) => (err ? reject(err) : resolve(c)));
        }),
    );
    const ready: Row[][] = [];
    let batch: Row[] = [];
    let done = false;
    let failure: unknown = null;
    let paused = false;
    let wake: (() => void) | null = null;
    let timer: NodeJS.Timeout | undefined;
    const signal = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    const fail = (e: unknown) => {
      if (!done) {
        failure = e;
        done = true;
        signal();
      }
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        fail(Object.assign(new Error('Query inactivity timeout'), { code: 'PROTOCOL_SEQUENCE_TIMEOUT' }));
        conn.destroy();
      }, this.timeout);
    };
    // A connection lost mid-result is reported on the connection, not the query: listen there too.
    const lost = (e?: unknown) =>
      fail(e ?? Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' }));
    conn.on('error', lost);
    conn.on('end', lost);
    const q = conn.query({ sql: sqlText, values: params });
    q.on('result', (row) => {
      batch.push(row as Row);
      if (batch.length >= STREAM_BATCH) {
        ready.push(batch);
        batch = [];
        if (ready.length >= 2) {
          paused = true;
          clearTimeout(timer);
          conn.pause();
        } else {
          arm();
        }
        signal();
      }
    });
    q.on('error', fail);
    q.on('end', () => {
      clearTimeout(timer);
      if (batch.length) {
        ready.push(batch);
        batch = [];
      }
      done = true;
      signal();
    });
    arm();
    let clean = false;
    try {
      for (;;) {
        const b = ready.shift();
        if (b) {
          if (paused && !done) {
            paused = false;
            arm();
            conn.resume();
          }
          yield b;
          continue;
        }
        if (failure !== null) {
          throw this.classify(failure);
        }
        if (done) {
          clean = true;
          return;
        }
        await new Promise<void>((r) => (wake = r));
      }
    } finally {
      clearTimeout(timer);
      conn.off('error', lost);
      conn.off('end', lost);
      if (clean) {
        conn.release();
      } else {
        conn.destroy();
      }
    }
  }

  async columns(table: string): Promise<SourceColumn[]> {
    const [schema, name] = table.includes('.') ? table.split('.', 2) : [this.spec.database, table];
    const rows = await this.query(
      `select column_name as name, column_type as type, is_nullable as nullable from information_schema.columns
       where table_schema = ? and table_name = ? order by ordinal_position`,
      [schema, name],
    );
    return rows.map((r) => ({
      name: String(r.name),
      sqlType: String(r.type),
      nullable: r.nullable === 'YES',
    }));
  }

  async tables(): Promise<string[]> {
    const rows = await this.query(
      `select table_name as t from information_schema.tables where table_schema = ? order by 1`,
      [this.spec.database],
    );
    return rows.map((r) => String(r.t));
  }

  async close(): Promise<void> {
    await this.pool.promise().end();
  }
}

/** Pages up to this many rows are fetched in one round trip; larger ones stream through a cursor. */
export const BUFFERED_LIMIT = 100_000;

export function openSource(spec: SourceSpec): LinkedSource {
  return spec.kind === 'postgres' ? new PgSource(spec) : new MysqlSource(spec);
}

/** A linked dataset: every scan is pushed down to the source (projection, filter, order, limit). */
export class LinkedConnector implements Connector {
  private readonly quoted: string;
  private readonly columnOf: Map<string, string>;
  constructor(
    private readonly source: LinkedSource,
    table: string,
    private readonly items: DatasetItemRow[],
  ) {
    this.quoted = quoteTable(source.dialect, table);
    this.columnOf = new Map(items.map((i) => [i.name, i.column]));
  }

  schema(): DatasetItemRow[] {
    return this.items;
  }

  async *scan(
    items: string[] | undefined,
    filter: Filter | undefined,
    order: Order[],
    page: Page,
  ): AsyncIterable<Row[]> {
    const q = buildSelect(this.source.dialect, this.quoted, this.items, items, filter, order, page);
    const cols = q.names.map((n) => this.columnOf.get(n) as string);
    // Rows come keyed by column; they are re-keyed by item name only where the two differ.
    const same = q.names.every((n, i) => n === cols[i]);
    if (page.limit <= BUFFERED_LIMIT) {
      // Bounded by the page: one round trip, as a bare driver would do it.
      const rows = await this.source.query(q.sql, q.params);
      yield same ? rows : rows.map((r) => toItemRow(r, q.names, cols));
      return;
    }
    for await (const batch of this.source.stream(q.sql, q.params)) {
      yield same ? batch : batch.map((r) => toItemRow(r, q.names, cols));
    }
  }

  async count(filter: Filter | undefined): Promise<number> {
    const q = buildSelect(
      this.source.dialect,
      this.quoted,
      this.items,
      [this.items[0]?.name as string],
      filter,
      [],
      undefined,
    );
    const text = `SELECT count(*) AS n FROM (${q.sql}) t`;
    const rows = await this.source.query(text, q.params);
    return Number(rows[0]?.n ?? 0);
  }
}
