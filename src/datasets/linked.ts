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
        if (e instanceof AppError) {
          throw e;
        }
        const code = (e as { code?: string }).code ?? '';
        // Connection-level failures are the source being down; anything else is reported as is.
        if (
          /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|PROTOCOL_CONNECTION_LOST|57014|08\d\d\d/.test(
            code,
          ) ||
          /timeout/i.test(String(e))
        ) {
          throw unavailable(this.spec, e);
        }
        throw e;
      });
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
    let ok = false;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`DECLARE govhub_c NO SCROLL CURSOR FOR ${sqlText}`, params);
      for (;;) {
        const r = await client.query('FETCH 10000 FROM govhub_c');
        if (r.rows.length) {
          yield r.rows as Row[];
        }
        if (r.rows.length < 10000) {
          break;
        }
      }
      await client.query('COMMIT');
      ok = true;
    } finally {
      if (!ok) {
        await client.query('ROLLBACK').catch(() => undefined);
      }
      client.release();
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

  query(sqlText: string, params: unknown[]): Promise<Row[]> {
    return this.guard(() =>
      this.pool
        .promise()
        .query({ sql: sqlText, values: params, timeout: this.timeout })
        .then(([rows]) => rows as Row[]),
    );
  }

  async *stream(sqlText: string, params: unknown[]): AsyncIterable<Row[]> {
    const conn = await this.guard(
      () =>
        new Promise<mysql.PoolConnection>((resolve, reject) => {
          this.pool.getConnection((err, c) => (err ? reject(err) : resolve(c)));
        }),
    );
    try {
      const s = conn
        .query({ sql: sqlText, values: params, timeout: this.timeout })
        .stream({ highWaterMark: 10000 });
      let batch: Row[] = [];
      for await (const row of s as AsyncIterable<Row>) {
        batch.push(row);
        if (batch.length >= 10000) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) {
        yield batch;
      }
    } finally {
      conn.release();
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
  constructor(
    private readonly source: LinkedSource,
    private readonly table: string,
    private readonly items: DatasetItemRow[],
  ) {}

  schema(): DatasetItemRow[] {
    return this.items;
  }

  async *scan(
    items: string[] | undefined,
    filter: Filter | undefined,
    order: Order[],
    page: Page,
  ): AsyncIterable<Row[]> {
    const d = this.source.dialect;
    const q = buildSelect(d, quoteTable(d, this.table), this.items, items, filter, order, page);
    const cols = q.names.map((n) => this.items.find((i) => i.name === n)?.column as string);
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
    const d = this.source.dialect;
    const q = buildSelect(
      d,
      quoteTable(d, this.table),
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
