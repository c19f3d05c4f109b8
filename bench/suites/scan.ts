/**
 * Bench suite `scan`: a 100k-row push-down stream (projection + filter + order, the unbounded export
 * path the data API's stream takes) from a linked MariaDB and PostgreSQL table through the connector,
 * and point queries, each against the bare driver doing the same in the same run.
 *
 * Like with like: the bare side sends exactly the SQL text and parameters the connector generates
 * (taken from `buildSelect`, outside the timed part), gets rows as the driver's own objects, and both
 * sides hand every row to the same sink, which reads each projected value. Rounds alternate which side
 * goes first, so load from other processes falls on both; each figure is the median over the rounds.
 *
 * Metrics per source (`postgres_…`, `mariadb_…`): rows_per_s / bare_rows_per_s / ratio for the stream,
 * point_per_s / bare_point_per_s / point_ratio for point queries, and the client CPU time of each side
 * (cpu_us_per_row, bare_cpu_us_per_row, point_cpu_us, bare_point_cpu_us), which is what our code adds.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { buildSelect, type Row } from '../../src/datasets/connector.js';
import type { Filter, Order } from '../../src/datasets/filter.js';
import { LinkedConnector, openSource, quoteTable, type LinkedSource } from '../../src/datasets/linked.js';
import type { DatasetItemRow } from '../../src/platform/db/tables/datasets.js';

const PG_URL = process.env.GOVHUB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = Number(process.env.BENCH_SCAN_ROWS ?? 100_000);
const POINTS = Number(process.env.BENCH_SCAN_POINTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_SCAN_ROUNDS ?? 5);

const ITEMS: DatasetItemRow[] = [
  { name: 'id', column: 'id', dataType: 'I', level: 'core', piiKind: null },
  { name: 'name', column: 'name', dataType: 'C', level: 'core', piiKind: 'name' },
  { name: 'district', column: 'district', dataType: 'C', level: 'general', piiKind: null },
  { name: 'score', column: 'score', dataType: 'I', level: 'general', piiKind: null },
];
const PROJECTION = ['id', 'name', 'score'];
const STREAM_FILTER: Filter = { op: 'gte', item: 'score', value: 0 };
const STREAM_ORDER: Order[] = [{ item: 'id', desc: false }];
/** The data API's stream asks for everything the grant allows: the connector's streaming path. */
const STREAM_LIMIT = Number.MAX_SAFE_INTEGER;
const pointId = (i: number) => (i * 37) % ROWS;
const pointFilter = (i: number): Filter => ({ op: 'eq', item: 'id', value: pointId(i) });

/** The output work both sides do per row: read every projected value (as a serializer would). */
let checksum = 0;
function sink(rows: Row[]): number {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    for (let k = 0; k < PROJECTION.length; k++) {
      const v = r[PROJECTION[k]!];
      checksum += typeof v === 'number' ? 1 : typeof v === 'string' ? v.length : 0;
    }
  }
  return rows.length;
}

interface Side {
  wallMs: number;
  cpuUs: number;
}

async function timed(fn: () => Promise<number>): Promise<Side & { n: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const n = await fn();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { n, wallMs, cpuUs: c.user + c.system };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Runs both sides `ROUNDS` times, alternating which goes first; medians of wall and CPU time. */
async function pair(
  ours: () => Promise<number>,
  bare: () => Promise<number>,
  expect: number,
): Promise<{ ours: Side; bare: Side }> {
  await ours(); // warm-up: pools connected, statements and row parsers compiled
  await bare();
  const o: Side[] = [];
  const b: Side[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2 === 0 ? ours : bare;
    const second = r % 2 === 0 ? bare : ours;
    const x = await timed(first);
    const y = await timed(second);
    for (const s of [x, y]) {
      if (s.n !== expect) {
        throw new Error(`scan bench: expected ${expect} rows, got ${s.n}`);
      }
    }
    (r % 2 === 0 ? o : b).push(x);
    (r % 2 === 0 ? b : o).push(y);
  }
  const med = (s: Side[]): Side => ({
    wallMs: median(s.map((v) => v.wallMs)),
    cpuUs: median(s.map((v) => v.cpuUs)),
  });
  return { ours: med(o), bare: med(b) };
}

interface Bare {
  /** All rows of `sql`, as the driver's row objects. */
  rows(sql: string, params: unknown[]): Promise<Row[]>;
}

async function measure(
  prefix: string,
  source: LinkedSource,
  table: string,
  bare: Bare,
): Promise<Record<string, number>> {
  const c = new LinkedConnector(source, table, ITEMS);
  const d = source.dialect;
  const qt = quoteTable(d, table);
  const streamQ = buildSelect(d, qt, ITEMS, PROJECTION, STREAM_FILTER, STREAM_ORDER, { limit: STREAM_LIMIT });
  const pointQs = Array.from({ length: POINTS }, (_, i) =>
    buildSelect(d, qt, ITEMS, PROJECTION, pointFilter(i), [], { limit: 1 }),
  );

  const stream = await pair(
    async () => {
      let n = 0;
      for await (const b of c.scan(PROJECTION, STREAM_FILTER, STREAM_ORDER, { limit: STREAM_LIMIT })) {
        n += sink(b);
      }
      return n;
    },
    async () => sink(await bare.rows(streamQ.sql, streamQ.params)),
    ROWS,
  );
  const point = await pair(
    async () => {
      let n = 0;
      for (let i = 0; i < POINTS; i++) {
        for await (const b of c.scan(PROJECTION, pointFilter(i), [], { limit: 1 })) {
          n += sink(b);
        }
      }
      return n;
    },
    async () => {
      let n = 0;
      for (const q of pointQs) {
        n += sink(await bare.rows(q.sql, q.params));
      }
      return n;
    },
    POINTS,
  );
  const rate = (n: number, s: Side) => Math.round(n / (s.wallMs / 1000));
  return {
    [`${prefix}_rows_per_s`]: rate(ROWS, stream.ours),
    [`${prefix}_bare_rows_per_s`]: rate(ROWS, stream.bare),
    [`${prefix}_ratio`]: Number((stream.bare.wallMs / stream.ours.wallMs).toFixed(3)),
    [`${prefix}_cpu_us_per_row`]: Number((stream.ours.cpuUs / ROWS).toFixed(3)),
    [`${prefix}_bare_cpu_us_per_row`]: Number((stream.bare.cpuUs / ROWS).toFixed(3)),
    [`${prefix}_point_per_s`]: rate(POINTS, point.ours),
    [`${prefix}_bare_point_per_s`]: rate(POINTS, point.bare),
    [`${prefix}_point_ratio`]: Number((point.bare.wallMs / point.ours.wallMs).toFixed(3)),
    [`${prefix}_point_cpu_us`]: Math.round(point.ours.cpuUs / POINTS),
    [`${prefix}_bare_point_cpu_us`]: Math.round(point.bare.cpuUs / POINTS),
  };
}

export async function run(): Promise<Record<string, number>> {
  const name = `govhub_scan_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const my = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test' });
  const sources: LinkedSource[] = [];
  try {
    const p = new pg.Client({ connectionString: url.toString() });
    await p.connect();
    await p.query(`create table people (id int primary key, name text, district text, score int)`);
    await p.query(
      `insert into people select g, '张' || g, '区' || (g % 20), g % 1000 from generate_series(0, ${ROWS - 1}) g`,
    );
    await p.query('analyze people');
    await p.end();
    await my.query(`drop table if exists ${name}`);
    await my.query(
      `create table ${name} (id int primary key, name varchar(40), district varchar(20), score int)`,
    );
    for (let i = 0; i < ROWS; i += 10000) {
      const vals = Array.from({ length: Math.min(10000, ROWS - i) }, (_, k) => [
        i + k,
        `张${i + k}`,
        `区${(i + k) % 20}`,
        (i + k) % 1000,
      ]);
      await my.query(`insert into ${name} values ?`, [vals]);
    }
    const pgSrc = openSource({
      id: 'pg',
      kind: 'postgres',
      host: url.hostname,
      port: Number(url.port || 5432),
      database: name,
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password) || null,
    });
    const mySrc = openSource({
      id: 'my',
      kind: 'mysql',
      host: '127.0.0.1',
      port: 3306,
      database: 'test',
      username: 'root',
      password: null,
    });
    sources.push(pgSrc, mySrc);
    const barePool = new pg.Pool({ connectionString: url.toString(), max: 4 });
    const myPool = mysql.createPool({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      database: 'test',
      connectionLimit: 4,
    });
    try {
      const pgM = await measure('postgres', pgSrc, 'people', {
        rows: async (sql, params) => (await barePool.query(sql, params)).rows as Row[],
      });
      const myM = await measure('mariadb', mySrc, name, {
        rows: async (sql, params) => (await myPool.query(sql, params))[0] as Row[],
      });
      return { rows: ROWS, points: POINTS, rounds: ROUNDS, ...pgM, ...myM };
    } finally {
      await barePool.end();
      await myPool.end();
    }
  } finally {
    await Promise.all(sources.map((s) => s.close()));
    await my.query(`drop table if exists ${name}`);
    await my.end();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`drop database if exists ${name} with (force)`);
    await c.end();
  }
}

if (process.argv[1]?.endsWith('scan.js')) {
  void run().then((m) => console.log(JSON.stringify(m), checksum > 0 ? '' : '(no rows)'));
}
