/**
 * Bench suite `scan`: a 100k-row push-down stream (projection + filter + order) from a linked
 * MariaDB and PostgreSQL table through the connector, and a point query, each against the bare
 * driver doing the same in the same run. Metrics per source: *_rows_per_s, *_bare_rows_per_s,
 * *_ratio, *_point_per_s, *_point_ratio.
 */
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { LinkedConnector, openSource, type LinkedSource } from '../../src/datasets/linked.js';
import type { DatasetItemRow } from '../../src/platform/db/tables/datasets.js';

const PG_URL = process.env.GOVHUB_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ROWS = Number(process.env.BENCH_SCAN_ROWS ?? 100_000);
const POINTS = 2000;

const ITEMS: DatasetItemRow[] = [
  { name: 'id', column: 'id', dataType: 'I', level: 'core', piiKind: null },
  { name: 'name', column: 'name', dataType: 'C', level: 'core', piiKind: 'name' },
  { name: 'district', column: 'district', dataType: 'C', level: 'general', piiKind: null },
  { name: 'score', column: 'score', dataType: 'I', level: 'general', piiKind: null },
];

async function timeIt(fn: () => Promise<number>): Promise<number> {
  const t0 = performance.now();
  const n = await fn();
  return n / ((performance.now() - t0) / 1000);
}

async function measure(
  prefix: string,
  source: LinkedSource,
  table: string,
  bareScan: () => Promise<number>,
  barePoint: (id: number) => Promise<unknown>,
): Promise<Record<string, number>> {
  const c = new LinkedConnector(source, table, ITEMS);
  const ours = async () => {
    let n = 0;
    for await (const b of c.scan(
      ['id', 'name', 'score'],
      { op: 'gte', item: 'score', value: 0 },
      [{ item: 'id', desc: false }],
      {
        limit: ROWS,
      },
    )) {
      n += b.length;
    }
    return n;
  };
  const point = async () => {
    for (let i = 0; i < POINTS; i++) {
      for await (const b of c.scan(
        ['id', 'name', 'score'],
        { op: 'eq', item: 'id', value: (i * 37) % ROWS },
        [],
        { limit: 1 },
      )) {
        void b;
      }
    }
    return POINTS;
  };
  const barePoints = async () => {
    for (let i = 0; i < POINTS; i++) {
      await barePoint((i * 37) % ROWS);
    }
    return POINTS;
  };
  await ours(); // warm-up both paths
  await bareScan();
  const bare = await timeIt(bareScan);
  const mine = await timeIt(ours);
  const bp = await timeIt(barePoints);
  const mp = await timeIt(point);
  return {
    [`${prefix}_rows_per_s`]: Math.round(mine),
    [`${prefix}_bare_rows_per_s`]: Math.round(bare),
    [`${prefix}_ratio`]: Number((mine / bare).toFixed(3)),
    [`${prefix}_point_per_s`]: Math.round(mp),
    [`${prefix}_bare_point_per_s`]: Math.round(bp),
    [`${prefix}_point_ratio`]: Number((mp / bp).toFixed(3)),
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
    const pgM = await measure(
      'postgres',
      pgSrc,
      'people',
      async () =>
        (
          await barePool.query(
            'select id, name, score from people where score >= $1 order by id limit 100000',
            [0],
          )
        ).rows.length,
      (id) => barePool.query('select id, name, score from people where id = $1 limit 1', [id]),
    );
    const myM = await measure(
      'mariadb',
      mySrc,
      name,
      async () => {
        const [rows] = await myPool.query(
          `select id, name, score from ${name} where score >= ? order by id limit 100000`,
          [0],
        );
        return (rows as unknown[]).length;
      },
      (id) => myPool.query(`select id, name, score from ${name} where id = ? limit 1`, [id]),
    );
    await barePool.end();
    await myPool.end();
    return { rows: ROWS, ...pgM, ...myM };
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
  void run().then((m) => console.log(JSON.stringify(m)));
}
